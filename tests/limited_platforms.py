"""Rate limits enforced the way Slack and Discord enforce them, for the fakes to apply.

- Slack, chat.postMessage: a token bucket per channel (about one a second, a short burst); an
  over-eager post gets 429 with a whole-second Retry-After, as Slack sends it.
- Discord: a bucket per channel (5 per 5 s) that resets as a whole ``reset_after`` after its
  first request, and a global window (50 a second) that every request counts against. Every
  message answer carries the ``X-RateLimit-*`` headers; a 429 says which limit it was.

The clock is injected so that tests can move it; the figures are fields, so tests can shrink them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SlackPostLimits:
    """chat.postMessage per channel: ``burst`` at once, refilled at ``per_second``."""

    burst: int = 3
    per_second: float = 1.0
    clock: Callable[[], float] = time.monotonic
    refused: int = 0
    _tokens: dict[str, tuple[float, float]] = field(default_factory=dict)  # channel -> (n, at)

    def take(self, channel: str) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        """None when the post may go through; else Slack's 429 answer."""
        now = self.clock()
        tokens, at = self._tokens.get(channel, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
        if tokens >= 1.0:
            self._tokens[channel] = (tokens - 1.0, now)
            return None
        self._tokens[channel] = (tokens, now)
        self.refused += 1
        wait = math.ceil((1.0 - tokens) / self.per_second)
        return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}


@dataclass
class _Bucket:
    opened: float
    used: int = 0


@dataclass
class DiscordLimits:
    """Per-channel message buckets and the bot's global limit, as fixed windows."""

    per_channel: int = 5
    channel_seconds: float = 5.0
    global_limit: int = 50
    global_seconds: float = 1.0
    clock: Callable[[], float] = time.monotonic
    refused_channel: int = 0
    refused_global: int = 0
    _channels: dict[str, _Bucket] = field(default_factory=dict)
    _global: _Bucket | None = None

    @staticmethod
    def _current(bucket: _Bucket | None, seconds: float, now: float) -> _Bucket:
        if bucket is None or now >= bucket.opened + seconds:
            return _Bucket(now)
        return bucket

    def take(self, channel: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        """The status, the 429 body (empty when allowed) and the headers for one post."""
        now = self.clock()
        glob = self._global = self._current(self._global, self.global_seconds, now)
        if glob.used >= self.global_limit:
            self.refused_global += 1
            wait = glob.opened + self.global_seconds - now
            return (
                429,
                {"message": "You are being rate limited.", "retry_after": wait, "global": True},
                {
                    "Via": "1.1 google",
                    "Retry-After": f"{wait:.3f}",
                    "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                },
            )
        glob.used += 1
        bucket = self._channels[channel] = self._current(
            self._channels.get(channel), self.channel_seconds, now
        )
        reset_after = bucket.opened + self.channel_seconds - now
        headers = {
            "X-RateLimit-Bucket": "fake-channel-messages",
            "X-RateLimit-Limit": str(self.per_channel),
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        }
        if bucket.used >= self.per_channel:
            self.refused_channel += 1
            return (
                429,
                {
                    "message": "You are being rate limited.",
                    "retry_after": reset_after,
                    "global": False,
                },
                {
                    **headers,
                    "Via": "1.1 google",
                    "Retry-After": f"{reset_after:.3f}",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Scope": "user",
                },
            )
        bucket.used += 1
        return 200, {}, {**headers, "X-RateLimit-Remaining": str(self.per_channel - bucket.used)}
