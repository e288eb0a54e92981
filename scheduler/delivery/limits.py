"""Send limits as the platforms publish them, kept as token buckets.

A platform limits messages per destination (a channel or a DM) and, on some platforms, for the
whole bot. A token bucket models both: ``burst`` sends may go at once, then one per
``1 / per_second`` seconds. The dispatcher keeps one bucket per destination and one per
platform, so a burst to many channels runs in parallel up to the platform's global rate while
each single channel is paced at its own. A 429's Retry-After empties the bucket it names for
that long: the platform's answer overrides the published figure.

The figures belong to each platform's notifier (its ``limits`` attribute), next to the code
that talks to that platform.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """``burst`` sends at once, refilled at ``per_second``."""

    burst: int
    per_second: float


@dataclass(frozen=True)
class PlatformLimits:
    destination: Rate | None = None  # per channel or DM
    platform: Rate | None = None  # across the whole bot (Discord's global limit)


class TokenBucket:
    """Reservations, not polling: ``reserve`` takes a token now and says how long to wait
    before using it, so concurrent senders queue in order without waking each other."""

    def __init__(self, rate: Rate, now: float) -> None:
        self.rate = rate
        self.tokens = float(rate.burst)
        self.stamp = now

    def _refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(
                float(self.rate.burst), self.tokens + (now - self.stamp) * self.rate.per_second
            )
            self.stamp = now

    def reserve(self, now: float) -> float:
        self._refill(now)
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate.per_second

    def hold(self, seconds: float, now: float) -> None:
        """Nothing more until ``seconds`` from now (a 429 with Retry-After)."""
        self._refill(now)
        self.tokens = min(self.tokens, 1 - seconds * self.rate.per_second)

    def idle(self, now: float) -> bool:
        """Full again: as good as a new bucket, so it can be dropped."""
        self._refill(now)
        return self.tokens >= self.rate.burst
