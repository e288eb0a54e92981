"""No Slack work per delivery that can wait: Home tab refreshes after deliveries share one
views.publish per user, and channel membership is asked once per channel per expiry."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bots.slack import app as slack_app
from bots.slack.app import SlackBot
from bots.slack.installations import Clients
from bots.slack.people import MEMBERS_TTL, Directory


class HomeOnly(SlackBot):
    """The real refresh logic with publish_home recorded instead of sent (no Slack app)."""

    def __init__(self) -> None:  # noqa: D107 - deliberately skips the app wiring
        self._tasks: set[asyncio.Task[Any]] = set()
        self._home_dirty: dict[str, str] = {}
        self._home_running: set[str] = set()
        self._home_status: dict[str, str] = {}
        self._home_wake: dict[str, asyncio.Event] = {}
        self.published: list[tuple[str, float]] = []

    async def publish_home(self, user_id: str, team_id: str, status: str | None = None) -> None:
        self.published.append((user_id, asyncio.get_running_loop().time()))


async def test_deliveries_share_one_home_refresh_and_a_click_is_not_kept_waiting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(slack_app, "HOME_COALESCE_SECONDS", 0.3)
    bot = HomeOnly()
    start = asyncio.get_running_loop().time()
    for _ in range(50):  # fifty reminders delivered to one owner in a burst
        bot.refresh_home("U1", "T1", coalesce=True)
    bot.refresh_home("U2", "T1", coalesce=True)
    await bot.drain()
    assert sorted(u for u, _ in bot.published) == ["U1", "U2"]
    assert all(at - start >= 0.25 for _, at in bot.published)
    # The user opens the tab while a delivery's refresh waits: it goes out at once.
    bot.published.clear()
    clicked = asyncio.get_running_loop().time()
    bot.refresh_home("U1", "T1", coalesce=True)
    bot.refresh_home("U1", "T1")
    await bot.drain()
    assert len(bot.published) == 1 and bot.published[0][1] - clicked < 0.2


class MembersClient:
    def __init__(self) -> None:
        self.calls = 0

    async def conversations_members(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        await asyncio.sleep(0.01)
        return {"members": ["U1", "U2"], "response_metadata": {"next_cursor": ""}}


async def test_membership_is_asked_once_per_channel_until_it_expires() -> None:
    now = [0.0]
    client = MembersClient()
    clients = Clients(lambda _token: client, token="xoxb-one-school")  # type: ignore[arg-type,return-value]
    directory = Directory(clients, clock=lambda: now[0])
    # Three channel reminders set at once by one user: one lookup between them.
    answers = await asyncio.gather(*(directory.is_member("T1", "U1", "C1") for _ in range(3)))
    assert answers == [True, True, True] and client.calls == 1
    # The whole (one-page) list was kept: other users are answered from it.
    assert await directory.is_member("T1", "U2", "C1") and client.calls == 1
    assert not await directory.is_member("T1", "U3", "C1") and client.calls == 1
    now[0] += MEMBERS_TTL + 1
    assert await directory.is_member("T1", "U1", "C1") and client.calls == 2
