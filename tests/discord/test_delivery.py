"""Reminder delivery through discord.py's own HTTP client to the fake API."""

from __future__ import annotations

import pytest

from bots.discord.notifier import DiscordNotifier
from scheduler.delivery.dispatcher import Dispatcher
from scheduler.delivery.messages import (
    Outgoing,
    PermanentSendError,
    RateLimited,
    TransientSendError,
)
from tests.discord import payloads

PINGS = "@everyone @here <@123456789012345678> <@!123456789012345678> <@&876543210987654321> hi"


def outgoing(target_kind: str = "channel", target: str = payloads.CHANNEL, text: str = "hi"):
    return Outgoing(
        platform="discord", target_kind=target_kind, target_id=target, text=text, reminder_id=7
    )


@pytest.fixture
def notifier(client) -> DiscordNotifier:
    return client.iep.notifier


async def test_channel_message_never_pings(notifier, fake):
    await notifier.deliver(outgoing(text=PINGS))
    [sent] = fake.channel_messages
    assert sent.path.endswith(f"/channels/{payloads.CHANNEL}/messages")
    assert sent.body["allowed_mentions"] == {"parse": []}
    content = sent.body["content"]
    for raw in ("@everyone", "@here", "<@123", "<@!123", "<@&876"):
        assert raw not in content
    assert content.endswith("hi")


async def test_dm_opens_a_channel_then_sends(notifier, fake):
    await notifier.deliver(outgoing("user", payloads.PARENT, "⏰ Reminder (#7): bring the draft"))
    [opened] = fake.find("POST", "/users/@me/channels")
    assert opened.body == {"recipient_id": int(payloads.PARENT)}
    [sent] = fake.channel_messages
    assert fake.dm_user(sent.path.split("/")[-2]) == payloads.PARENT
    assert sent.body["content"].endswith("bring the draft")
    assert sent.body["allowed_mentions"] == {"parse": []}


async def test_dm_blocked_is_permanent_and_remembered(notifier, fake):
    fake.blocked_dm_users.add(payloads.PARENT)
    with pytest.raises(PermanentSendError) as caught:
        await notifier.deliver(outgoing("user", payloads.PARENT))
    assert caught.value.code == "dm_blocked"
    assert notifier.blocked == {int(payloads.PARENT): 7}


async def test_deleted_channel_and_server_error(notifier, fake):
    fake.gone_channels.add(payloads.OTHER_CHANNEL)
    with pytest.raises(PermanentSendError) as gone:
        await notifier.deliver(outgoing(target=payloads.OTHER_CHANNEL))
    assert gone.value.code == "channel_not_found"
    fake.server_error_channels.add(payloads.CHANNEL)
    with pytest.raises(TransientSendError):
        await notifier.deliver(outgoing())


async def test_short_429_is_retried_by_discord_py_after_retry_after(notifier, fake):
    fake.rate_limits["messages"] = 1
    fake.retry_after = 0.2
    await notifier.deliver(outgoing(text="once"))
    limited = fake.find("POST", "/messages", status=429)
    [sent] = fake.channel_messages
    assert len(limited) == 1
    assert sent.at - limited[0].at >= 0.2 * 0.9
    assert sent.body["content"] == "once"


async def test_repeated_429s_become_the_core_rate_limited(notifier, fake):
    fake.rate_limits["messages"] = 5  # discord.py tries five times, then gives up
    fake.retry_after = 0.01
    with pytest.raises(RateLimited) as caught:
        await notifier.deliver(outgoing())
    assert caught.value.retry_after == pytest.approx(0.01)
    assert not fake.channel_messages


async def test_long_429_is_handed_to_the_dispatcher_at_once(notifier, fake):
    fake.rate_limits["messages"] = 1
    fake.retry_after = 120.0  # over max_ratelimit_timeout: discord.py must not sleep on it
    with pytest.raises(RateLimited) as caught:
        await notifier.deliver(outgoing())
    assert caught.value.retry_after == pytest.approx(120.0)


async def test_dispatcher_delivers_exactly_once_after_a_429(notifier, fake):
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    fake.rate_limits["messages"] = 5
    fake.retry_after = 0.01
    dispatcher = Dispatcher({"discord": notifier}, sleep=no_wait)
    dispatcher.submit(outgoing(text="after the limit"))
    await dispatcher.join()
    assert [c.body["content"] for c in fake.channel_messages] == ["after the limit"]
    # The hold starts at the 429; the wait is what is left of it when the retry comes up.
    assert dispatcher.stats.rate_limited == 1 and waits == [pytest.approx(0.01, abs=2e-3)]


async def test_a_masked_link_in_reminder_text_is_shown_as_text(notifier, fake):
    # issue 15, point 11: `[text](https://evil)` rendered as a link whose words lie.
    await notifier.deliver(outgoing(text="Reminder: [the IEP form](https://evil.example/x) now"))
    [sent] = fake.channel_messages
    content = sent.body["content"]
    assert "[the IEP form](https" not in content
    assert "the IEP form" in content and "https://evil.example/x" in content
