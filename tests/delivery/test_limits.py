"""Platform limits as token buckets: one channel is paced, many channels run in parallel, the
platform-wide rate holds across channels, and a 429 holds its bucket for the Retry-After."""

from __future__ import annotations

import time
from collections import defaultdict

from scheduler.delivery.dispatcher import Dispatcher, DispatchPolicy
from scheduler.delivery.limits import Limiter, PlatformLimits, Rate, Window
from scheduler.delivery.messages import Outgoing, RateLimited


class Limited:
    """A platform that records when each message arrived, per channel."""

    platform = "fake"

    def __init__(self, limits: PlatformLimits, refuse_first: float = 0.0) -> None:
        self.limits = limits
        self.at: dict[str, list[float]] = defaultdict(list)
        self.refuse_first = refuse_first

    async def deliver(self, message: Outgoing) -> None:
        if self.refuse_first:
            wait, self.refuse_first = self.refuse_first, 0.0
            raise RateLimited(wait)
        self.at[message.target_id].append(time.monotonic())


def conforms(times: list[float], rate: Rate, slack: float = 0.02) -> bool:
    """No window holds more sends than the bucket allows (burst + rate x window)."""
    return all(
        j - i + 1 <= rate.burst + rate.per_second * (times[j] - times[i] + slack)
        for i in range(len(times))
        for j in range(i, len(times))
    )


async def send_all(notifier: Limited, channels: int, each: int) -> float:
    dispatcher = Dispatcher({"fake": notifier}, policy=DispatchPolicy(pace=5.0))
    start = time.monotonic()
    for n in range(each):
        for c in range(channels):
            dispatcher.submit(Outgoing("fake", "channel", f"C{c}", f"m{n}"))
    await dispatcher.join()
    return time.monotonic() - start


async def test_one_channel_is_paced_while_many_run_in_parallel() -> None:
    per_channel = Rate(burst=2, per_second=20.0)
    notifier = Limited(PlatformLimits(destination=per_channel))
    took = await send_all(notifier, channels=8, each=10)
    assert all(len(v) == 10 for v in notifier.at.values()) and len(notifier.at) == 8
    for times in notifier.at.values():
        assert conforms(times, per_channel)
    # One channel needs (10 - 2) / 20 = 0.4 s; eight in a row would need 3.2 s (and the
    # fallback pace of 5 s per message would need 45 s).
    assert took < 1.6, took


async def test_the_platform_rate_holds_across_channels() -> None:
    overall = Rate(burst=5, per_second=50.0)
    notifier = Limited(PlatformLimits(platform=overall))
    took = await send_all(notifier, channels=20, each=3)
    everything = sorted(t for v in notifier.at.values() for t in v)
    assert len(everything) == 60 and conforms(everything, overall)
    assert took >= (60 - 5) / 50 * 0.9


async def test_a_429_holds_the_channel_for_its_retry_after() -> None:
    notifier = Limited(
        PlatformLimits(destination=Rate(burst=5, per_second=100.0)), refuse_first=0.3
    )
    start = time.monotonic()
    await send_all(notifier, channels=1, each=3)
    assert len(notifier.at["C0"]) == 3
    assert notifier.at["C0"][0] - start >= 0.3


def sends(limiter: Limiter, at: float, answered_after: float = 0.0) -> None:
    limiter.start(at)
    limiter.done(at + answered_after)


def test_a_token_bucket_lets_its_burst_go_then_paces_from_the_answers() -> None:
    limiter = Limiter(Rate(burst=2, per_second=1.0), now=0.0)
    sends(limiter, 0.0)
    assert limiter.wait(0.0) == 0.0
    sends(limiter, 0.0)
    assert limiter.wait(0.0) == 1.0
    # One at a time: the platform may have counted a send as late as its answer (0.5), so
    # the next waits a whole interval from then, not from the start.
    single = Limiter(Rate(burst=1, per_second=1.0), now=0.0)
    sends(single, 0.0, answered_after=0.5)
    assert single.wait(0.5) == 1.0
    assert single.idle(10.0)
    single.hold(5.0, now=10.0)
    assert single.wait(10.0) == 5.0


def test_a_window_counts_sends_until_their_answers_age_out() -> None:
    limiter = Limiter(Window(limit=2, seconds=1.0), now=0.0)
    limiter.start(0.0)
    limiter.start(0.0)
    assert limiter.wait(0.1) is None  # both on the wire: wait for an answer
    limiter.done(0.2)
    limiter.done(0.3)
    assert abs(limiter.wait(0.3) - 0.9) < 1e-9  # the first answer's window ends at 1.2
    assert limiter.wait(1.2) == 0.0 and not limiter.idle(1.2) and limiter.idle(1.3)
