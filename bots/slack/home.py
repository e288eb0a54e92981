"""When a Home tab is republished: at once for the person's own actions, later and paced for
deliveries.

A delivered reminder changes its owner's Home tab, but nobody is waiting on that: Slack sends
``app_home_opened`` whenever someone opens the tab, and that republishes it at once. So a
delivery's refresh waits ``HOME_COALESCE_SECONDS`` (sharing one views.publish with the owner's
other deliveries meanwhile) and then takes its turn at the workspace's views.publish pace. A
burst of 2,000 deliveries to 2,000 people therefore does not become 2,000 Home views built
from the store and published while the burst is still going out, nor 2,000 calls against a
method Slack limits per workspace (Tier 4, about 100 a minute with bursts:
https://api.slack.com/methods/views.publish). A person's own action (opening the tab, a button,
a command) publishes at once, a pending paced refresh with it, using a turn only if one is free.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from scheduler.delivery.limits import Rate, TokenBucket

Home = tuple[str, str]  # (workspace, user)
Publish = Callable[[str, str, "str | None"], Awaitable[None]]  # (user, workspace, status)

HOME_COALESCE_SECONDS = 3.0
# views.publish per workspace for refreshes nobody waits on: Tier 4's 100 a minute, with a
# burst of 20 so a few deliveries' refreshes are not held back at all.
HOME_PACE = Rate(burst=20, per_second=100 / 60)


class HomeRefresher:
    """Refreshes for one user never overlap, and changes made during a refresh trigger exactly
    one more. ``publish`` builds and sends the view."""

    def __init__(
        self,
        publish: Publish,
        *,
        coalesce_seconds: float | None = None,
        pace: Rate | None = None,
    ) -> None:
        self.publish = publish
        self.coalesce_seconds = coalesce_seconds
        self.pace = pace or HOME_PACE
        self._dirty: dict[Home, None] = {}  # waiting for a refresh
        self._running: set[Home] = set()
        self._status: dict[Home, str] = {}
        self._wake: dict[Home, asyncio.Event] = {}  # set: publish now
        self._urgent: set[Home] = set()  # someone acted: never dropped, never paced
        self._buckets: dict[str, TokenBucket] = {}  # per workspace
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing = False

    def refresh(
        self, user_id: str, team_id: str, *, status: str | None = None, coalesce: bool = False
    ) -> None:
        """Republish a user's Home tab: at once, or (``coalesce``: a reminder was delivered)
        after the coalescing wait, at the workspace's pace."""
        key = (team_id, user_id)
        self._dirty[key] = None
        if status is not None:
            self._status[key] = status
        if not coalesce:
            self._urgent.add(key)
            if (wake := self._wake.get(key)) is not None:
                wake.set()
        if key not in self._running:
            self._running.add(key)
            wake = self._wake[key] = asyncio.Event()
            if not coalesce:
                wake.set()
            task = asyncio.ensure_future(self._loop(key, wake))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def forget_workspace(self, team_id: str) -> None:
        """The workspace uninstalled: nothing pending for it is published."""
        for key in [k for k in self._dirty if k[0] == team_id]:
            self._dirty.pop(key, None)
            self._status.pop(key, None)
        self._buckets.pop(team_id, None)

    async def drain(self) -> None:
        """Wait for every refresh under way or pending (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Stopping: refreshes someone asked for go out; those only waiting for their turn after
        a delivery are dropped (the tab is republished when it is next opened)."""
        self._closing = True
        for wake in self._wake.values():
            wake.set()
        await self.drain()

    def _coalesce_seconds(self) -> float:
        if self.coalesce_seconds is not None:
            return self.coalesce_seconds
        return HOME_COALESCE_SECONDS

    def _bucket(self, team_id: str, now: float) -> TokenBucket:
        bucket = self._buckets.get(team_id)
        if bucket is None:
            bucket = self._buckets[team_id] = TokenBucket(self.pace, now)
        return bucket

    async def _wait(self, wake: asyncio.Event, seconds: float) -> None:
        if seconds > 0 and not wake.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), seconds)

    async def _loop(self, key: Home, wake: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        try:
            while key in self._dirty:
                if not wake.is_set():
                    await self._wait(wake, self._coalesce_seconds())
                    if not wake.is_set():
                        delay = self._bucket(key[0], loop.time()).reserve(loop.time())
                        await self._wait(wake, delay)
                else:  # at once; it takes a turn from the pace only if one is free, so a
                    # rush of people's own actions does not hold deliveries' refreshes back
                    # for longer than the pace itself would
                    self._bucket(key[0], loop.time()).take_if_free(loop.time())
                wake.clear()
                if self._closing and key not in self._urgent:
                    self._dirty.pop(key, None)
                    break
                self._urgent.discard(key)
                if key not in self._dirty:
                    break  # the workspace was forgotten meanwhile
                del self._dirty[key]
                status = self._status.pop(key, None)
                await self.publish(key[1], key[0], status)
        finally:
            self._running.discard(key)
            self._wake.pop(key, None)
            self._urgent.discard(key)
