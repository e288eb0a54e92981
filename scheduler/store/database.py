"""Open the database, bring its schema to the current version, hand back a Store.

The program migrates itself at start-up so an operator never has to run a separate tool, and
a volunteer's SQLite file and a district's PostgreSQL server follow the same migration history.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Final

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from scheduler.store.base import SQLITE_BUSY_TIMEOUT_S
from scheduler.store.errors import StoreError
from scheduler.store.store import READ_ONLY_OPTION, Store, describe_db_error

ENV_VAR: Final = "IEPBOT_DATABASE_URL"
MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number works; it only has to be the same in every iepbot process.
MIGRATION_LOCK_KEY: Final = 0x1E9B07_5C4E_3A11
SUPPORTED_BACKENDS: Final = ("sqlite", "postgresql")
WAL_CHECKPOINT_PAGES: Final = 4000  # 16 MiB of log at the default 4 KiB page


def default_database_url() -> str:
    """``IEPBOT_DATABASE_URL``, else a SQLite file in the user's data folder (created here)."""
    url = os.environ.get(ENV_VAR, "").strip()
    if url:
        return url
    folder = Path(platformdirs.user_data_dir("iepbot"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'iepbot.sqlite3'}"


def safe_url(url: URL) -> str:
    """The URL as it may appear in a message or a log line: password masked."""
    return url.render_as_string(hide_password=True)


def _parse_url(raw: str) -> URL:
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        # The raw text may hold a password, so it is not echoed back.
        raise StoreError(
            "invalid database URL (expected e.g. sqlite:///path or "
            "postgresql+psycopg://user@host/db)"
        ) from None
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise StoreError(f"unsupported database {backend!r}: use sqlite or postgresql")
    if backend == "postgresql" and url.drivername == "postgresql":
        # Plain postgresql:// would pick psycopg2, which iepbot does not depend on.
        url = url.set(drivername="postgresql+psycopg")
    return url


def _set_wal(cursor: Any) -> None:
    """Switching a fresh file to WAL needs a lock that SQLite does not wait for with the busy
    timeout: several processes opening a new database at once can get "database is locked"
    here. Retry briefly; once one has switched, the mode is stored in the file."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_on_begin); pysqlite's own transaction
    # handling starts no transaction for SELECT or DDL, which would break atomic migrations
    # and read-then-write methods.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Deleted rows (a `forget`) are overwritten with zeros, not left in free pages.
        cursor.execute("PRAGMA secure_delete = ON")
        _set_wal(cursor)
        # In WAL mode NORMAL still survives a crash of the process (what the ledger guards
        # against); only an OS crash or power cut may lose the last commits. It spares an
        # fsync per transaction, which is most of the cost of a burst of reminders.
        cursor.execute("PRAGMA synchronous = NORMAL")
        # The log is copied back into the database (two fsyncs, the writer waiting) every
        # WAL_CHECKPOINT_PAGES pages instead of SQLite's 1000: a burst of 10,000 reminders
        # met seven of those stalls, 10-30 ms each; now one or two.
        cursor.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout instead
    # of one failing with "database is locked" when it upgrades a read lock mid-transaction.
    # Pure reads keep a deferred BEGIN: under WAL they never wait for, or block, a writer.
    if conn.get_execution_options().get(READ_ONLY_OPTION):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: URL) -> Engine:
    """An engine tuned for the backend; no connection is made yet."""
    if url.get_backend_name() == "sqlite":
        memory = url.database in (None, "", ":memory:")
        kwargs: dict[str, Any] = {
            "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        }
        if memory:
            # Each new connection to :memory: is a new, empty database: share one connection.
            kwargs["poolclass"] = StaticPool

        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config() -> Config:
    """A programmatic Alembic config pointing at the migrations shipped inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def run_migrations(engine: Engine) -> None:
    """Upgrade to head in one transaction; safe to call from several processes at once.

    On PostgreSQL a transaction-level advisory lock makes a second process wait and then find
    the schema already at head; on SQLite BEGIN IMMEDIATE does the same. Released at commit.
    """
    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(url: str | None = None) -> Store:
    """Connect, migrate to head and return a Store; any failure is a one-line StoreError."""
    parsed = _parse_url(url if url is not None else default_database_url())
    shown = safe_url(parsed)
    try:
        engine = make_engine(parsed)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"cannot use database {shown}: {type(exc).__name__}") from None
    try:
        run_migrations(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        detail = describe_db_error(exc, password=parsed.password, with_message=True)
        raise StoreError(f"cannot open database {shown}: {detail}") from None
    except CommandError as exc:
        # Typically a database migrated by a newer iepbot: its revision is unknown here.
        engine.dispose()
        detail = " ".join(str(exc).split())[:300]
        raise StoreError(f"cannot migrate database {shown}: {detail}") from None
    return Store(engine)
