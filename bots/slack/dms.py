"""Each person's DM channel with the app, known before the reminder is due.

chat.postMessage to a person needs the id of their DM with the app, which only
conversations.open gives. Asking it at every delivery was about a sixth of the bot's CPU in a
burst of DM reminders (issue 18), and an extra request before each post. The id never changes
for the same person and app, so it is asked once -- when a DM reminder is set (the command
handler, or the reachability check that already opens the DM) -- and kept in memory and in the
store (``direct_channels``), where the next start and the other replicas find it. A delivery
whose person is unknown still opens the DM itself.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

PLATFORM = "slack"

# (workspace, user)
Key = tuple[str, str]


class DirectChannelStore(Protocol):
    def direct_channel(self, platform: str, workspace_id: str, user_id: str) -> str | None: ...

    def remember_direct_channel(
        self, platform: str, workspace_id: str, user_id: str, channel_id: str
    ) -> None: ...


class DirectChannels:
    """(workspace, user) -> DM channel id: memory first, then the store, then Slack."""

    def __init__(self, store: DirectChannelStore | None = None) -> None:
        self.store = store
        self._known: dict[Key, str] = {}

    def cached(self, workspace_id: str, user_id: str) -> str | None:
        return self._known.get((workspace_id, user_id))

    async def channel(self, client: AsyncWebClient, workspace_id: str, user_id: str) -> str:
        """The person's DM channel id, asking Slack only when neither memory nor the store
        has it. Raises what conversations.open raises."""
        found = self._known.get((workspace_id, user_id))
        if found is not None:
            return found
        if self.store is not None:
            try:
                found = await asyncio.to_thread(
                    self.store.direct_channel, PLATFORM, workspace_id, user_id
                )
            except Exception as exc:  # only a cache: Slack can still tell us
                log.warning("DM channel lookup failed: %s", type(exc).__name__)
            if found is not None:
                self._known[(workspace_id, user_id)] = found
                return found
        return await self.open(client, workspace_id, user_id)

    async def open(self, client: AsyncWebClient, workspace_id: str, user_id: str) -> str:
        """Ask Slack (conversations.open) and keep the answer."""
        opened = await client.conversations_open(users=user_id)
        channel = str(opened["channel"]["id"])
        await self.learn(workspace_id, user_id, channel)
        return channel

    async def learn(self, workspace_id: str, user_id: str, channel_id: str) -> None:
        """Keep a DM channel id seen elsewhere (a conversations.open made for another reason)."""
        if self._known.get((workspace_id, user_id)) == channel_id:
            return
        self._known[(workspace_id, user_id)] = channel_id
        if self.store is None:
            return
        try:
            await asyncio.to_thread(
                self.store.remember_direct_channel, PLATFORM, workspace_id, user_id, channel_id
            )
        except Exception as exc:  # kept in memory; the next start asks Slack again
            log.warning("could not store a DM channel: %s", type(exc).__name__)

    def forget(self, workspace_id: str, user_id: str) -> None:
        """The person asked to be forgotten: drop what memory holds (the store's row goes with
        the rest of their data)."""
        self._known.pop((workspace_id, user_id), None)

    def forget_workspace(self, workspace_id: str) -> None:
        for key in [k for k in self._known if k[0] == workspace_id]:
            del self._known[key]
