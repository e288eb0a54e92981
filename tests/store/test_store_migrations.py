"""Schema by Alembic: created on first open, a no-op afterwards, safe with concurrent starts."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from scheduler.store import Store, StoreError, open_store
from scheduler.store.database import alembic_config
from scheduler.store.models import Base
from tests.store.helpers import draft

TABLES = {
    "reminders",
    "tracked_cases",
    "tracked_deadlines",
    "settings",
    "deliveries",
    "direct_channels",
}


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _versions(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_first_open_creates_tables_and_second_is_a_noop(fresh_url: str) -> None:
    first = open_store(fresh_url)
    try:
        names = set(inspect(first.engine).get_table_names())
        assert TABLES | {"alembic_version"} <= names
        assert _versions(first) == [_head()]
        kept = first.add_reminder(draft())
    finally:
        first.close()

    second = open_store(fresh_url)
    try:
        assert _versions(second) == [_head()]
        assert second.get_reminder(kept.id) == kept
    finally:
        second.close()


def test_indexes_exist(fresh_url: str) -> None:
    store = open_store(fresh_url)
    try:
        indexes = {
            ix["name"]: ix["column_names"] for ix in inspect(store.engine).get_indexes("reminders")
        }
        assert indexes["ix_reminders_owner"] == ["platform", "owner_id", "status"]
        assert indexes["ix_reminders_target"] == ["platform", "target_id", "status"]
        assert indexes["ix_reminders_due"] == ["status", "next_fire_at"]
        uniques = inspect(store.engine).get_unique_constraints("deliveries")
        assert any(u["column_names"] == ["reminder_id", "fire_at"] for u in uniques)
    finally:
        store.close()


def test_models_match_migrations(fresh_url: str) -> None:
    """models.py is for queries only; a drift from the migration would be a silent bug."""
    store = open_store(fresh_url)
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diff == []
    finally:
        store.close()


def test_concurrent_first_opens_migrate_once(fresh_url: str) -> None:
    barrier = threading.Barrier(4)
    stores: list[Store] = []
    errors: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            stores.append(open_store(fresh_url))
        except StoreError as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert len(stores) == 4
        assert _versions(stores[0]) == [_head()]
    finally:
        for s in stores:
            s.close()


def test_database_from_a_newer_version_is_a_clear_error(fresh_url: str) -> None:
    store = open_store(fresh_url)
    try:
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    finally:
        store.close()
    with pytest.raises(StoreError) as info:
        open_store(fresh_url)
    assert "9999_from_the_future" in str(info.value)
    assert "\n" not in str(info.value)
