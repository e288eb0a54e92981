"""The delivery ledger and the scheduler's leader terms.

Reminders must never be lost or sent twice, so the ledger leans on a UNIQUE
(reminder_id, fire_at) constraint and INSERT ... ON CONFLICT DO NOTHING rather than on any
read-then-write check that two workers could both pass; a leader's term (epoch) fences every
write of a deposed leader.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    TypeDecorator,
    any_,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect

from scheduler.store.base import (
    DELIVERIES,
    LEADER_TERMS,
    REMINDERS,
    StoreBase,
    _aware,
    _check_choice,
    _ConstraintViolation,
    _now,
)
from scheduler.store.errors import FencedOut
from scheduler.store.models import UTCDateTime
from scheduler.store.records import (
    DELIVERY_ACTIONS,
    DELIVERY_STATUSES,
    REMINDER_STATUSES,
    UNFINISHED_DELIVERY_STATUSES,
    DeliveryRecord,
    LedgerMark,
    ReminderRecord,
)

# A delivery error is a code ("http_429", "discord_50007"), never platform message text, which
# can quote the reminder back.
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
SCHEDULER_TERM: Final = "scheduler"


def _reminder(row: Any) -> ReminderRecord:
    return ReminderRecord(*row)  # the fields mirror the columns, in order (see reminders.py)


def _delivery(row: Any) -> DeliveryRecord:
    return DeliveryRecord(**row._asdict())


# What the scheduler decides for one due reminder: the occurrences to deliver now (its due
# time and any repeats that also fell due while the bot was down) and the next fire time
# (None: the reminder is done). Computed inside the claim transaction, so the advance and the
# claim commit together.
Plan = Callable[[ReminderRecord], tuple[Sequence[datetime], datetime | None]]


@dataclass(frozen=True, slots=True)
class Claimed:
    """One occurrence this caller now owns: ``missed`` rows are already final in the ledger
    (too old for the grace window); the others are "claimed" and must be sent."""

    reminder: ReminderRecord
    fire_at: datetime
    missed: bool


def _key(reminder_id: int, fire_at: datetime) -> tuple[int, datetime]:
    return (reminder_id, _aware(fire_at, "fire_at"))


class _JSONIds(TypeDecorator[list[int]]):
    """A list of ids bound as one JSON text, for SQLite's ``json_each``."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: list[int] | None, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(value)


# What ``act_on_delivery`` found: the action was applied, or why not.
ACTED: Final = "acted"
ALREADY: Final = "already"  # this delivery was acted on before (a double click)
STALE: Final = "stale"  # the reminder has been delivered again since
NO_DELIVERY: Final = "no_delivery"  # nothing of it was delivered yet


