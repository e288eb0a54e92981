"""Send limits as the platforms define them, and what their answers teach us about them.

Two shapes of limit exist:

- ``Rate``: a token bucket, ``burst`` sends at once, then ``per_second`` (Slack's "about one
  message a second per channel, short bursts allowed").
- ``Window``: at most ``limit`` sends in ``seconds``, the count starting again as a whole when
  the window resets (Discord's buckets: 5 per 5 s per channel, 50 per second for the bot). A
  token bucket of the same average would send too early into such a window.

A ``Limiter`` keeps one of them for one key (a destination, or a whole platform) and counts a
send from when it *starts* until its *answer comes back*, then stamps it with the answer's time.
The platform counts the request when it arrives, which lies between the two, so a limiter that
is satisfied on our clock is satisfied on the platform's whatever the network delay: pacing is
exact, never optimistic, and costs only the round-trip per window.

What a platform says overrides the published figures: a 429's Retry-After holds the limiter
it names (``hold``), and Discord's ``X-RateLimit-*`` headers, reported as a ``LimitReport``,
replace our count with the platform's own (``learn``): so many sends remain until the reset,
then the whole window again; nothing remaining holds the limiter until the reset.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """A token bucket: ``burst`` sends at once, refilled at ``per_second``."""

    burst: int
    per_second: float


@dataclass(frozen=True)
class Window:
    """At most ``limit`` sends within any ``seconds``."""

    limit: int
    seconds: float


Limit = Rate | Window


@dataclass(frozen=True)
class PlatformLimits:
    destination: Limit | None = None  # per channel or DM
    platform: Limit | None = None  # across the whole bot (Discord's global limit)


@dataclass(frozen=True)
class LimitReport:
    """What a platform's answer said about its limits, for the dispatcher to apply.

    ``destination`` is the message's destination key; ``scope`` is "destination" (this
    channel's bucket), "platform" (the bot's global limit) or None (not said). ``limit`` /
    ``remaining`` / ``reset_after`` describe the bucket after this request; ``retry_after``
    is set on a 429.
    """

    destination: tuple[str, str, str]
    scope: str | None = None
    limit: int | None = None
    remaining: int | None = None
    reset_after: float | None = None
    retry_after: float | None = None


class Limiter:
    """One key's limit (or none: then it only keeps holds). ``wait`` says how long until a
    send may start (None: not before a send in flight answers); ``start`` and ``done`` bracket
    the platform call."""

    def __init__(self, limit: Limit | None, now: float) -> None:
        self.limit = limit
        self.in_flight = 0
        self.held_until = -math.inf
        # Rate: GCRA's theoretical arrival time, advanced one interval per send.
        self._tat = now
        # Window: answer times of the latest sends, at most ``limit`` kept.
        self._stamps: deque[float] = deque(
            maxlen=limit.limit if isinstance(limit, Window) else None
        )
        # Window, once the platform has described it: (remaining, reset time) as of its last
        # answer, and the sends started since. Exact where our own count can only guess when
        # the platform's window opened.
        self._known: tuple[int, float] | None = None
        self._since_known = 0

    def wait(self, now: float) -> float | None:
        held = max(0.0, self.held_until - now)
        limit = self.limit
        if isinstance(limit, Rate):
            # A token bucket is exact for one sender at a time (one destination's queue);
            # several at once may each see the same free token until their answers come back.
            tolerance = (limit.burst - 1) / limit.per_second
            return max(held, self._tat - tolerance - now)
        if self._known is not None and not isinstance(limit, Rate):
            remaining, reset_at = self._known
            if now >= reset_at or self.in_flight + self._since_known < remaining:
                return held
            return max(held, reset_at - now)
        if isinstance(limit, Window):
            recent = [s for s in self._stamps if s > now - limit.seconds]
            over = self.in_flight + len(recent) - limit.limit + 1
            if over <= 0:
                return held
            if over > len(recent):
                return None  # every slot is a send still on the wire
            return max(held, recent[over - 1] + limit.seconds - now)
        return held

    def start(self, now: float) -> None:
        self.in_flight += 1
        self._since_known += 1
        if isinstance(self.limit, Rate):
            self._tat = max(self._tat, now) + 1 / self.limit.per_second

    def done(self, now: float) -> None:
        """The send's answer arrived (or it failed): count it from now."""
        self.in_flight = max(0, self.in_flight - 1)
        if isinstance(self.limit, Rate):
            # As if the token had been taken now: the platform took it no later than this.
            self._tat = max(self._tat, now + 1 / self.limit.per_second)
        elif isinstance(self.limit, Window):
            self._stamps.append(now)

    def hold(self, seconds: float, now: float) -> None:
        """Nothing more until ``seconds`` from now (a 429's Retry-After, a bucket at zero)."""
        self.held_until = max(self.held_until, now + seconds)

    def learn(self, report: LimitReport, now: float) -> None:
        """Apply the bucket headers of an answer to this limiter."""
        limit = self.limit
        if isinstance(limit, Window) and report.limit and report.limit != limit.limit:
            self.limit = Window(report.limit, limit.seconds)
            self._stamps = deque(self._stamps, maxlen=report.limit)
        if report.remaining is not None and report.reset_after is not None:
            self._known = (report.remaining, now + report.reset_after)
            self._since_known = 0
        if report.remaining == 0 and report.reset_after is not None:
            self.hold(report.reset_after, now)
        if report.retry_after is not None:
            self.hold(report.retry_after, now)

    def idle(self, now: float) -> bool:
        """As good as a new limiter: nothing held, in flight or counted, so it can be dropped."""
        if self.in_flight or self.held_until > now:
            return False
        limit = self.limit
        if isinstance(limit, Rate):
            return self._tat <= now
        if isinstance(limit, Window):
            return not self._stamps or self._stamps[-1] <= now - limit.seconds
        return True


class TokenBucket:
    """A plain token bucket for pacing our own work (Home tab refreshes), where there is no
    answer to count from. Reservations, not polling: ``reserve`` takes a token now and says
    how long to wait before using it, so concurrent senders queue in order."""

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

    def take_if_free(self, now: float) -> bool:
        """Take a token only if one is there now (work that goes at once either way, and
        uses up the pace only when it has room)."""
        self._refill(now)
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
