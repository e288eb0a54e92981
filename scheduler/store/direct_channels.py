"""Each person's direct-message channel with the bot, per workspace: learned once from the
platform (Slack's conversations.open), then read from here at delivery."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.store.base import DIRECT_CHANNELS, StoreBase, _now

_ID_MAX = 64


class DirectChannels(StoreBase):
    def direct_channel(self, platform: str, workspace_id: str, user_id: str) -> str | None:
        """The DM channel id last learned for this person, or None."""
        c = DIRECT_CHANNELS.c
        stmt = select(c.channel_id).where(
            c.platform == platform, c.workspace_id == workspace_id, c.user_id == user_id
        )
        with self._tx(read_only=True) as s:
            return s.execute(stmt).scalar_one_or_none()

    def remember_direct_channel(
        self, platform: str, workspace_id: str, user_id: str, channel_id: str
    ) -> None:
        """Keep (or replace) the person's DM channel id. Ids only: never a name or text."""
        for name, value in (
            ("workspace_id", workspace_id),
            ("user_id", user_id),
            ("channel_id", channel_id),
        ):
            if (
                not isinstance(value, str)
                or len(value) > _ID_MAX
                or (name != "workspace_id" and not value)
            ):
                raise ValueError(f"{name} must be a platform id of at most {_ID_MAX} characters")
        values = {"channel_id": channel_id, "learned_at": _now()}
        stmt = (
            self._insert(DIRECT_CHANNELS)
            .values(platform=platform, workspace_id=workspace_id, user_id=user_id, **values)
            .on_conflict_do_update(
                index_elements=["platform", "workspace_id", "user_id"], set_=values
            )
        )
        with self._tx() as s:
            s.execute(stmt)
