"""Opening a store: default location, SQLite tuning, and one-line errors without secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from scheduler.store import StoreError, default_database_url, open_store
from scheduler.store import database as engine_mod


def test_default_url_prefers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IEPBOT_DATABASE_URL", "postgresql+psycopg://u@db/iep")
    assert default_database_url() == "postgresql+psycopg://u@db/iep"


def test_default_url_is_sqlite_in_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("IEPBOT_DATABASE_URL", raising=False)
    folder = tmp_path / "data" / "iepbot"
    monkeypatch.setattr(engine_mod.platformdirs, "user_data_dir", lambda _name: str(folder))
    url = default_database_url()
    assert url == f"sqlite:///{folder / 'iepbot.sqlite3'}"
    assert folder.is_dir()
    store = open_store()
    try:
        assert (folder / "iepbot.sqlite3").exists()
    finally:
        store.close()


def test_sqlite_pragmas(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    finally:
        store.close()


def test_sqlite_in_memory_is_shared_across_threads() -> None:
    import threading

    store = open_store("sqlite://")
    try:
        counts: list[int] = []
        worker = threading.Thread(target=lambda: counts.append(store.count_active()))
        worker.start()
        worker.join()
        assert counts == [0]  # the migrated tables are visible from another thread
    finally:
        store.close()


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "mysql://bob:s3cret@127.0.0.1/iep",
        "postgresql+psycopg://bob:s3cret@127.0.0.1:1/iep",
        "postgresql://bob:s3cret@127.0.0.1:1/iep?connect_timeout=2",
        "sqlite:////nonexistent-dir/x/y.sqlite3",
    ],
)
def test_bad_url_is_one_line_without_password(url: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(url)
    message = str(info.value)
    assert message
    assert "\n" not in message
    assert "s3cret" not in message
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_unreachable_postgres_names_host_and_masks_password() -> None:
    with pytest.raises(StoreError) as info:
        open_store("postgresql+psycopg://bob:s3cret@127.0.0.1:1/iep")
    message = str(info.value)
    assert "bob:***@127.0.0.1:1" in message
    assert "s3cret" not in message
