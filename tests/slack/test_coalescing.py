"""No Slack work per delivery that can wait: Home tab refreshes after deliveries share one
views.publish per user, and channel membership is asked once per channel per expiry."""

from __future__ import annotations

import asyncio
from typing import Any

from bots.slack.home import HomeRefresher
from bots.slack.installations import Clients
from bots.slack.people import MEMBERS_TTL, Directory
from scheduler.delivery.limits import Rate


class Published:
    """What HomeRefresher publishes, with the loop time it did so (no Slack app)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []

    async def __call__(self, user_id: str, team_id: str, status: str | None = None) -> None:
        self.calls.append((user_id, asyncio.get_running_loop().time()))


async def test_deliveries_share_one_home_refresh_and_a_click_is_not_kept_waiting() -> None:
    published = Published()
    home = HomeRefresher(published, coalesce_seconds=0.3)
    start = asyncio.get_running_loop().time()
    for _ in range(50):  # fifty reminders delivered to one owner in a burst
        home.refresh("U1", "T1", coalesce=True)
    home.refresh("U2", "T1", coalesce=True)
    await home.drain()
    assert sorted(u for u, _ in published.calls) == ["U1", "U2"]
    assert all(at - start >= 0.25 for _, at in published.calls)
    # The user opens the tab while a delivery's refresh waits: it goes out at once.
    published.calls.clear()
    clicked = asyncio.get_running_loop().time()
    home.refresh("U1", "T1", coalesce=True)
    home.refresh("U1", "T1")
    await home.drain()
    assert len(published.calls) == 1 and published.calls[0][1] - clicked < 0.2


async def test_refreshes_after_deliveries_to_many_people_take_turns_per_workspace() -> None:
    """Deliveries to six people: two refreshes at once (the burst), then one per 0.1 s, in
    the order they were delivered; another workspace has a pace of its own."""
    published = Published()
    home = HomeRefresher(published, coalesce_seconds=0.05, pace=Rate(burst=2, per_second=10))
    start = asyncio.get_running_loop().time()
    for i in range(6):
        home.refresh(f"U{i}", "T1", coalesce=True)
    home.refresh("U9", "T2", coalesce=True)
    await home.drain()
    times = {user: at - start for user, at in published.calls}
    ours = sorted(times[f"U{i}"] for i in range(6))
    assert all(later - earlier >= 0.08 for earlier, later in zip(ours[1:], ours[2:], strict=False))
    assert ours[-1] >= 0.05 + 4 * 0.1 - 0.02  # four waited for a turn
    assert times["U9"] < ours[-1]  # T2 did not queue behind T1


async def test_stopping_drops_refreshes_waiting_for_their_turn_but_not_a_click() -> None:
    published = Published()
    home = HomeRefresher(published, coalesce_seconds=30, pace=Rate(burst=1, per_second=0.01))
    home.refresh("U1", "T1", coalesce=True)  # a delivery's: waits 30 s for company
    home.refresh("U2", "T1", coalesce=True)
    home.refresh("U2", "T1")  # U2 opened the tab
    await home.close()
    assert [user for user, _ in published.calls] == ["U2"]


async def test_an_uninstalled_workspace_gets_no_pending_refresh() -> None:
    published = Published()
    home = HomeRefresher(published, coalesce_seconds=0.05)
    home.refresh("U1", "T1", coalesce=True)
    home.refresh("U2", "T2", coalesce=True)
    home.forget_workspace("T1")
    await home.drain()
    assert [user for user, _ in published.calls] == ["U2"]


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
