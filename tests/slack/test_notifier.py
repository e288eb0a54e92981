"""SlackNotifier against the fake Web API: Slack's failures become the core's send errors."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.adapter import api_base_url, from_env
from bots.slack.notifier import SlackNotifier, message_args
from scheduler.delivery.messages import (
    Outgoing,
    PermanentSendError,
    RateLimited,
    TransientSendError,
)


def out(target_kind="channel", target_id="C1", text="hello"):
    return Outgoing(
        platform="slack",
        target_kind=target_kind,
        target_id=target_id,
        text=text,
        owner_id="U1",
        workspace_id="T1",
    )


@pytest.fixture
def notifier(fake):
    return SlackNotifier(
        AsyncWebClient(token="xoxb-t", base_url=api_base_url(f"{fake.url}/api"), retry_handlers=[])
    )


async def test_channel_post_is_escaped_with_mentions_off(fake, notifier):
    await notifier.deliver(out(text="<!here> a & b <@U9> @everyone"))
    [post] = fake.called("chat.postMessage")
    assert post["channel"] == "C1"
    assert post["text"] == "&lt;!here&gt; a &amp; b &lt;@U9&gt; @\u2060everyone"
    assert post["parse"] == "none" and post["unfurl_links"] is False


async def test_dm_channel_is_opened_once(fake, notifier):
    await notifier.deliver(out("user", "U7"))
    await notifier.deliver(out("user", "U7"))
    assert len(fake.called("conversations.open")) == 1
    assert [p["channel"] for p in fake.called("chat.postMessage")] == ["D7", "D7"]


async def test_429_becomes_rate_limited_with_retry_after(fake, notifier):
    fake.rate_limit_posts, fake.retry_after = 1, "7"
    with pytest.raises(RateLimited) as caught:
        await notifier.deliver(out())
    assert caught.value.retry_after == 7.0
    assert len([c for c in fake.calls if c.method == "chat.postMessage"]) == 1  # no own retry


async def test_5xx_is_transient_and_gone_channel_is_permanent(fake, notifier):
    fake.fail_posts = 1
    with pytest.raises(TransientSendError):
        await notifier.deliver(out())
    fake.gone.add("C404")
    with pytest.raises(PermanentSendError) as caught:
        await notifier.deliver(out(target_id="C404"))
    assert caught.value.code == "channel_not_found"


async def test_unreachable_slack_is_transient():
    notifier = SlackNotifier(
        AsyncWebClient(token="x", base_url="http://127.0.0.1:9/api/", retry_handlers=[])
    )
    with pytest.raises(TransientSendError):
        await notifier.deliver(out())


def test_long_text_is_cut():
    assert len(message_args("&" * 50_000)["text"]) < 40_000


def test_from_env_modes(fake):
    assert from_env({}, {}) is None
    assert from_env({"SLACK_BOT_TOKEN": "xoxb"}, {}) is None
    socket = from_env({"SLACK_BOT_TOKEN": "xoxb", "SLACK_APP_TOKEN": "xapp"}, {"port": 3000})
    assert socket is not None and socket.mode == "socket"
    http = from_env(
        {"SLACK_BOT_TOKEN": "xoxb", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "http://x/api"},
        {"port": 3001, "host": "127.0.0.1"},
    )
    assert http is not None and http.mode == "http" and http.port == 3001
    assert http.client.base_url == "http://x/api/"
    assert http.notifier.clients.fixed is not None
    assert http.notifier.clients.fixed.retry_handlers == []
    assert http.notifier.platform == "slack"