class Ledger(StoreBase):
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

    # -- the queue: claiming due reminders, batched ledger writes ----------------------------

    def claim_due(
        self,
        now: datetime,
        plan: Plan,
        *,
        limit: int,
        missed_before: datetime,
        epoch: int | None = None,
        only: tuple[int, datetime] | None = None,
    ) -> tuple[list[Claimed], int]:
        """Claim up to ``limit`` due active reminders in one transaction; returns the claimed
        occurrences and how many reminders were taken (``limit`` of them: call again).

        The reminders are locked, advanced by ``plan`` and their ledger rows inserted in the
        same transaction, so a crash leaves either all of it or none. On PostgreSQL the rows
        are taken FOR UPDATE SKIP LOCKED: two schedulers (a deposed leader still finishing a
        chunk and its successor) never take the same reminder, and with ``epoch`` the term
        check refuses a deposed one outright. An occurrence already in the ledger (claimed by
        an earlier run) is skipped: that is what makes a second firing send nothing.
        Occurrences older than ``missed_before`` go straight in as "missed".

        ``only`` = (reminder id, fire time) claims that one reminder if it is still due at
        that time, whatever the clock says (a manual fire; tests).
        """
        c = REMINDERS.c
        stmt = select(REMINDERS).where(c.status == "active")
        if only is None:
            stmt = stmt.where(c.next_fire_at <= _aware(now, "now"))
        else:
            stmt = stmt.where(c.id == only[0], c.next_fire_at == _aware(only[1], "fire_at"))
        stmt = stmt.order_by(c.next_fire_at, c.id).limit(limit)
        if self._dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        cutoff = _aware(missed_before, "missed_before")
        claimed_at = _now()
        with self._tx() as s:
            self._check_term(s, epoch)
            reminders = [_reminder(row) for row in s.execute(stmt)]
            if not reminders:
                return [], 0
            # The common case, one occurrence due at the stored next fire time, is copied
            # into the ledger by the database itself (no per-row values to bind); catch-up
            # repeats and missed occurrences go in row by row.
            simple: list[ReminderRecord] = []
            other: list[tuple[ReminderRecord, datetime, bool]] = []
            advances: dict[tuple[datetime | None, str], list[int]] = {}
            for reminder in reminders:
                fires, nxt = plan(reminder)
                if len(fires) == 1 and fires[0] == reminder.next_fire_at and fires[0] >= cutoff:
                    simple.append(reminder)
                else:
                    for fire in fires:
                        fire = _aware(fire, "fire_at")
                        other.append((reminder, fire, fire < cutoff))
                advance = (None, "done") if nxt is None else (_aware(nxt, "next_fire_at"), "active")
                advances.setdefault(advance, []).append(reminder.id)
            fresh: set[int] = set()  # reminders whose due occurrence was copied just now
            won: set[tuple[int, datetime]] = set()
            if simple:
                copied = self._statement("claim_copy", self._build_claim_copy)
                fresh = set(
                    s.execute(
                        copied, {"ids": [r.id for r in simple], "claimed_at": claimed_at}
                    ).scalars()
                )
            if other:
                rows = [
                    {
                        "reminder_id": r.id,
                        "fire_at": fire,
                        "status": "missed" if missed else "claimed",
                        "attempts": 0,
                        "late": missed,
                        "claimed_at": claimed_at,
                    }
                    for r, fire, missed in other
                ]
                insert = (
                    self._insert(DELIVERIES)
                    .on_conflict_do_nothing(index_elements=["reminder_id", "fire_at"])
                    .returning(DELIVERIES.c.reminder_id, DELIVERIES.c.fire_at)
                )
                won.update(_key(row.reminder_id, row.fire_at) for row in s.execute(insert, rows))
            self._advance(s, advances)
        ours = [
            Claimed(r, r.next_fire_at, False)  # type: ignore[arg-type]
            for r in simple
            if r.id in fresh
        ]
        ours.extend(Claimed(r, fire, missed) for r, fire, missed in other if (r.id, fire) in won)
        return ours, len(reminders)

    def _advance(
        self, s: Connection, advances: dict[tuple[datetime | None, str], list[int]]
    ) -> None:
        """Move claimed reminders to their next fire time (or "done"): one statement per
        distinct next time, which in a burst is a handful (all one-shots share "done", a
        daily repeat at 8:00 shares tomorrow 8:00); reminders with a next time of their own
        go in one executemany."""
        c = REMINDERS.c
        single: list[dict[str, Any]] = []
        for (nxt, status), ids in advances.items():
            if len(ids) == 1:
                single.append({"b_id": ids[0], "b_next": nxt, "b_status": status})
                continue
            advance = self._statement(
                "advance",
                lambda: (
                    update(REMINDERS)
                    # The status test off the index choice: SQLite took the (status, next
                    # fire) index and walked every active reminder instead of the ids.
                    .where(self._among(c.id), c.status.concat("") == "active")
                    .values(next_fire_at=bindparam("b_next"), status=bindparam("b_status"))
                ),
            )
            s.execute(advance, {"ids": ids, "b_next": nxt, "b_status": status})
        if single:
            s.execute(
                update(REMINDERS)
                .where(c.id == bindparam("b_id"), c.status == "active")
                .values(next_fire_at=bindparam("b_next"), status=bindparam("b_status")),
                single,
            )

    def _among(self, column: ColumnElement[int]) -> ColumnElement[bool]:
        """``column IN :ids`` with the ids as one parameter, so the statement text is the same
        whatever their count (compiled once, planned once): ``= ANY(:ids)`` with an array on
        PostgreSQL, ``IN (SELECT value FROM json_each(:ids))`` on SQLite, which has no arrays
        (an expanded IN list re-rendered 500 placeholders at every execution)."""
        if self._dialect == "postgresql":
            return column == any_(bindparam("ids", type_=ARRAY(Integer)))
        ids: Select[tuple[Any]] = select(literal_column("value")).select_from(
            func.json_each(bindparam("ids", type_=_JSONIds()))
        )
        return column.in_(ids.scalar_subquery())

    def _build_claim_copy(self) -> Any:
        """INSERT INTO deliveries ... SELECT the due occurrence of each reminder in :ids."""
        c = REMINDERS.c
        return (
            self._insert(DELIVERIES)
            .from_select(
                ["reminder_id", "fire_at", "status", "attempts", "late", "claimed_at"],
                select(
                    c.id,
                    c.next_fire_at,
                    literal("claimed"),
                    literal(0),
                    literal(False),
                    bindparam("claimed_at", type_=UTCDateTime()),
                ).where(self._among(c.id)),
            )
            .on_conflict_do_nothing(index_elements=["reminder_id", "fire_at"])
            .returning(DELIVERIES.c.reminder_id)
        )

    def apply_ledger(
        self,
        begins: Sequence[tuple[int, datetime, int]],
        marks: Sequence[LedgerMark],
        *,
        epoch: int | None = None,
    ) -> set[tuple[int, datetime]]:
        """Many ledger moves in one transaction: ``begins`` (reminder id, fire time, attempts)
        go "sending" as ``begin_send`` does, ``marks`` move rows as ``mark_delivery`` does.
        Returns the begun rows that were still ours to send. With begins and ``epoch``, raises
        FencedOut (writing nothing) once that leader term has ended; marks alone are never
        fenced, like ``mark_delivery``: a deposed leader still records what it did send.

        Rows moving the same way at the same fire time (in a burst: all of them) share one
        UPDATE ... WHERE fire_at = t AND reminder_id IN (...), through the ledger's unique
        index, instead of a statement per row."""
        starts: dict[tuple[datetime, int], list[int]] = {}
        for reminder_id, fire_at, tries in begins:
            starts.setdefault((_aware(fire_at, "fire_at"), tries), []).append(reminder_id)
        groups: dict[tuple[str, bool | None, str | None, int | None, datetime], list[int]] = {}
        for m in marks:
            _check_choice(m.status, DELIVERY_STATUSES, "status")
            if m.error is not None and not _ERROR_CODE.fullmatch(m.error):
                raise ValueError("error must be a short code like http_429, not message text")
            groups.setdefault(
                (m.status, m.late, m.error, m.attempts, _aware(m.fire_at, "fire_at")), []
            ).append(m.reminder_id)
        ours: set[tuple[int, datetime]] = set()
        with self._tx() as s:
            if starts:
                self._check_term(s, epoch)
            for (fire_at, tries), ids in starts.items():
                begin = self._statement("begin_sends", self._build_begin_sends)
                params = {"b_at": fire_at, "ids": ids, "b_attempts": tries}
                began: list[int] = list(s.execute(begin, params).scalars())
                ours.update((rid, fire_at) for rid in began)
            now = _now()
            for (status, late, error, attempts, fire_at), ids in groups.items():
                values: dict[str, Any] = {"status": status}
                if status == "sent":
                    values["sent_at"] = now
                if late is not None:
                    values["late"] = late
                if error is not None:
                    values["last_error"] = error
                if attempts is not None:
                    values["attempts"] = attempts
                columns = tuple(values)
                move = self._statement(("move", columns), partial(self._build_move, columns))
                params = {f"v_{name}": value for name, value in values.items()}
                s.execute(move, {**params, "b_at": fire_at, "ids": ids})
        return ours

    def _build_begin_sends(self) -> Any:
        """Rows of :ids at fire time :b_at still unfinished go "sending"; returns their ids.

        The status test is kept out of the index choice (``status || ''``): both SQLite and
        PostgreSQL would otherwise walk the status index, where every row of a burst (and,
        on PostgreSQL, every dead version of it) is "claimed" or "sending", instead of going
        straight to each row through the unique (reminder_id, fire_at) one."""
        c = DELIVERIES.c
        return (
            update(DELIVERIES)
            .where(
                c.fire_at == bindparam("b_at"),
                self._among(c.reminder_id),
                c.status.concat("").in_(UNFINISHED_DELIVERY_STATUSES),
            )
            .values(status="sending", attempts=bindparam("b_attempts"))
            .returning(c.reminder_id)
        )

    def _build_move(self, columns: tuple[str, ...]) -> Any:
        """Rows of :ids at fire time :b_at get ``columns`` set (``v_<name>`` parameters)."""
        c = DELIVERIES.c
        return (
            update(DELIVERIES)
            .where(c.fire_at == bindparam("b_at"), self._among(c.reminder_id))
            .values({name: bindparam(f"v_{name}") for name in columns})
        )

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
        expect: str | None = None,
    ) -> bool:
        """Move a ledger row along; ``error`` is a short code, never a message. False if no row,
        or, with ``expect``, if the row is no longer in that status (another replica's
        recovery settled it first: the caller then does nothing more, such as notifying)."""
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
        if expect is not None:
            _check_choice(expect, DELIVERY_STATUSES, "expect")
            stmt = stmt.where(c.status == expect)
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

    # -- actions on a delivered reminder ------------------------------------------------------

    def latest_delivery(self, reminder_id: int) -> DeliveryRecord | None:
        """The reminder's most recent ledger row (by fire time), whatever its status."""
        c = DELIVERIES.c
        stmt = (
            select(DELIVERIES)
            .where(c.reminder_id == reminder_id)
            .order_by(c.fire_at.desc(), c.id.desc())
            .limit(1)
        )
        with self._tx(read_only=True) as s:
            row = s.execute(stmt).first()
        return _delivery(row) if row is not None else None

    def act_on_delivery(
        self,
        reminder_id: int,
        fire_at: datetime,
        action: str,
        *,
        next_fire_at: datetime | None,
        status: str,
    ) -> tuple[str, str | None]:
        """Record ``action`` on the delivery (reminder, fire time) and set the reminder's next
        fire and status, in one transaction, only if that delivery is still the reminder's
        latest and its last action was not this same one. Returns (outcome, the action
        already recorded).

        The guard is in the UPDATE's WHERE, not a read before it: two presses of one button
        that arrive together (a double click, two replicas) cannot both pass it. A different
        button on the same message still works (Skip, then Stop).
        """
        _check_choice(action, DELIVERY_ACTIONS, "action")
        _check_choice(status, REMINDER_STATUSES, "status")
        fire_at = _aware(fire_at, "fire_at")
        c = DELIVERIES.c
        with self._tx() as s:
            latest = s.execute(
                select(func.max(c.fire_at)).where(c.reminder_id == reminder_id)
            ).scalar()
            if latest is None:
                return NO_DELIVERY, None
            if latest != fire_at:  # max() keeps the column's type: aware UTC on every engine
                return STALE, None
            claimed = s.execute(
                update(DELIVERIES)
                .where(
                    c.reminder_id == reminder_id,
                    c.fire_at == fire_at,
                    or_(c.action.is_(None), c.action != action),
                )
                .values(action=action, acted_at=_now())
            ).rowcount
            if claimed != 1:
                before = s.execute(
                    select(c.action).where(c.reminder_id == reminder_id, c.fire_at == fire_at)
                ).scalar()
                return ALREADY, before
            r = REMINDERS.c
            s.execute(
                update(REMINDERS)
                .where(r.id == reminder_id, r.status != "cancelled")
                .values(
                    next_fire_at=None if next_fire_at is None else _aware(next_fire_at, "next"),
                    status=status,
                )
            )
            return ACTED, action
