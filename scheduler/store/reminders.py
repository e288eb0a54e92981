"""Reminders and tracked cases in the store: bulk inserts, listings, rescheduling."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, delete, func, select, text, update
from sqlalchemy.dialects import postgresql

from scheduler.store.base import (
    CASES,
    DEADLINES,
    REMINDERS,
    StoreBase,
    _aware,
    _check_choice,
    _check_draft,
    _ConstraintViolation,
    _now,
)
from scheduler.store.errors import DuplicateCaseError, StoreError
from scheduler.store.records import (
    REMINDER_STATUSES,
    CaseDraft,
    CaseRecord,
    ReminderDraft,
    ReminderRecord,
    TrackedDeadlineDraft,
    TrackedDeadlineRecord,
)

# A bulk insert this large refreshes PostgreSQL's planner statistics (see ``analyze``).
ANALYZE_AFTER: Final = 1000
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


def _pg_unnest_insert_sql() -> str:
    """INSERT ... SELECT FROM unnest(arrays) ORDER BY ordinality RETURNING id.

    One statement with one array per column: psycopg parses a query with 15 parameters instead
    of one with 1.5 million (the multi-row VALUES form spends most of its time there), and
    PostgreSQL draws the serial ids in the ORDER BY order, so sorted ids line up with drafts.
    """
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
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
    ids: list[int] = sorted(
        conn.execute(_PG_UNNEST_INSERT, {**columns, "created_at": created_at}).scalars()
    )
    if len(ids) != len(drafts):
        raise StoreError("bulk insert returned an unexpected number of ids")
    return _records(ids, drafts, fires, created_at)


_FIRE_AT: Final = _DRAFT_FIELDS.index("next_fire_at")
_SQLITE_INSERT: Final = (
    f"INSERT INTO reminders ({', '.join(_DRAFT_FIELDS)}, created_at, status) "
    f"VALUES ({', '.join('?' for _ in _DRAFT_FIELDS)}, ?, 'active')"
)


def _sqlite_insert_reminders(
    conn: Connection, drafts: Sequence[ReminderDraft], created_at: datetime
) -> list[ReminderRecord]:
    """One executemany straight to the driver, then the ids from last_insert_rowid().

    SQLAlchemy's RETURNING path builds, binds and converts every row through its type layer
    (most of 100,000 reminders' scheduling time). Under BEGIN IMMEDIATE this transaction is
    the only writer and AUTOINCREMENT hands out consecutive ids in row order, so the ids are
    the last one and the N before it; the count over that id range checks it. Datetimes go
    through the column type's own bind processor, so the stored text is exactly what every
    other query compares with.
    """
    bind = REMINDERS.c.next_fire_at.type._cached_bind_processor(conn.dialect)
    assert bind is not None
    fires = [_aware(d.next_fire_at, "next_fire_at") for d in drafts]
    created = bind(created_at)
    rows = []
    for d, fire in zip(drafts, fires, strict=True):
        row = [getattr(d, name) for name in _DRAFT_FIELDS]
        row[_FIRE_AT] = bind(fire)
        row.append(created)
        rows.append(tuple(row))
    conn.exec_driver_sql(_SQLITE_INSERT, rows)
    last = int(conn.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
    first = last - len(drafts) + 1
    stored: int = conn.exec_driver_sql(
        "SELECT count(*) FROM reminders WHERE id BETWEEN ? AND ?", (first, last)
    ).scalar_one()
    if stored != len(drafts):
        raise StoreError("bulk insert: ids were not consecutive")
    return _records(range(first, first + len(drafts)), drafts, fires, created_at)


def _records(
    ids: Iterable[int],
    drafts: Sequence[ReminderDraft],
    fires: Sequence[datetime],
    created_at: datetime,
) -> list[ReminderRecord]:
    """The records of freshly inserted drafts, without reading them back (both bulk paths)."""
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


class ReminderTables(StoreBase):
    """Reminders, and tracked cases with their deadlines and reminders."""

    def _insert_reminders(
        self, conn: Connection, drafts: Sequence[ReminderDraft], created_at: datetime
    ) -> list[ReminderRecord]:
        if not drafts:
            return []
        if self._dialect == "postgresql":
            return _pg_insert_reminders(conn, drafts, created_at)
        return _sqlite_insert_reminders(conn, drafts, created_at)

    # -- reminders --------------------------------------------------------------------------

    def add_reminder(self, draft: ReminderDraft) -> ReminderRecord:
        return self.add_reminders([draft])[0]

    def add_reminders(self, drafts: Iterable[ReminderDraft]) -> list[ReminderRecord]:
        """All or nothing, in one multi-row INSERT ... RETURNING (100,000 in a few seconds)."""
        drafts = list(drafts)
        for d in drafts:
            _check_draft(d)
        with self._tx() as s:
            records = self._insert_reminders(s, drafts, _now())
        if len(records) >= ANALYZE_AFTER:
            self.analyze()
        return records

    def analyze(self) -> None:
        """Refresh PostgreSQL's statistics on the reminders table. Without them, after a bulk
        insert, the planner does not know the due index is selective and scans the whole table
        on every wake-up. (SQLite plans from the index shapes alone.)"""
        if self._dialect != "postgresql":
            return
        with self._tx() as s:
            s.execute(text("ANALYZE reminders"))

    def get_reminders(self, ids: Iterable[int]) -> dict[int, ReminderRecord]:
        """Several reminders by id in one query (recovery after a crash)."""
        wanted = sorted(set(ids))
        found: dict[int, ReminderRecord] = {}
        with self._tx(read_only=True) as s:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for row in s.execute(select(REMINDERS).where(REMINDERS.c.id.in_(chunk))):
                    found[row.id] = _reminder(row)
        return found

    def next_due(self) -> datetime | None:
        """The earliest next fire time of any active reminder: when the scheduler must wake."""
        c = REMINDERS.c
        stmt = select(func.min(c.next_fire_at)).where(c.status == "active")
        with self._tx(read_only=True) as s:
            value = s.execute(stmt).scalar()
        if value is None:
            return None
        # func.min loses the column type on SQLite (text back); parse it the column's way.
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return _aware(value if value.tzinfo else value.replace(tzinfo=UTC), "next_due")

    def get_reminder(self, reminder_id: int) -> ReminderRecord | None:
        with self._tx(read_only=True) as s:
            row = s.execute(select(REMINDERS).where(REMINDERS.c.id == reminder_id)).first()
        return _reminder(row) if row is not None else None

    def _list_by(
        self,
        column: str,
        platform: str,
        value: str,
        active_only: bool,
        workspace_id: str | None,
    ) -> list[ReminderRecord]:
        c = REMINDERS.c
        stmt = select(REMINDERS).where(c.platform == platform, c[column] == value)
        if workspace_id is not None:
            stmt = stmt.where(c.workspace_id == workspace_id)
        if active_only:
            stmt = stmt.where(c.status == "active")
        stmt = stmt.order_by(c.next_fire_at.asc().nulls_last(), c.id)
        with self._tx(read_only=True) as s:
            return [_reminder(r) for r in s.execute(stmt)]

    def list_reminders_for_owner(
        self,
        platform: str,
        owner_id: str,
        *,
        active_only: bool = True,
        workspace_id: str | None = None,
    ) -> list[ReminderRecord]:
        """``workspace_id`` limits the list to one workspace (a walled asker's scope)."""
        return self._list_by("owner_id", platform, owner_id, active_only, workspace_id)

    def list_reminders_for_target(
        self,
        platform: str,
        target_id: str,
        *,
        active_only: bool = True,
        workspace_id: str | None = None,
    ) -> list[ReminderRecord]:
        return self._list_by("target_id", platform, target_id, active_only, workspace_id)

    def reminders_of_workspace(self, platform: str, workspace_id: str) -> list[ReminderRecord]:
        """Active reminders stored for one workspace (to unschedule before it is forgotten)."""
        c = REMINDERS.c
        stmt = select(REMINDERS).where(
            c.platform == platform, c.workspace_id == workspace_id, c.status == "active"
        )
        with self._tx(read_only=True) as s:
            return [_reminder(r) for r in s.execute(stmt)]

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

    def cancel_reminder(self, reminder_id: int, *, workspace_id: str | None = None) -> bool:
        """True if an active reminder was cancelled; cancelled is final. With
        ``workspace_id``, only a reminder of that workspace (a walled asker's scope)."""
        c = REMINDERS.c
        stmt = (
            update(REMINDERS)
            .where(c.id == reminder_id, c.status == "active")
            .values(status="cancelled", next_fire_at=None)
        )
        if workspace_id is not None:
            stmt = stmt.where(c.workspace_id == workspace_id)
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

    def reschedule(
        self, reminder_id: int, next_fire_at: datetime, *, workspace_id: str | None = None
    ) -> bool:
        """Snooze: move the next fire; revives a "done" one-off (snoozed after it was sent).
        With ``workspace_id``, only a reminder of that workspace."""
        c = REMINDERS.c
        stmt = (
            update(REMINDERS)
            .where(c.id == reminder_id, c.status.in_(("active", "done")))
            .values(next_fire_at=_aware(next_fire_at, "next_fire_at"), status="active")
        )
        if workspace_id is not None:
            stmt = stmt.where(c.workspace_id == workspace_id)
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
        self, platform: str, owner_id: str, *, workspace_id: str | None = None
    ) -> list[tuple[CaseRecord, list[TrackedDeadlineRecord]]]:
        cases_stmt = select(CASES).where(CASES.c.platform == platform, CASES.c.owner_id == owner_id)
        if workspace_id is not None:
            cases_stmt = cases_stmt.where(CASES.c.workspace_id == workspace_id)
        cases_stmt = cases_stmt.order_by(CASES.c.event_date, CASES.c.id)
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
