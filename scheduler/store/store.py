"""The Store: every public method is one short transaction returning frozen records.

Reminders must never be lost or sent twice, so the delivery ledger leans on a UNIQUE
(reminder_id, fire_at) constraint and INSERT ... ON CONFLICT DO NOTHING rather than on any
read-then-write check that two workers could both pass.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine, Table, delete, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError, StatementError

from scheduler.store.errors import DuplicateCaseError, FencedOut, StoreError
from scheduler.store.models import Base
from scheduler.store.records import (
    DELIVERY_STATUSES,
    MAX_REMINDER_TEXT,
    REMINDER_KINDS,
    REMINDER_STATUSES,
    SETTING_SCOPES,
    TARGET_KINDS,
    UNFINISHED_DELIVERY_STATUSES,
    CaseDraft,
    CaseRecord,
    DeliveryRecord,
    FeedOwner,
    ReminderDraft,
    ReminderRecord,
    Settings,
    TrackedDeadlineDraft,
    TrackedDeadlineRecord,
)

REMINDERS: Final[Table] = Base.metadata.tables["reminders"]
CASES: Final[Table] = Base.metadata.tables["tracked_cases"]
DEADLINES: Final[Table] = Base.metadata.tables["tracked_deadlines"]
SETTINGS: Final[Table] = Base.metadata.tables["settings"]
DELIVERIES: Final[Table] = Base.metadata.tables["deliveries"]
LEADER_TERMS: Final[Table] = Base.metadata.tables["leader_terms"]
FEEDS: Final[Table] = Base.metadata.tables["calendar_feeds"]
SCHEDULER_TERM: Final = "scheduler"

READ_ONLY_OPTION: Final = "iepbot_read_only"
# A delivery error is a code ("http_429", "discord_50007"), never platform message text, which
# can quote the reminder back.
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
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
    if not isinstance(draft.text, str) or len(draft.text) > MAX_REMINDER_TEXT:
        raise ValueError(f"reminder text must be a string of at most {MAX_REMINDER_TEXT} chars")
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


_DRAFT_FIELDS: Final = tuple(f.name for f in dataclasses.fields(ReminderDraft))
# ReminderRecord mirrors the column order, so a row converts positionally (fast for bulk reads).
if tuple(f.name for f in dataclasses.fields(ReminderRecord)) != tuple(REMINDERS.c.keys()):
    raise RuntimeError("ReminderRecord fields must match the reminders columns, in order")


def _reminder(row: Any) -> ReminderRecord:
    return ReminderRecord(*row)


def _by_id(record: ReminderRecord) -> int:
    return record.id


def _fields(draft: CaseDraft | TrackedDeadlineDraft) -> dict[str, Any]:
    """Shallow, unlike dataclasses.asdict, which deep-copies every value."""
    return {f.name: getattr(draft, f.name) for f in dataclasses.fields(draft)}


def _case(row: Any) -> CaseRecord:
    return CaseRecord(**row._asdict())


def _deadline(row: Any) -> TrackedDeadlineRecord:
    return TrackedDeadlineRecord(**row._asdict())


def _delivery(row: Any) -> DeliveryRecord:
    return DeliveryRecord(**row._asdict())


def _pg_unnest_insert_sql() -> str:
    """INSERT ... SELECT FROM unnest(arrays) ORDER BY ordinality RETURNING id.

    One statement with one array per column: psycopg parses a query with 15 parameters instead
    of one with 1.5 million (the multi-row VALUES form spends most of its time there), and
    PostgreSQL draws the serial ids in the ORDER BY order, so sorted ids line up with drafts.
    """
    dialect = postgresql.dialect()
    names = list(_DRAFT_FIELDS)
    # Unbounded element types: an explicit cast to VARCHAR(n) would truncate silently, while
    # the assignment to the VARCHAR(n) column raises on an over-long value, as it should.
    element = {
        n: re.sub(r"\(\d+\)", "", REMINDERS.c[n].type.compile(dialect=dialect)) for n in names
    }
    casts = ", ".join(f"CAST(:{n} AS {element[n]}[])" for n in names)
    columns = ", ".join(names)
    return (
        f"INSERT INTO reminders ({columns}, created_at, status) "
        f"SELECT {columns}, CAST(:created_at AS TIMESTAMP WITH TIME ZONE), 'active' "
        f"FROM unnest({casts}) WITH ORDINALITY AS t({columns}, ord) "
        "ORDER BY ord RETURNING id"
    )


_PG_UNNEST_INSERT: Final = text(_pg_unnest_insert_sql())


def _pg_insert_reminders(
    conn: Connection, drafts: Sequence[ReminderDraft], created_at: datetime
) -> list[ReminderRecord]:
    columns: dict[str, list[Any]] = {name: [] for name in _DRAFT_FIELDS}
    fires: list[datetime] = []
    for d in drafts:
        for name in _DRAFT_FIELDS:
            columns[name].append(getattr(d, name))
        fires.append(_aware(d.next_fire_at, "next_fire_at"))
    columns["next_fire_at"] = fires
    ids = sorted(conn.execute(_PG_UNNEST_INSERT, {**columns, "created_at": created_at}).scalars())
    if len(ids) != len(drafts):
        raise StoreError("bulk insert returned an unexpected number of ids")
    return [
        ReminderRecord(
            id=rid,
            platform=d.platform,
            workspace_id=d.workspace_id,
            owner_id=d.owner_id,
            target_kind=d.target_kind,
            target_id=d.target_id,
            text=d.text,
            lang=d.lang,
            timezone=d.timezone,
            created_at=created_at,
            next_fire_at=fire,
            recurrence=d.recurrence,
            status="active",
            case_id=d.case_id,
            deadline_id=d.deadline_id,
            kind=d.kind,
        )
        for rid, d, fire in zip(ids, drafts, fires, strict=True)
    ]


class Store:
    """Persistence for reminders, tracked cases, settings and the delivery ledger.

    Thread-safe: it holds only an engine; each call runs in its own connection and transaction
    (Core connections, not ORM sessions: every statement here is Core, and a session adds
    about a fifth to each call, which a burst of reminders pays several times per reminder).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name

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
        try:
            with self._engine.connect() as conn:
                if read_only:
                    # Seen by the SQLite "begin" hook before BEGIN is sent (see engine.py).
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

    def _insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        """A dialect insert, so ON CONFLICT is available on both SQLite and PostgreSQL."""
        if self._dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _insert_reminders(
        self, conn: Connection, drafts: Sequence[ReminderDraft], created_at: datetime
    ) -> list[ReminderRecord]:
        if not drafts:
            return []
        if self._dialect == "postgresql":
            return _pg_insert_reminders(conn, drafts, created_at)
        rows = [
            {
                **{name: getattr(d, name) for name in _DRAFT_FIELDS},
                "next_fire_at": _aware(d.next_fire_at, "next_fire_at"),
                "created_at": created_at,
                "status": "active",
            }
            for d in drafts
        ]
        # SQLAlchemy has no insert sentinel for SQLite and, asked to keep parameter order, would
        # fall back to one INSERT per row. Under BEGIN IMMEDIATE this is the only writer, and
        # AUTOINCREMENT hands out ids in VALUES order, so sorting by id restores draft order.
        stmt = REMINDERS.insert().returning(*REMINDERS.c)
        return sorted((_reminder(r) for r in conn.execute(stmt, rows)), key=_by_id)

    # -- reminders --------------------------------------------------------------------------

    def add_reminder(self, draft: ReminderDraft) -> ReminderRecord:
        return self.add_reminders([draft])[0]

    def add_reminders(self, drafts: Iterable[ReminderDraft]) -> list[ReminderRecord]:
        """All or nothing, in one multi-row INSERT ... RETURNING (100,000 in a few seconds)."""
        drafts = list(drafts)
        for d in drafts:
            _check_draft(d)
        with self._tx() as s:
            return self._insert_reminders(s, drafts, _now())

    def get_reminder(self, reminder_id: int) -> ReminderRecord | None:
        with self._tx(read_only=True) as s:
            row = s.execute(select(REMINDERS).where(REMINDERS.c.id == reminder_id)).first()
        return _reminder(row) if row is not None else None

    def _list_by(
        self, column: str, platform: str, value: str, active_only: bool
    ) -> list[ReminderRecord]:
        c = REMINDERS.c
        stmt = select(REMINDERS).where(c.platform == platform, c[column] == value)
        if active_only:
            stmt = stmt.where(c.status == "active")
        stmt = stmt.order_by(c.next_fire_at.asc().nulls_last(), c.id)
        with self._tx(read_only=True) as s:
            return [_reminder(r) for r in s.execute(stmt)]

    def list_reminders_for_owner(
        self, platform: str, owner_id: str, *, active_only: bool = True
    ) -> list[ReminderRecord]:
        return self._list_by("owner_id", platform, owner_id, active_only)

    def list_reminders_for_target(
        self, platform: str, target_id: str, *, active_only: bool = True
    ) -> list[ReminderRecord]:
        return self._list_by("target_id", platform, target_id, active_only)

    def active_reminders_due_before(
        self, when_utc: datetime, limit: int = 1000
    ) -> list[ReminderRecord]:
        """Active reminders with next_fire_at strictly before ``when_utc``, soonest first."""
        c = REMINDERS.c
        stmt = (
            select(REMINDERS)
            .where(c.status == "active", c.next_fire_at < _aware(when_utc, "when_utc"))
            .order_by(c.next_fire_at, c.id)
            .limit(limit)
        )
        with self._tx(read_only=True) as s:
            return [_reminder(r) for r in s.execute(stmt)]

    def count_active(self) -> int:
        stmt = select(func.count()).select_from(REMINDERS).where(REMINDERS.c.status == "active")
        with self._tx(read_only=True) as s:
            return int(s.execute(stmt).scalar_one())

    def cancel_reminder(self, reminder_id: int) -> bool:
        """True if an active reminder was cancelled; cancelled is final."""
        c = REMINDERS.c
        stmt = (
            update(REMINDERS)
            .where(c.id == reminder_id, c.status == "active")
            .values(status="cancelled", next_fire_at=None)
        )
        with self._tx() as s:
            return s.execute(stmt).rowcount == 1

    def set_next_fire(
        self, reminder_id: int, next_fire_at: datetime | None, *, status: str | None = None
    ) -> bool:
        """After a fire: the next occurrence, or None with status="done" when finished.

        A cancelled reminder is left alone (returns False): a user's cancel that lands while
        the reminder is being sent must win over the scheduler's bookkeeping.
        """
        values: dict[str, Any] = {
            "next_fire_at": None if next_fire_at is None else _aware(next_fire_at, "next_fire_at")
        }
        if status is not None:
            _check_choice(status, REMINDER_STATUSES, "status")
            values["status"] = status
        c = REMINDERS.c
        stmt = update(REMINDERS).where(c.id == reminder_id, c.status != "cancelled").values(values)
        with self._tx() as s:
            return s.execute(stmt).rowcount == 1

    def reschedule(self, reminder_id: int, next_fire_at: datetime) -> bool:
        """Snooze: move the next fire; revives a "done" one-off (snoozed after it was sent)."""
        c = REMINDERS.c
        stmt = (
            update(REMINDERS)
            .where(c.id == reminder_id, c.status.in_(("active", "done")))
            .values(next_fire_at=_aware(next_fire_at, "next_fire_at"), status="active")
        )
        with self._tx() as s:
            return s.execute(stmt).rowcount == 1

    # -- tracked cases ----------------------------------------------------------------------

    def add_case(
        self,
        case: CaseDraft,
        deadlines: Sequence[TrackedDeadlineDraft],
        reminders: Sequence[ReminderDraft],
    ) -> tuple[CaseRecord, list[ReminderRecord]]:
        """Case, its deadlines and its reminders together or not at all."""
        for d in reminders:
            _check_draft(d)
        now = _now()
        try:
            with self._tx() as s:
                case_row = s.execute(
                    CASES.insert().returning(*CASES.c),
                    {**_fields(case), "created_at": now},
                ).one()
                record = _case(case_row)
                if deadlines:
                    s.execute(
                        DEADLINES.insert(),
                        [{**_fields(d), "case_id": record.id} for d in deadlines],
                    )
                linked = [dataclasses.replace(d, case_id=record.id) for d in reminders]
                return record, self._insert_reminders(s, linked, now)
        except _ConstraintViolation as exc:
            if exc.kind == "unique":
                raise DuplicateCaseError(
                    "this case is already tracked for this event (same label and event)"
                ) from None
            raise

    def list_cases(
        self, platform: str, owner_id: str
    ) -> list[tuple[CaseRecord, list[TrackedDeadlineRecord]]]:
        cases_stmt = (
            select(CASES)
            .where(CASES.c.platform == platform, CASES.c.owner_id == owner_id)
            .order_by(CASES.c.event_date, CASES.c.id)
        )
        with self._tx(read_only=True) as s:
            cases = [_case(r) for r in s.execute(cases_stmt)]
            by_case: dict[int, list[TrackedDeadlineRecord]] = {c.id: [] for c in cases}
            if cases:
                dl_stmt = (
                    select(DEADLINES)
                    .where(DEADLINES.c.case_id.in_(list(by_case)))
                    .order_by(DEADLINES.c.due, DEADLINES.c.id)
                )
                for row in s.execute(dl_stmt):
                    by_case[row.case_id].append(_deadline(row))
        return [(c, by_case[c.id]) for c in cases]

    def delete_case(self, case_id: int) -> bool:
        """Deadlines, reminders and their ledger rows go with it (ON DELETE CASCADE)."""
        with self._tx() as s:
            return s.execute(delete(CASES).where(CASES.c.id == case_id)).rowcount == 1

    # -- settings ---------------------------------------------------------------------------

    def get_settings(self, platform: str, scope: str, scope_id: str) -> Settings:
        c = SETTINGS.c
        stmt = select(c.timezone, c.lang).where(
            c.platform == platform, c.scope == scope, c.scope_id == scope_id
        )
        with self._tx(read_only=True) as s:
            row = s.execute(stmt).first()
        if row is None:
            return Settings(platform, scope, scope_id)
        return Settings(platform, scope, scope_id, timezone=row.timezone, lang=row.lang)

    def set_setting(
        self,
        platform: str,
        scope: str,
        scope_id: str,
        *,
        timezone: str | None = None,
        lang: str | None = None,
    ) -> Settings:
        """Upsert only the fields given; returns the settings as stored."""
        _check_choice(scope, SETTING_SCOPES, "scope")
        changes: dict[str, str] = {}
        if timezone is not None:
            _check_zone(timezone)
            changes["timezone"] = timezone
        if lang is not None:
            if not lang or len(lang) > 16:
                raise ValueError("lang must be a short language code such as en or es")
            changes["lang"] = lang
        if changes:
            stmt = self._insert(SETTINGS).values(
                platform=platform, scope=scope, scope_id=scope_id, **changes
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["platform", "scope", "scope_id"], set_=changes
            )
            with self._tx() as s:
                s.execute(stmt)
        return self.get_settings(platform, scope, scope_id)

    # -- delivery ledger --------------------------------------------------------------------

    def _check_term(self, conn: Connection, epoch: int | None) -> None:
        """Raise FencedOut unless ``epoch`` is still the scheduler leader's term.

        FOR SHARE makes a new leader's epoch bump wait for this transaction, so a write either
        commits before the new term starts (and the new leader's recovery sees it) or sees the
        new epoch and is refused: a deposed leader can never slip a claim or a send past it.
        """
        if epoch is None:
            return
        current = conn.execute(
            select(LEADER_TERMS.c.epoch)
            .where(LEADER_TERMS.c.name == SCHEDULER_TERM)
            .with_for_update(read=True)
        ).scalar()
        if current != epoch:
            raise FencedOut("this replica's scheduler term has ended")

    def _insert_delivery(
        self, reminder_id: int, fire_at: datetime, status: str, late: bool, epoch: int | None = None
    ) -> bool:
        now = _now()
        stmt = (
            self._insert(DELIVERIES)
            .values(
                reminder_id=reminder_id,
                fire_at=_aware(fire_at, "fire_at"),
                status=status,
                attempts=0,
                late=late,
                claimed_at=now,
            )
            .on_conflict_do_nothing(index_elements=["reminder_id", "fire_at"])
            .returning(DELIVERIES.c.id)
        )
        try:
            with self._tx() as s:
                self._check_term(s, epoch)
                return s.execute(stmt).first() is not None
        except _ConstraintViolation as exc:
            if exc.kind == "foreign_key":
                return False  # the reminder was deleted (forget, delete_case): nothing to send
            raise

    def claim_delivery(
        self, reminder_id: int, fire_at: datetime, *, epoch: int | None = None
    ) -> bool:
        """True for exactly one caller per (reminder, fire time), across threads and processes.
        With ``epoch`` (several replicas), raises FencedOut once that leader term has ended."""
        return self._insert_delivery(reminder_id, fire_at, "claimed", False, epoch)

    def begin_send(
        self,
        reminder_id: int,
        fire_at: datetime,
        *,
        attempts: int,
        epoch: int | None = None,
    ) -> bool:
        """Move a claimed row to "sending" just before the platform call; False when the row is
        no longer ours to send (already sent, failed or reported uncertain by a new leader).
        With ``epoch``, raises FencedOut once that leader term has ended."""
        c = DELIVERIES.c
        stmt = (
            update(DELIVERIES)
            .where(
                c.reminder_id == reminder_id,
                c.fire_at == _aware(fire_at, "fire_at"),
                c.status.in_(UNFINISHED_DELIVERY_STATUSES),
            )
            .values(status="sending", attempts=attempts)
        )
        with self._tx() as s:
            self._check_term(s, epoch)
            return s.execute(stmt).rowcount == 1

    def start_term(self, holder: str) -> int:
        """Open a new scheduler term and return its epoch. Only the replica holding the leader
        lock calls this; the bump waits for ledger writes of the previous term in flight."""
        with self._tx() as s:
            s.execute(
                self._insert(LEADER_TERMS)
                .values(name=SCHEDULER_TERM, epoch=0)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            return int(
                s.execute(
                    update(LEADER_TERMS)
                    .where(LEADER_TERMS.c.name == SCHEDULER_TERM)
                    .values(epoch=LEADER_TERMS.c.epoch + 1, holder=holder[:128], elected_at=_now())
                    .returning(LEADER_TERMS.c.epoch)
                ).scalar_one()
            )

    def current_term(self) -> int | None:
        with self._tx(read_only=True) as s:
            return s.execute(
                select(LEADER_TERMS.c.epoch).where(LEADER_TERMS.c.name == SCHEDULER_TERM)
            ).scalar()

    def record_delivery(self, reminder_id: int, fire_at: datetime, status: str, late: bool) -> bool:
        """Insert-or-ignore a final row (e.g. "missed"); False if the row already existed."""
        _check_choice(status, DELIVERY_STATUSES, "status")
        return self._insert_delivery(reminder_id, fire_at, status, late)

    def mark_delivery(
        self,
        reminder_id: int,
        fire_at: datetime,
        status: str,
        *,
        late: bool | None = None,
        error: str | None = None,
        attempts: int | None = None,
    ) -> bool:
        """Move a ledger row along; ``error`` is a short code, never a message. False if no row."""
        _check_choice(status, DELIVERY_STATUSES, "status")
        values: dict[str, Any] = {"status": status}
        if status == "sent":
            values["sent_at"] = _now()
        if late is not None:
            values["late"] = late
        if error is not None:
            if not _ERROR_CODE.fullmatch(error):
                raise ValueError("error must be a short code like http_429, not message text")
            values["last_error"] = error
        if attempts is not None:
            values["attempts"] = attempts
        c = DELIVERIES.c
        stmt = (
            update(DELIVERIES)
            .where(c.reminder_id == reminder_id, c.fire_at == _aware(fire_at, "fire_at"))
            .values(values)
        )
        with self._tx() as s:
            return s.execute(stmt).rowcount == 1

    def get_delivery(self, reminder_id: int, fire_at: datetime) -> DeliveryRecord | None:
        c = DELIVERIES.c
        stmt = select(DELIVERIES).where(
            c.reminder_id == reminder_id, c.fire_at == _aware(fire_at, "fire_at")
        )
        with self._tx(read_only=True) as s:
            row = s.execute(stmt).first()
        return _delivery(row) if row is not None else None

    def unfinished_deliveries(self) -> list[DeliveryRecord]:
        """Rows a crash may have left claimed or sending; recovery decides what they become."""
        c = DELIVERIES.c
        stmt = (
            select(DELIVERIES)
            .where(c.status.in_(UNFINISHED_DELIVERY_STATUSES))
            .order_by(c.fire_at, c.id)
        )
        with self._tx(read_only=True) as s:
            return [_delivery(r) for r in s.execute(stmt)]

    # -- calendar feeds -----------------------------------------------------------------------

    def set_feed(
        self, platform: str, workspace_id: str | None, owner_id: str, secret_hash: str, lang: str
    ) -> None:
        """Give a person a (new) feed; their previous address, if any, stops working."""
        with self._tx() as s:
            s.execute(
                delete(FEEDS).where(FEEDS.c.platform == platform, FEEDS.c.owner_id == owner_id)
            )
            s.execute(
                FEEDS.insert(),
                {
                    "platform": platform,
                    "owner_id": owner_id,
                    "workspace_id": workspace_id,
                    "secret_hash": secret_hash,
                    "lang": lang,
                    "created_at": _now(),
                },
            )

    def feed_created(self, platform: str, owner_id: str) -> datetime | None:
        """When the person's current feed was made, or None when they have none."""
        stmt = select(FEEDS.c.created_at).where(
            FEEDS.c.platform == platform, FEEDS.c.owner_id == owner_id
        )
        with self._tx(read_only=True) as s:
            return s.execute(stmt).scalar_one_or_none()

    def feed_owner(self, secret_hash: str) -> FeedOwner | None:
        stmt = select(FEEDS.c.platform, FEEDS.c.owner_id, FEEDS.c.workspace_id, FEEDS.c.lang).where(
            FEEDS.c.secret_hash == secret_hash
        )
        with self._tx(read_only=True) as s:
            row = s.execute(stmt).one_or_none()
        return FeedOwner(*row) if row is not None else None

    # -- privacy ----------------------------------------------------------------------------

    def forget_user(self, platform: str, user_id: str) -> dict[str, int]:
        """Delete everything a user owns on one platform, in one transaction; counts per table.

        Reminders of the user's cases go too even if, one day, someone else owned them.
        """
        case_ids = select(CASES.c.id).where(
            CASES.c.platform == platform, CASES.c.owner_id == user_id
        )
        rem = REMINDERS.c
        reminder_ids = select(rem.id).where(
            rem.platform == platform, or_(rem.owner_id == user_id, rem.case_id.in_(case_ids))
        )
        with self._tx() as s:
            counts = {
                "deliveries": s.execute(
                    delete(DELIVERIES).where(DELIVERIES.c.reminder_id.in_(reminder_ids))
                ).rowcount,
                "reminders": s.execute(delete(REMINDERS).where(rem.id.in_(reminder_ids))).rowcount,
            }
            counts["tracked_deadlines"] = s.execute(
                delete(DEADLINES).where(DEADLINES.c.case_id.in_(case_ids))
            ).rowcount
            counts["tracked_cases"] = s.execute(
                delete(CASES).where(CASES.c.platform == platform, CASES.c.owner_id == user_id)
            ).rowcount
            counts["settings"] = s.execute(
                delete(SETTINGS).where(
                    SETTINGS.c.platform == platform,
                    SETTINGS.c.scope == "user",
                    SETTINGS.c.scope_id == user_id,
                )
            ).rowcount
            counts["calendar_feeds"] = s.execute(
                delete(FEEDS).where(FEEDS.c.platform == platform, FEEDS.c.owner_id == user_id)
            ).rowcount
        return counts
