"""A local fake of Discord's REST API (and a minimal gateway) for driving discord.py itself.

It records what reached it: interaction callbacks, webhook follow-ups, DM opens, channel
messages, command syncs. It answers like Discord does, including 429s with Discord's
rate-limit headers and JSON body, 403 50007 for a user who blocks DMs and 404 10003 for a
deleted channel. discord.py treats a 429 without a ``Via`` header as a Cloudflare ban, so the
fake sends one, as Discord's edge does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.limited_platforms import DiscordLimits
from tests.local_server import LocalServer

APP_ID = 1100000000000000001
BOT_ID = 1100000000000000002
TOKEN = "fake-token.not.real"

_ids = itertools.count(1300000000000000000)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with Discord's exact content type: discord.py only parses "application/json"."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def snowflake() -> str:
    return str(next(_ids))


def bot_user() -> dict[str, Any]:
    return {
        "id": str(BOT_ID),
        "username": "iepbot",
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": True,
        "flags": 0,
    }


def message_payload(channel_id: str, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": snowflake(),
        "channel_id": channel_id,
        "type": 0,
        "content": body.get("content") or "",
        "author": bot_user(),
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": "2026-01-01T00:00:00.000000+00:00",
        "edited_timestamp": None,
        "flags": body.get("flags") or 0,
        **extra,
    }


@dataclass
class Call:
    """One request that reached the fake. ``body`` is the JSON (or multipart payload_json)."""

    method: str
    path: str
    body: Any
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeDiscord(LocalServer):
    blocked_dm_users: set[str] = field(default_factory=set)
    gone_channels: set[str] = field(default_factory=set)
    server_error_channels: set[str] = field(default_factory=set)
    # 429 answers still to give, per path suffix ("messages" for channel posts, etc.)
    rate_limits: dict[str, int] = field(default_factory=dict)
    retry_after: float = 0.05
    reject_token: bool = False
    global_limit: bool = False
    message_limits: DiscordLimits | None = None  # enforce per-channel and global limits
    calls: list[Call] = field(default_factory=list)
    # What GET /applications/{id}/commands answers: the last sync, or what a test puts here.
    commands: list[dict[str, Any]] = field(default_factory=list)
    # GET /users/@me/guilds: the servers the bot is in, with its permissions there (an int).
    guilds: dict[str, int] = field(default_factory=dict)
    url: str = ""
    gateway_events: asyncio.Queue[dict[str, Any]] | None = None
    identified: asyncio.Event = field(default_factory=asyncio.Event)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _runner: web.AppRunner | None = None
    _dm_channels: dict[str, str] = field(default_factory=dict)  # DM channel -> user

    # --- what tests read ------------------------------------------------------------------

    def find(self, method: str, contains: str, status: int | None = 200) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and contains in c.path and (status is None or c.status == status)
        ]

    @property
    def callbacks(self) -> list[Call]:
        return self.find("POST", "/callback")

    @property
    def followups(self) -> list[Call]:
        return [c for c in self.find("POST", "/webhooks/") if c.status == 200]

    @property
    def channel_messages(self) -> list[Call]:
        return self.find("POST", "/messages")

    @property
    def syncs(self) -> list[Call]:
        return self.find("PUT", "/commands")

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until the recorded calls satisfy ``predicate`` (an event, not a clock)."""

        async def until() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(until(), timeout)

    # --- plumbing -------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> tuple[Any, dict[str, bytes]]:
        if request.content_type.startswith("multipart/"):
            body: Any = None
            files: dict[str, bytes] = {}
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(data)
                else:
                    files[part.filename or part.name or "file"] = bytes(data)  # type: ignore[union-attr]
            return body, files
        if request.can_read_body:
            return await request.json(), {}
        return None, {}

    async def _record(self, request: web.Request, status: int) -> Call:
        body, files = await self._body(request)
        call = Call(request.method, request.path, body, files, status)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return call

    def _limited(self, kind: str) -> web.Response | None:
        left = self.rate_limits.get(kind, 0)
        if left <= 0:
            return None
        self.rate_limits[kind] = left - 1
        wait = f"{self.retry_after:.3f}"
        return _json(
            {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.global_limit,
            },
            status=429,
            headers={
                "Via": "1.1 google",
                "Retry-After": wait,
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": wait,
                "X-RateLimit-Bucket": f"fake-{kind}",
                "X-RateLimit-Global": "true" if self.global_limit else "false",
                "X-RateLimit-Scope": "shared" if not self.global_limit else "global",
            },
        )

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return _json({"message": message, "code": code}, status=status)

    # --- REST routes ----------------------------------------------------------------------

    async def _me(self, request: web.Request) -> web.Response:
        if self.reject_token:
            await self._record(request, 401)
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        await self._record(request, 200)
        return _json(bot_user())

    async def _application(self, request: web.Request) -> web.Response:
        await self._record(request, 200)
        return _json(
            {
                "id": str(APP_ID),
                "name": "iepbot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": {**bot_user(), "id": "1100000000000000009", "bot": False},
                "verify_key": "0" * 64,
                "flags": 0,
                "interactions_endpoint_url": None,
            }
        )

    async def _sync(self, request: web.Request) -> web.Response:
        call = await self._record(request, 200)
        out = [
            {**command, "id": snowflake(), "application_id": str(APP_ID), "version": "1"}
            for command in call.body
        ]
        self.commands = out
        return _json(out)

    async def _commands(self, request: web.Request) -> web.Response:
        await self._record(request, 200)
        return _json(self.commands)

    async def _my_guilds(self, request: web.Request) -> web.Response:
        await self._record(request, 200)
        return _json(
            [
                {
                    "id": guild,
                    "name": f"Server {guild}",
                    "icon": None,
                    "owner": False,
                    "permissions": str(permissions),
                    "features": [],
                }
                for guild, permissions in self.guilds.items()
            ]
        )

    async def _callback(self, request: web.Request) -> web.Response:
        call = await self._record(request, 200)
        kind = call.body["type"]
        flags = (call.body.get("data") or {}).get("flags") or 0
        resource: dict[str, Any] = {"type": kind}
        if kind == 4:
            resource["message"] = message_payload("0", call.body.get("data") or {})
        return _json(
            {
                "interaction": {
                    "id": request.match_info["id"],
                    "type": 2,
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(flags & 64),
                },
                "resource": resource,
            }
        )

    async def _followup(self, request: web.Request) -> web.Response:
        if (limited := self._limited("webhook")) is not None:
            await self._record(request, 429)
            return limited
        call = await self._record(request, 200)
        return _json(message_payload("0", call.body or {}, webhook_id=str(APP_ID)))

    async def _open_dm(self, request: web.Request) -> web.Response:
        call = await self._record(request, 200)
        user = str(call.body["recipient_id"])
        channel = self._dm_channels.get(user)
        if channel is None:
            channel = snowflake()
            self._dm_channels[channel] = user
        user_payload = {**bot_user(), "id": user, "username": "parent", "bot": False}
        return _json(
            {"id": channel, "type": 1, "last_message_id": None, "recipients": [user_payload]}
        )

    def dm_user(self, channel_id: str) -> str | None:
        return self._dm_channels.get(channel_id)

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        if (limited := self._limited("messages")) is not None:
            await self._record(request, 429)
            return limited
        headers: dict[str, str] = {}
        if self.message_limits is not None:
            status, refusal, headers = self.message_limits.take(channel)
            if status == 429:
                await self._record(request, 429)
                return _json(refusal, status=429, headers=headers)
        if channel in self.gone_channels:
            await self._record(request, 404)
            return self._error(404, 10003, "Unknown Channel")
        if channel in self.server_error_channels:
            await self._record(request, 503)
            return self._error(503, 0, "upstream")
        if self._dm_channels.get(channel) in self.blocked_dm_users:
            await self._record(request, 403)
            return self._error(403, 50007, "Cannot send messages to this user")
        call = await self._record(request, 200)
        return _json(message_payload(channel, call.body or {}), headers=headers)

    async def _gateway_url(self, request: web.Request) -> web.Response:
        await self._record(request, 200)
        ws = self.url.replace("http://", "ws://") + "/gateway"
        return _json(
            {
                "url": ws,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        """HELLO, wait for IDENTIFY, READY, then push queued events (INTERACTION_CREATE)."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        seq = itertools.count(1)
        queue = self.gateway_events = asyncio.Queue()
        pusher: asyncio.Task[None] | None = None

        async def push() -> None:
            while True:
                event = await queue.get()
                await ws.send_str(
                    json.dumps({"op": 0, "t": event["t"], "s": next(seq), "d": event["d"]})
                )

        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            if frame["op"] == 1:  # heartbeat
                await ws.send_str(json.dumps({"op": 11}))
            elif frame["op"] == 2:  # identify
                ready = {
                    "v": 10,
                    "user": bot_user(),
                    "guilds": [],
                    "session_id": "fake-session",
                    "resume_gateway_url": self.url.replace("http://", "ws://") + "/gateway",
                    "application": {"id": str(APP_ID), "flags": 0},
                }
                await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": next(seq), "d": ready}))
                self.identified.set()
                pusher = asyncio.create_task(push())
        if pusher is not None:
            pusher.cancel()
        return ws

    async def start(self) -> None:
        app = web.Application()
        api = "/api/v10"
        app.router.add_get(f"{api}/users/@me", self._me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        app.router.add_put(f"{api}/applications/{{app}}/commands", self._sync)
        app.router.add_get(f"{api}/applications/{{app}}/commands", self._commands)
        app.router.add_get(f"{api}/users/@me/guilds", self._my_guilds)
        app.router.add_post(f"{api}/interactions/{{id}}/{{token}}/callback", self._callback)
        app.router.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        app.router.add_post(f"{api}/users/@me/channels", self._open_dm)
        app.router.add_post(f"{api}/channels/{{channel}}/messages", self._post_message)
        app.router.add_get(f"{api}/gateway/bot", self._gateway_url)
        app.router.add_get(f"{api}/gateway", self._gateway_url)
        app.router.add_get("/gateway", self._gateway)
        await self._serve(app)
