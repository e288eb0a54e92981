"""The Store: every public method is one short transaction returning frozen records.

Its parts live beside it: ``reminders`` (reminders, tracked cases), ``preferences``
(settings), ``feeds`` (calendar feeds) and ``ledger`` (deliveries, leader terms), over ``base``
(tables, transactions).

Reminders must never be lost or sent twice, so the delivery ledger leans on a UNIQUE
(reminder_id, fire_at) constraint and INSERT ... ON CONFLICT DO NOTHING rather than on any
read-then-write check that two workers could both pass.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, or_, select

from scheduler.store.base import (
    CASES,
    DEADLINES,
    DELIVERIES,
    DIRECT_CHANNELS,
    FEEDS,
    READ_ONLY_OPTION,
    REMINDERS,
    SETTINGS,
    describe_db_error,
)
from scheduler.store.direct_channels import DirectChannels
from scheduler.store.feeds import CalendarFeeds
from scheduler.store.ledger import SCHEDULER_TERM, Ledger
from scheduler.store.preferences import Preferences
from scheduler.store.reminders import ReminderTables

__all__ = ["READ_ONLY_OPTION", "SCHEDULER_TERM", "Store", "describe_db_error"]


class Store(ReminderTables, Preferences, CalendarFeeds, DirectChannels, Ledger):
    """Persistence for reminders, tracked cases, settings, calendar feeds, DM channel ids and
    the ledger."""

    # -- privacy ----------------------------------------------------------------------------

    def forget_user(
        self, platform: str, user_id: str, *, workspace_id: str | None = None
    ) -> dict[str, int]:
        """Delete everything a user owns on one platform, in one transaction; counts per table.

        With ``workspace_id`` (a walled asker), only what they own in that workspace: another
        workspace's data is not theirs to delete from here, even under the same user id.
        Reminders of the user's cases go too even if, one day, someone else owned them, and so
        do reminders someone else set for them (their id is the recipient).
        """
        case_where = [CASES.c.platform == platform, CASES.c.owner_id == user_id]
        rem = REMINDERS.c
        owned = [
            rem.platform == platform,
            or_(
                rem.owner_id == user_id,
                # Set for them by someone else: the row holds their id as its recipient.
                and_(rem.target_kind == "user", rem.target_id == user_id),
            ),
        ]
        setting_where = [
            SETTINGS.c.platform == platform,
            SETTINGS.c.scope == "user",
            SETTINGS.c.scope_id == user_id,
        ]
        feed_where = [FEEDS.c.platform == platform, FEEDS.c.owner_id == user_id]
        dm_where = [DIRECT_CHANNELS.c.platform == platform, DIRECT_CHANNELS.c.user_id == user_id]
        if workspace_id is not None:
            case_where.append(CASES.c.workspace_id == workspace_id)
            owned.append(rem.workspace_id == workspace_id)
            setting_where.append(SETTINGS.c.workspace_id == workspace_id)
            feed_where.append(FEEDS.c.workspace_id == workspace_id)
            dm_where.append(DIRECT_CHANNELS.c.workspace_id == workspace_id)
        case_ids = select(CASES.c.id).where(*case_where)
        reminder_ids = select(rem.id).where(
            rem.platform == platform, or_(and_(*owned), rem.case_id.in_(case_ids))
        )
        return self._delete_all(
            case_ids, reminder_ids, case_where, setting_where, feed_where, dm_where
        )

    def forget_workspace(self, platform: str, workspace_id: str) -> dict[str, int]:
        """Delete everything stored for one workspace (it uninstalled iepbot): its reminders,
        tracked cases, its people's settings and its defaults, with their ledger rows."""
        case_where = [CASES.c.platform == platform, CASES.c.workspace_id == workspace_id]
        case_ids = select(CASES.c.id).where(*case_where)
        rem = REMINDERS.c
        reminder_ids = select(rem.id).where(
            rem.platform == platform,
            or_(rem.workspace_id == workspace_id, rem.case_id.in_(case_ids)),
        )
        setting_where = [SETTINGS.c.platform == platform, SETTINGS.c.workspace_id == workspace_id]
        feed_where = [FEEDS.c.platform == platform, FEEDS.c.workspace_id == workspace_id]
        dm_where = [
            DIRECT_CHANNELS.c.platform == platform,
            DIRECT_CHANNELS.c.workspace_id == workspace_id,
        ]
        return self._delete_all(
            case_ids, reminder_ids, case_where, setting_where, feed_where, dm_where
        )

    def _delete_all(
        self,
        case_ids: Select[Any],
        reminder_ids: Select[Any],
        case_where: list[ColumnElement[bool]],
        setting_where: list[ColumnElement[bool]],
        feed_where: list[ColumnElement[bool]],
        dm_where: list[ColumnElement[bool]],
    ) -> dict[str, int]:
        with self._tx() as s:
            counts = {
                "deliveries": s.execute(
                    delete(DELIVERIES).where(DELIVERIES.c.reminder_id.in_(reminder_ids))
                ).rowcount,
                "reminders": s.execute(
                    delete(REMINDERS).where(REMINDERS.c.id.in_(reminder_ids))
                ).rowcount,
            }
            counts["tracked_deadlines"] = s.execute(
                delete(DEADLINES).where(DEADLINES.c.case_id.in_(case_ids))
            ).rowcount
            counts["tracked_cases"] = s.execute(delete(CASES).where(*case_where)).rowcount
            counts["settings"] = s.execute(delete(SETTINGS).where(*setting_where)).rowcount
            counts["calendar_feeds"] = s.execute(delete(FEEDS).where(*feed_where)).rowcount
            counts["direct_channels"] = s.execute(delete(DIRECT_CHANNELS).where(*dm_where)).rowcount
        self._scrub_log()
        return counts

    def _scrub_log(self) -> None:
        """After a deletion of people's data: SQLite keeps the deleted texts in its write-ahead
        log until a checkpoint, so copy the log into the (zeroed: secure_delete) pages and empty
        it now. On the raw connection (autocommit), not through SQLAlchemy, which would BEGIN
        first and leave the checkpoint blocked."""
        if self.dialect != "sqlite":
            return
        raw = self.engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
