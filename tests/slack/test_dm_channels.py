"""A person's DM channel with the app is learned when a DM reminder is set and kept in the store,
so a delivery posts straight to it (issue 18: a conversations.open per DM delivery was about a
sixth of the bot's CPU in a burst). Through bolt with signed requests and the fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.adapter import api_base_url
from bots.slack.dms import DirectChannels
from bots.slack.notifier import SlackNotifier
from scheduler.delivery.messages import Outgoing
from scheduler.store import Store, open_store
from tests.replicas.harness import HistoryFakeSlack
from tests.store.pg_helpers import postgres_schema


def _mine(slack, user="U1"):
    return slack.ctx.store.list_reminders_for_owner("slack", user, active_only=False)


def _opened(slack) -> list[str]:
    return [c["users"] for c in slack.fake.called("conversations.open")]


async def _learned(slack) -> None:
    """The answer goes out first; the DM is opened after it, in the background."""
    await slack.fake.wait_call("conversations.open", timeout=10)
    await slack.adapter.bot.drain()


async def test_the_dm_is_learned_when_set_and_not_asked_again_at_delivery(slack):
    await slack.sender.command("remind me in 1 hour bring the draft")
    [confirmation] = await slack.fake.wait_response()
    assert "Reminder #" in confirmation["text"]
    await _learned(slack)
    [stored] = _mine(slack)
    # Asked once, after the answer, and kept where the next start and other replicas look.
    assert _opened(slack) == ["U1"]
    assert slack.ctx.store.direct_channel("slack", stored.workspace_id, "U1") == "D1"

    await slack.ctx.reminders.engine.fire(stored.id, stored.next_fire_at)
    [post] = await slack.fake.wait_call("chat.postMessage", timeout=15)
    assert post["channel"] == "D1" and "bring the draft" in post["text"]
    assert _opened(slack) == ["U1"]  # nothing more on the delivery path


async def test_a_channel_reminder_opens_no_dm(slack):
    await slack.sender.command("remind here in 1 hour agenda")
    await slack.fake.wait_response()
    await slack.adapter.bot.drain()
    assert len(_mine(slack)) == 1 and _opened(slack) == []


async def test_the_reachability_check_for_another_person_keeps_their_dm(slack):
    slack.fake.users["U2"] = {**slack.fake.users["U2"], "team_id": "T1"}
    await slack.sender.command("remind <@U2|pat> in 1 hour call the parent", user="U1")
    await slack.fake.wait_response()
    await slack.adapter.bot.drain()
    [stored] = _mine(slack)
    assert (stored.target_kind, stored.target_id) == ("user", "U2")
    assert _opened(slack) == ["U2"]  # the check's own call, not a second one
    assert slack.ctx.store.direct_channel("slack", stored.workspace_id, "U2") == "D2"
    await slack.ctx.reminders.engine.fire(stored.id, stored.next_fire_at)
    [post] = await slack.fake.wait_call("chat.postMessage", timeout=15)
    assert post["channel"] == "D2" and _opened(slack) == ["U2"]


async def test_forget_drops_the_kept_dm(slack):
    await slack.sender.command("remind me in 1 hour to forget")
    await slack.fake.wait_response()
    await _learned(slack)
    [stored] = _mine(slack)
    assert slack.adapter.dms.cached(stored.workspace_id, "U1") == "D1"
    await slack.sender.command("forget")
    await slack.fake.wait_response(2)
    assert slack.ctx.store.direct_channel("slack", stored.workspace_id, "U1") is None
    assert slack.adapter.dms.cached(stored.workspace_id, "U1") is None


# -- the notifier on a store: a restart, a stale id, an unknown person ---------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        st = open_store(f"sqlite:///{tmp_path / 'dm.sqlite3'}")
        yield st
        st.close()
    else:
        with postgres_schema("iepbot_dms") as url:
            st = open_store(url)
            yield st
            st.close()


@pytest.fixture
async def history() -> AsyncIterator[HistoryFakeSlack]:
    """The fake Slack with conversations.history, as a new leader's check reads it."""
    server = HistoryFakeSlack()
    await server.start()
    yield server
    await server.stop()


def _notifier(fake, store: Store) -> SlackNotifier:
    """A notifier as a fresh process has it: nothing in memory, the store behind it."""
    client = AsyncWebClient(
        token="xoxb-t", base_url=api_base_url(f"{fake.url}/api"), retry_handlers=[]
    )
    return SlackNotifier(client, dms=DirectChannels(store))


def _dm(user: str, text: str = "hello", reminder_id: int | None = None) -> Outgoing:
    return Outgoing(
        platform="slack",
        target_kind="user",
        target_id=user,
        text=text,
        owner_id=user,
        workspace_id="T1",
        reminder_id=reminder_id,
        fire_at=None if reminder_id is None else datetime(2026, 12, 1, 15, tzinfo=UTC),
    )


async def test_after_a_restart_the_kept_dm_is_used_for_posts_and_history(history, store):
    store.remember_direct_channel("slack", "T1", "U7", "D7")
    notifier = _notifier(history, store)
    await notifier.deliver(_dm("U7", reminder_id=5))
    assert [p["channel"] for p in history.called("chat.postMessage")] == ["D7"]
    since = datetime.now(UTC) - timedelta(minutes=1)
    assert await notifier.landed(_dm("U7", reminder_id=5), since) is True
    assert [h["channel"] for h in history.called("conversations.history")] == ["D7"]
    assert history.called("conversations.open") == []


async def test_an_unknown_person_is_opened_once_at_delivery_and_kept(history, store):
    notifier = _notifier(history, store)
    await notifier.deliver(_dm("U8"))
    await notifier.deliver(_dm("U8"))
    assert len(history.called("conversations.open")) == 1
    assert store.direct_channel("slack", "T1", "U8") == "D8"
    assert [p["channel"] for p in history.called("chat.postMessage")] == ["D8", "D8"]


async def test_a_stale_kept_dm_is_opened_afresh_and_replaced(history, store):
    store.remember_direct_channel("slack", "T1", "U9", "DOLD")
    history.gone.add("DOLD")
    notifier = _notifier(history, store)
    await notifier.deliver(_dm("U9", "still arrives"))
    posts = history.called("chat.postMessage")
    assert [p["channel"] for p in posts] == ["DOLD", "D9"]
    assert store.direct_channel("slack", "T1", "U9") == "D9"
