"""What a burst of deliveries costs the Slack adapter, through the real parts (signed slash
commands into bolt, the real runtime on SQLite, the fake Slack recording every call): the Web
API calls share connections, and the Home tab refreshes that deliveries cause wait their turn
at the workspace's pace, while a person opening the tab is answered at once."""

from __future__ import annotations

import time

import pytest

from bots.slack import home
from scheduler.delivery.limits import Rate
from tests.slack.fake_slack import Call


async def _set_and_deliver(slack, users: list[str]) -> None:
    for i, user in enumerate(users, start=1):
        reply = await slack.sender.command(f"remind me in 2 seconds burst {user}", user=user)
        assert reply.status == 200
        await slack.fake.wait_response(i)
    await slack.fake.wait_call("chat.postMessage", len(users), timeout=20)


def _api_calls(slack) -> list[Call]:
    return [c for c in slack.fake.calls if c.peer is not None]


async def test_web_api_calls_reuse_connections(slack) -> None:
    """Commands' and deliveries' calls (users.info, views.publish, conversations.open,
    chat.postMessage) go over a few kept-alive connections, not one new connection each."""
    await _set_and_deliver(slack, ["U1", "U2", "UADMIN"])
    calls = _api_calls(slack)
    assert {"users.info", "views.publish", "conversations.open", "chat.postMessage"} <= {
        c.method for c in calls
    }
    assert len(calls) >= 12
    assert len({c.peer for c in calls}) <= 3, sorted({c.peer for c in calls})


async def test_refreshes_after_deliveries_wait_their_turn_and_opening_the_tab_does_not(
    slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Setting three reminders publishes three Home tabs at once, which use up this slow pace;
    # the deliveries' refreshes are then seconds away, while opening the tab is not.
    monkeypatch.setattr(home, "HOME_COALESCE_SECONDS", 0.05)
    monkeypatch.setattr(home, "HOME_PACE", Rate(burst=1, per_second=0.1))
    await slack.adapter.stop()  # started before the patch: start it again with the slow pace
    await slack.adapter.start(slack.ctx)
    slack.sender.events_url = slack.adapter.url
    users = ["U1", "U2", "UADMIN"]
    await _set_and_deliver(slack, users)
    published = len(slack.fake.called("views.publish"))
    assert published == len(users)  # one per reminder set, none yet for the deliveries
    await slack.sender.event(
        {
            "type": "app_home_opened",
            "user": "U2",
            "channel": "D2",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
    )
    now = await slack.fake.wait_call("views.publish", published + 1)
    assert now[-1]["user_id"] == "U2"
    assert "No reminders yet" in str(now[-1]["view"])  # delivered: gone from the tab
    # Stopping drops the refreshes still waiting for their turn (the tab is republished
    # when opened), so nothing more reaches Slack.
    await slack.adapter.stop()
    assert [c["user_id"] for c in slack.fake.called("views.publish")][published:] == ["U2"]
