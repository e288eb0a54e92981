"""The dispatcher paces by what the platform says: Discord's bucket headers (a channel with
nothing remaining waits for its reset, a 429 holds that channel, a global 429 holds every
channel) and Slack's Retry-After (one channel, or everything when several are refused). Time
is virtual: nothing here waits for real."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable

from bots.discord.notifier import limit_report
from scheduler.delivery.dispatcher import Dispatcher
from scheduler.delivery.limits import LimitReport, PlatformLimits, Window
from scheduler.delivery.messages import Outgoing, RateLimited
from tests.delivery.virtual_time import VirtualTime
from tests.limited_platforms import DiscordLimits


class DiscordLike:
    """A platform that enforces Discord's windows (tests/limited_platforms.py) and reports
    its answers' headers the way the Discord notifier does. It publishes no figures of its
    own, so whatever pacing happens was learned from the answers."""

    platform = "discord"

    def __init__(self, limits: DiscordLimits, clock: VirtualTime) -> None:
        self.limits = PlatformLimits()
        self.enforced = limits
        self.clock = clock
        self.limit_reports: Callable[[LimitReport], None] | None = None
        self.arrived: dict[str, list[float]] = defaultdict(list)
        self.accepted: Counter[str] = Counter()
        self.refuse_next: dict[str, str] | None = None  # headers of a 429 to answer once

    async def deliver(self, message: Outgoing) -> None:
        await asyncio.sleep(0)
        channel = message.target_id
        if self.refuse_next is not None:
            status, headers = 429, self.refuse_next
            self.refuse_next = None
        else:
            status, _body, headers = self.enforced.take(channel)
        report = limit_report(message.destination, status, headers)
        if report is not None and self.limit_reports is not None:
            self.limit_reports(report)
        if status == 429:
            global_limit = headers.get("X-RateLimit-Global") == "true"
            raise RateLimited(float(headers["Retry-After"]), global_limit=global_limit)
        self.arrived[channel].append(self.clock())
        self.accepted[message.text] += 1


def message(channel: str, n: int) -> Outgoing:
    return Outgoing("discord", "channel", channel, f"{channel} #{n}")


async def deliver_all(platform: DiscordLike, clock: VirtualTime, *messages: Outgoing) -> None:
    dispatcher = Dispatcher({"discord": platform}, sleep=clock.sleep, clock=clock)
    for m in messages:
        dispatcher.submit(m)
    await clock.run(dispatcher.join())


def exactly_once(platform: DiscordLike, *messages: Outgoing) -> bool:
    return all(platform.accepted[m.text] == 1 for m in messages) and sum(
        platform.accepted.values()
    ) == len(messages)


async def test_a_channel_with_nothing_remaining_waits_for_its_reset() -> None:
    clock = VirtualTime()
    enforced = DiscordLimits(per_channel=2, channel_seconds=3.0, clock=clock)
    platform = DiscordLike(enforced, clock)
    sent = [message("A", n) for n in range(6)]
    await deliver_all(platform, clock, *sent)
    assert exactly_once(platform, *sent)
    assert enforced.refused_channel == 0  # never sent into the wall
    assert platform.arrived["A"] == [0.0, 0.0, 3.0, 3.0, 6.0, 6.0]


async def test_a_429_with_bucket_headers_holds_that_channel_for_the_reset() -> None:
    clock = VirtualTime()
    platform = DiscordLike(DiscordLimits(clock=clock), clock)
    platform.refuse_next = {
        "Retry-After": "2.5",
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset-After": "2.5",
        "X-RateLimit-Scope": "user",
    }
    first, second = message("A", 0), message("A", 1)
    other = message("B", 0)
    await deliver_all(platform, clock, first, second, other)
    assert exactly_once(platform, first, second, other)
    assert min(platform.arrived["A"]) >= 2.5
    assert platform.arrived["B"] == [0.0]  # another channel is not held


async def test_a_global_429_holds_every_channel() -> None:
    clock = VirtualTime()
    platform = DiscordLike(DiscordLimits(clock=clock), clock)
    platform.refuse_next = {
        "Retry-After": "1.5",
        "X-RateLimit-Global": "true",
        "X-RateLimit-Scope": "global",
    }
    dispatcher = Dispatcher({"discord": platform}, sleep=clock.sleep, clock=clock)
    refused = message("A", 0)
    dispatcher.submit(refused)
    while platform.refuse_next is not None:  # real time only: the virtual clock stays at 0
        await asyncio.sleep(0.001)
    others = [message("B", 0), message("C", 0)]
    for m in others:
        dispatcher.submit(m)
    await clock.run(dispatcher.join())
    assert exactly_once(platform, refused, *others)
    assert all(platform.arrived[c] == [1.5] for c in "ABC")


async def test_the_global_window_is_never_overrun_across_channels() -> None:
    clock = VirtualTime()
    enforced = DiscordLimits(global_limit=10, global_seconds=1.0, clock=clock)
    platform = DiscordLike(enforced, clock)
    platform.limits = PlatformLimits(platform=Window(10, 1.0))
    sent = [message(f"C{c}", n) for n in range(3) for c in range(20)]
    await deliver_all(platform, clock, *sent)
    assert exactly_once(platform, *sent)
    assert enforced.refused_global == 0 and enforced.refused_channel == 0
    everything = sorted(t for times in platform.arrived.values() for t in times)
    # 60 sends at 10 a second: the last one in the sixth window.
    assert 5.0 <= everything[-1] < 6.0
