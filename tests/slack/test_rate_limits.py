"""Slack's rate limits through the real notifier path (slack_sdk against the fake Web API, which
enforces chat.postMessage's per-channel bucket on a virtual clock): a burst to one channel is
paced without a 429, a 429's Retry-After holds only that channel, and a second channel refused
meanwhile holds them all. Nothing is lost or posted twice. No real waiting."""

from __future__ import annotations

import asyncio
from collections import Counter

from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.adapter import api_base_url
from bots.slack.notifier import SlackNotifier
from scheduler.delivery.dispatcher import Dispatcher
from scheduler.delivery.messages import Outgoing
from tests.delivery.virtual_time import VirtualTime
from tests.limited_platforms import SlackPostLimits
from tests.slack.fake_slack import FakeSlack


def out(channel: str, n: int) -> Outgoing:
    return Outgoing("slack", "channel", channel, f"{channel} #{n}", workspace_id="T1")


def setup(fake: FakeSlack, clock: VirtualTime, burst: int) -> Dispatcher:
    fake.post_limits = SlackPostLimits(burst=burst, clock=clock)
    client = AsyncWebClient(
        token="xoxb-t", base_url=api_base_url(f"{fake.url}/api"), retry_handlers=[]
    )
    return Dispatcher({"slack": SlackNotifier(client)}, sleep=clock.sleep, clock=clock)


def posts(fake: FakeSlack) -> Counter[str]:
    return Counter(str(a["text"]) for a in fake.called("chat.postMessage"))


async def test_a_burst_to_one_channel_is_paced_without_a_429(fake: FakeSlack) -> None:
    clock = VirtualTime()
    dispatcher = setup(fake, clock, burst=3)
    sent = [out("C1", n) for n in range(6)]
    for m in sent:
        dispatcher.submit(m)
    await clock.run(dispatcher.join())
    assert posts(fake) == Counter(m.text for m in sent)
    assert fake.post_limits is not None and fake.post_limits.refused == 0
    assert fake.called("chat.postMessage", status=429) == []


async def test_retry_after_holds_that_channel_only(fake: FakeSlack) -> None:
    clock = VirtualTime()
    # The fake allows no burst, the notifier expects three: the second post is refused.
    dispatcher = setup(fake, clock, burst=1)
    limited = [out("C1", n) for n in range(3)]
    for m in limited:
        dispatcher.submit(m)
    while not dispatcher.stats.rate_limited:  # the virtual clock stays at 0
        await asyncio.sleep(0.001)
    refused_at = clock()
    other = out("C2", 0)
    dispatcher.submit(other)
    while not posts(fake)[other.text]:
        await asyncio.sleep(0.001)
    assert clock() == refused_at  # C2 went at once, C1's hold did not stop it
    await clock.run(dispatcher.join())
    assert posts(fake) == Counter(m.text for m in [*limited, other])
    # After the 429 (Retry-After: 1) C1's next post waited the whole second.
    assert clock() >= refused_at + 1.0


async def test_two_channels_refused_at_once_hold_every_channel(fake: FakeSlack) -> None:
    clock = VirtualTime()
    dispatcher = setup(fake, clock, burst=1)
    refused = [out(c, n) for c in ("C1", "C2") for n in range(2)]
    for m in refused:
        dispatcher.submit(m)
    while dispatcher.stats.rate_limited < 2:  # both 429s taken in by the dispatcher
        await asyncio.sleep(0.001)
    held_from = clock()
    third = out("C3", 0)
    dispatcher.submit(third)
    await asyncio.sleep(0.05)  # real time: the virtual clock has not moved
    assert not posts(fake)[third.text]  # a workspace-wide limit: C3 waits too
    await clock.run(dispatcher.join())
    assert posts(fake) == Counter(m.text for m in [*refused, third])
    assert clock() >= held_from + 1.0
