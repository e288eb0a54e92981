"""Calendar feeds in the store: one private address per person, kept only as a SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from scheduler.store.base import FEEDS, StoreBase, _now
from scheduler.store.records import FeedOwner


class CalendarFeeds(StoreBase):
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
        c = FEEDS.c
        stmt = select(c.platform, c.owner_id, c.workspace_id, c.lang).where(
            c.secret_hash == secret_hash
        )
        with self._tx(read_only=True) as s:
            row = s.execute(stmt).one_or_none()
        if row is None:
            return None
        return FeedOwner(str(row.platform), str(row.owner_id), row.workspace_id, str(row.lang))
