"""The Store: every public method is one short transaction returning frozen records.

Its parts live beside it: ``reminders`` (reminders, tracked cases), ``preferences``
(settings) and ``ledger`` (deliveries, leader terms), over ``base`` (tables, transactions).

Reminders must never be lost or sent twice, so the delivery ledger leans on a UNIQUE
(reminder_id, fire_at) constraint and INSERT ... ON CONFLICT DO NOTHING rather than on any
read-then-write check that two workers could both pass.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select

from scheduler.store.base import (
    CASES,
    DEADLINES,
    DELIVERIES,
    READ_ONLY_OPTION,
    REMINDERS,
    SETTINGS,
    describe_db_error,
)
from scheduler.store.ledger import SCHEDULER_TERM, Ledger
from scheduler.store.preferences import Preferences
from scheduler.store.reminders import ReminderTables

__all__ = ["READ_ONLY_OPTION", "SCHEDULER_TERM", "Store", "describe_db_error"]


class Store(ReminderTables, Preferences, Ledger):
    """Persistence for reminders, tracked cases, settings and the delivery ledger."""

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
        return counts
