"""Discord's rate-limit headers through discord.py's own HTTP client: what the fake API says
reaches the dispatcher, a delivery is over once Discord accepted it, and a burst to one
channel goes out in the windows Discord allows, once each, without a 429. The fake's windows
are a fraction of a second."""

from __future__ import annotations

import asyncio
from collections import Counter

from bots.discord.notifier import DiscordNotifier
from scheduler.delivery.dispatcher import Dispatcher
from scheduler.delivery.limits import LimitReport
from scheduler.delivery.messages import Outgoing
from tests.discord import payloads
from tests.discord.fake_discord import FakeDiscord
from tests.limited_platforms import DiscordLimits


async def finished(notifier: DiscordNotifier) -> None:
    """discord.py's send calls have all returned (their resets sat out)."""
    while notifier.finishing:
        await asyncio.sleep(0.02)


def out(text: str, channel: str = payloads.CHANNEL) -> Outgoing:
    return Outgoing("discord", "channel", channel, text)


async def test_the_bucket_headers_and_a_global_429_are_reported(client, fake: FakeDiscord):
    notifier: DiscordNotifier = client.iep.notifier
    reports: list[LimitReport] = []
    notifier.limit_reports = reports.append
    fake.message_limits = DiscordLimits(per_channel=2, channel_seconds=0.3)
    await notifier.deliver(out("first"))
    [report] = reports
    assert report.destination == ("discord", "channel", payloads.CHANNEL)
    assert (report.scope, report.limit, report.remaining) == ("destination", 2, 1)
    assert report.reset_after is not None and 0 < report.reset_after <= 0.3

    reports.clear()
    fake.message_limits = None
    fake.rate_limits["messages"] = 1
    fake.global_limit = True
    fake.retry_after = 0.05
    await notifier.deliver(out("after the global limit"))  # discord.py retries it itself
    assert reports[0].scope == "platform" and reports[0].retry_after == 0.05
    assert [c.body["content"] for c in fake.channel_messages] == [
        "first",
        "after the global limit",
    ]


async def test_a_delivery_is_over_once_discord_accepted_it(client, fake: FakeDiscord):
    notifier: DiscordNotifier = client.iep.notifier
    fake.message_limits = DiscordLimits(per_channel=1, channel_seconds=0.3)
    await notifier.deliver(out("the bucket's last"))
    # Accepted, while discord.py still sits out the emptied bucket's reset inside send().
    assert [c.body["content"] for c in fake.channel_messages] == ["the bucket's last"]
    assert notifier.finishing == 1
    await asyncio.wait_for(finished(notifier), 5)


async def test_a_burst_to_one_channel_keeps_to_the_windows_once_each(client, fake: FakeDiscord):
    notifier: DiscordNotifier = client.iep.notifier
    limits = fake.message_limits = DiscordLimits(per_channel=2, channel_seconds=0.25)
    dispatcher = Dispatcher({"discord": notifier})
    sent = [out(f"#{n}") for n in range(5)]
    for m in sent:
        dispatcher.submit(m)
    await asyncio.wait_for(dispatcher.join(), 10)
    delivered = Counter(c.body["content"] for c in fake.channel_messages)
    assert delivered == Counter(m.text for m in sent)
    assert limits.refused_channel == 0 and fake.find("POST", "/messages", status=429) == []
    await asyncio.wait_for(finished(notifier), 5)
