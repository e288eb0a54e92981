"""A local HTTP "chat platform" for delivery tests: records every message, and can answer 429
with Retry-After or 5xx on demand, like Slack's and Discord's Web APIs do."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from scheduler.delivery.messages import (
    Outgoing,
    PermanentSendError,
    RateLimited,
    TransientSendError,
)
from tests.local_server import LocalServer


@dataclass
class Received:
    channel: str
    text: str
    at: float


@dataclass
class FakePlatform(LocalServer):
    """Answers POST /send. ``limit_every`` makes every Nth request per channel a 429."""

    retry_after: str = "1"
    limit_every: int = 0
    fail_first: int = 0
    gone: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    attempts: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answered_429: int = 0
    _runner: web.AppRunner | None = None
    url: str = ""

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        channel = body["channel"]
        now = time.monotonic()
        self.attempts[channel].append(now)
        count = len(self.attempts[channel])
        if channel in self.gone:
            return web.json_response({"ok": False, "error": "channel_not_found"}, status=404)
        if self.fail_first and count <= self.fail_first:
            return web.json_response({"ok": False, "error": "internal"}, status=503)
        if self.limit_every and count % self.limit_every == 0:
            self.answered_429 += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": self.retry_after},
            )
        self.received.append(Received(channel, body["text"], now))
        return web.json_response({"ok": True})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/send", self._send)
        await self._serve(app)


class HttpNotifier:
    """A minimal notifier over HTTP, mapping status codes to the core's send errors exactly as
    the Slack and Discord adapters do."""

    platform = "fake"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session: aiohttp.ClientSession | None = None

    async def deliver(self, message: Outgoing) -> None:
        if self.session is None:
            self.session = aiohttp.ClientSession()
        payload = {"channel": message.target_id, "text": message.text}
        async with self.session.post(f"{self.base_url}/send", json=payload) as response:
            if response.status == 429:
                raise RateLimited(float(response.headers.get("Retry-After", "1")))
            if response.status >= 500:
                raise TransientSendError(f"http_{response.status}")
            if response.status >= 400:
                raise PermanentSendError((await response.json())["error"])

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
