"""Store fixtures: every store test runs on SQLite (a temporary file) and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from scheduler.store import Store, open_store
from scheduler.store.base import DIRECT_CHANNELS
from scheduler.store.store import CASES, DEADLINES, DELIVERIES, REMINDERS, SETTINGS
from tests.store.pg_helpers import postgres_schema

BACKENDS = ["sqlite", "postgresql"]


def _sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'iepbot.sqlite3'}"


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def store_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per test module and backend (PostgreSQL: a schema of its own)."""
    if backend == "sqlite":
        yield _sqlite_url(tmp_path_factory.mktemp("store"))
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database that no migration has touched yet."""
    if backend == "sqlite":
        yield _sqlite_url(tmp_path)
    else:
        with postgres_schema("iepbot_test_fresh") as url:
            yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated store, emptied after each test so tests in a module stay independent."""
    st = open_store(store_url)
    try:
        yield st
    finally:
        with st.engine.begin() as conn:
            for table in (DELIVERIES, REMINDERS, DEADLINES, CASES, SETTINGS, DIRECT_CHANNELS):
                conn.execute(delete(table))
        st.close()
