"""What every part of the store shares: the tables, one transaction per call, and the checks
on values before they reach SQL (naive datetimes, unknown zones, unknown choices)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError, StatementError

from scheduler.limits import STORED_TEXT_MAX
from scheduler.store.errors import StoreError
from scheduler.store.models import Base
from scheduler.store.records import (
    REMINDER_KINDS,
    TARGET_KINDS,
    ReminderDraft,
)

REMINDERS: Final[Table] = Base.metadata.tables["reminders"]
CASES: Final[Table] = Base.metadata.tables["tracked_cases"]
DEADLINES: Final[Table] = Base.metadata.tables["tracked_deadlines"]
SETTINGS: Final[Table] = Base.metadata.tables["settings"]
DELIVERIES: Final[Table] = Base.metadata.tables["deliveries"]
LEADER_TERMS: Final[Table] = Base.metadata.tables["leader_terms"]
FEEDS: Final[Table] = Base.metadata.tables["calendar_feeds"]
DIRECT_CHANNELS: Final[Table] = Base.metadata.tables["direct_channels"]

READ_ONLY_OPTION: Final = "iepbot_read_only"
# How long a SQLite writer waits for the write lock before giving up, in SQLite's busy handler
# (another process) and on the in-process writer lock (another thread; see StoreBase).
SQLITE_BUSY_TIMEOUT_S: Final = 10.0
_PG_UNIQUE, _PG_FOREIGN_KEY = "23505", "23503"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} is naive: pass a timezone-aware datetime")
    return value.astimezone(UTC)


@lru_cache(maxsize=512)
def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_zone(name: str) -> None:
    if not isinstance(name, str) or not name or not _known_zone(name):
        raise ValueError("unknown time zone: use an IANA name such as America/Chicago")


def _check_choice(value: str, allowed: frozenset[str], name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(sorted(allowed))}")


def _check_draft(draft: ReminderDraft) -> None:
    _check_choice(draft.target_kind, TARGET_KINDS, "target_kind")
    _check_choice(draft.kind, REMINDER_KINDS, "kind")
    if not isinstance(draft.text, str) or len(draft.text) > STORED_TEXT_MAX:
        raise ValueError(f"reminder text must be a string of at most {STORED_TEXT_MAX} chars")
    _check_zone(draft.timezone)
    _aware(draft.next_fire_at, "next_fire_at")


def describe_db_error(
    exc: BaseException, *, password: str | None = None, with_message: bool = False
) -> str:
    """One line naming the failure without SQL parameters, which may hold user text.

    ``with_message`` adds the driver's own words; only for connection and migration errors,
    whose text carries no user data.
    """
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    line = type(orig).__name__ + (f" [{code}]" if code else "")
    if with_message:
        words = " ".join(part.strip() for part in str(orig).splitlines() if part.strip())
        if password:
            words = words.replace(password, "***")
        if words:
            line = f"{line}: {words[:300]}"
    return line


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


class _ConstraintViolation(StoreError):
    """Internal: lets a method turn a specific constraint into its own answer."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def _violation_kind(exc: IntegrityError) -> str:
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    name = getattr(orig, "sqlite_errorname", None) or ""
    if sqlstate == _PG_UNIQUE or name in (
        "SQLITE_CONSTRAINT_UNIQUE",
        "SQLITE_CONSTRAINT_PRIMARYKEY",
    ):
        return "unique"
    if sqlstate == _PG_FOREIGN_KEY or name == "SQLITE_CONSTRAINT_FOREIGNKEY":
        return "foreign_key"
    return "other"


class StoreBase:
    """The engine and the transaction helper; the store's parts (reminders, preferences,
    ledger) are mixins over it, put together in ``scheduler.store.store.Store``.

    Thread-safe: it holds only an engine; each call runs in its own connection and transaction
    (Core connections, not ORM sessions: every statement here is Core, and a session adds
    about a fifth to each call, which a burst of reminders pays several times per reminder).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name
        # A SQLite file deleted or swapped under a running bot would take every later write
        # with it at exit, silently: its identity is kept and checked before each transaction.
        database = engine.url.database if self._dialect == "sqlite" else None
        self._file = Path(database) if database and database != ":memory:" else None
        self._file_id = _file_id(self._file) if self._file is not None else None
        # SQLite has one writer. Its busy handler waits for the lock in sleeps of 1, 2, 5,
        # 10 ... ms, so the dispatcher's ledger writes and the scheduler's claims, taking turns
        # in threads of this process, lost milliseconds at every turn. Writers of this process
        # queue here instead and start the moment the previous one commits; other processes
        # still meet the busy timeout.
        self._writer = threading.RLock() if self._dialect == "sqlite" else None
        self._statements: dict[Hashable, Any] = {}

    def _statement(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """A statement built once and reused: SQLAlchemy then finds its compiled form without
        walking the expression again (a burst runs the same few statements hundreds of
        times). Values are passed as parameters at execution."""
        stmt = self._statements.get(key)
        if stmt is None:
            stmt = self._statements[key] = build()
        return stmt

    def file_intact(self) -> bool:
        """False when the SQLite file was deleted or replaced since it was opened."""
        return self._file is None or _file_id(self._file) == self._file_id

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def dialect(self) -> str:
        return self._dialect

    def close(self) -> None:
        """Release pooled connections (tests, shutdown)."""
        self._engine.dispose()

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _tx(self, *, read_only: bool = False) -> Iterator[Connection]:
        if not self.file_intact():
            raise StoreError(
                f"the database file {self._file} was deleted or replaced while the bot ran; "
                "nothing more is saved until it is restarted"
            )
        writer = self._writer if not read_only else None
        if writer is not None and not writer.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
            raise StoreError("database error: the database is locked (another write is slow)")
        try:
            with self._engine.connect() as conn:
                if read_only:
                    # Seen by the SQLite "begin" hook before BEGIN is sent (see database.py).
                    conn.execution_options(**{READ_ONLY_OPTION: True})
                with conn.begin():
                    yield conn
        except StoreError:
            raise
        except IntegrityError as exc:
            kind = _violation_kind(exc)
            raise _ConstraintViolation(
                f"constraint violated: {describe_db_error(exc)}", kind
            ) from None
        except StatementError as exc:
            if not isinstance(exc, DBAPIError) and isinstance(exc.orig, ValueError | TypeError):
                # Our own type checks (e.g. a naive datetime); the message is ours, not user text.
                raise type(exc.orig)(str(exc.orig)) from None
            raise StoreError(f"database error: {describe_db_error(exc)}") from None
        except SQLAlchemyError as exc:
            raise StoreError(f"database error: {describe_db_error(exc)}") from None
        finally:
            if writer is not None:
                writer.release()

    def _insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        """A dialect insert, so ON CONFLICT is available on both SQLite and PostgreSQL."""
        if self._dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)
