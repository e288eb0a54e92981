"""The delivery ledger and the scheduler's leader terms.

Reminders must never be lost or sent twice, so the ledger leans on a UNIQUE
(reminder_id, fire_at) constraint and INSERT ... ON CONFLICT DO NOTHING rather than on any
read-then-write check that two workers could both pass; a leader's term (epoch) fences every
write of a deposed leader.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, select, update

from scheduler.store.base import (
    DELIVERIES,
    LEADER_TERMS,
    StoreBase,
    _aware,
    _check_choice,
    _ConstraintViolation,
    _now,
)
from scheduler.store.errors import FencedOut
from scheduler.store.records import (
    DELIVERY_STATUSES,
    UNFINISHED_DELIVERY_STATUSES,
    DeliveryRecord,
)

# A delivery error is a code ("http_429", "discord_50007"), never platform message text, which
# can quote the reminder back.
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
SCHEDULER_TERM: Final = "scheduler"


def _delivery(row: Any) -> DeliveryRecord:
    return DeliveryRecord(**row._asdict())


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
