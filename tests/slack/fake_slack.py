"""A local fake of Slack: the Web API (records every call), response_urls and file uploads, plus
a client that sends signed requests to the bot exactly as Slack does.

Only what the adapter calls is implemented; an unknown method answers ``unknown_method`` so a
new call shows up as a failing assertion rather than passing silently.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from tests.limited_platforms import SlackPostLimits
from tests.local_server import LocalServer

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret"


@dataclass
class Workspace:
    """A workspace that can install the app: the code Slack's consent screen would hand back
    to the redirect URL, and the bot token ``oauth.v2.access`` exchanges it for."""

    team_id: str
    name: str
    installer: str
    code: str = ""
    token: str = ""
    enterprise_id: str | None = None
    org_install: bool = False  # an Enterprise Grid org-wide install (no single team)

    def __post_init__(self) -> None:
        self.code = self.code or f"code-{self.team_id}"
        self.token = self.token or f"xoxb-{self.team_id}-token"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    status: int = 200
    at: float = field(default_factory=time.monotonic)
    peer: tuple[str, int] | None = None  # the caller's address: one per TCP connection


@dataclass
class FakeSlack(LocalServer):
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, list[str]] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    dm_errors: dict[str, str] = field(default_factory=dict)  # user -> conversations.open error
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    rate_limit_posts: int = 0  # the next N chat.postMessage calls get 429
    retry_after: str = "1"
    fail_posts: int = 0  # the next N chat.postMessage calls get 503
    post_limits: SlackPostLimits | None = None  # enforce chat.postMessage's per-channel rate
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    workspaces: list[Workspace] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)  # bot tokens that stopped working
    # auth.test: answers invalid_auth to any other token when set, and sends the granted
    # scopes in the x-oauth-scopes header, as Slack does, when set.
    bot_token: str | None = None
    scopes: list[str] | None = None
    app_token: str | None = None  # apps.connections.open: invalid_auth to any other token
    url: str = ""
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # -- recording ------------------------------------------------------------------------------
    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        await self._notify()

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    def called(self, method: str, status: int | None = 200) -> list[dict[str, Any]]:
        return [
            c.args
            for c in self.calls
            if c.method == method and (status is None or c.status == status)
        ]

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until ``condition()`` is truthy (re-checked on every recorded call)."""
        assert self._changed is not None

        async def until() -> Any:
            async with self._changed:
                while not (result := condition()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(until(), timeout)

    async def wait_call(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        return await self.wait_for(
            lambda: (found := self.called(method)) and len(found) >= count and found, timeout
        )

    async def wait_response(self, count: int = 1, timeout: float = 10.0) -> list[dict]:
        return await self.wait_for(lambda: len(self.responses) >= count and self.responses, timeout)

    # -- the Web API ----------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        args["_auth"] = request.headers.get("Authorization", "")
        status, body, headers = self._answer(method, args)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        await self._record(Call(method, args, status, peer=tuple(peer) if peer else None))
        return web.json_response(body, status=status, headers=headers)

    def _workspace(self, args: dict[str, Any]) -> Workspace | None:
        token = str(args.get("_auth", "")).removeprefix("Bearer ").strip()
        return next((w for w in self.workspaces if w.token == token), None)

    def _oauth_access(self, args: dict[str, Any]) -> tuple[int, dict, dict[str, str]]:
        """oauth.v2.access: client credentials (HTTP Basic, as slack_sdk sends them) and a
        code that has not been used yet."""
        basic = str(args.get("_auth", ""))
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if basic != f"Basic {expected}":
            return 200, {"ok": False, "error": "invalid_client_id"}, {}
        found = next((w for w in self.workspaces if w.code == args.get("code")), None)
        if found is None:
            return 200, {"ok": False, "error": "invalid_code"}, {}
        found.code = f"used-{found.code}"
        enterprise = {"id": found.enterprise_id, "name": "Org"} if found.enterprise_id else None
        return (
            200,
            {
                "ok": True,
                "app_id": "A1",
                "authed_user": {"id": found.installer},
                "scope": args.get("_scopes", "commands,chat:write"),
                "token_type": "bot",
                "access_token": found.token,
                "bot_user_id": f"UBOT{found.team_id}",
                "team": None if found.org_install else {"id": found.team_id, "name": found.name},
                "enterprise": enterprise,
                "is_enterprise_install": found.org_install,
            },
            {},
        )

    def _answer(self, method: str, args: dict[str, Any]) -> tuple[int, dict, dict[str, str]]:
        ok = {"ok": True}
        if method == "oauth.v2.access":
            return self._oauth_access(args)
        installed = self._workspace(args)
        if installed is not None and installed.token in self.revoked:
            return 200, {"ok": False, "error": "token_revoked"}, {}
        if method == "auth.test":
            if self.bot_token is not None and args["_auth"] != f"Bearer {self.bot_token}":
                return 200, {"ok": False, "error": "invalid_auth"}, {}
            scopes = {} if self.scopes is None else {"x-oauth-scopes": ",".join(self.scopes)}
            return (
                200,
                {
                    **ok,
                    "user_id": f"UBOT{installed.team_id}" if installed else "UBOT",
                    "bot_id": f"B{installed.team_id}" if installed else "BBOT",
                    "team_id": installed.team_id if installed else "T1",
                    "team": installed.name if installed else "Test School",
                    "url": "https://test.slack.com/",
                },
                scopes,
            )
        if method == "users.info":
            user = self.users.get(args.get("user", ""))
            if user is None:
                return 200, {"ok": False, "error": "user_not_found"}, {}
            return 200, {**ok, "user": {"id": args["user"], **user}}, {}
        if method == "usergroups.users.list":
            return 200, {**ok, "users": self.groups.get(args.get("usergroup", ""), [])}, {}
        if method == "usergroups.list":
            return (
                200,
                {**ok, "usergroups": [{"id": g, "handle": g.lower()} for g in self.groups]},
                {},
            )
        if method == "conversations.members":
            members = self.channels.get(args.get("channel", ""))
            if members is None:
                return 200, {"ok": False, "error": "channel_not_found"}, {}
            return 200, {**ok, "members": members, "response_metadata": {"next_cursor": ""}}, {}
        if method == "conversations.open" and args.get("users") in self.dm_errors:
            return 200, {"ok": False, "error": self.dm_errors[args["users"]]}, {}
        if method == "conversations.open":
            return 200, {**ok, "channel": {"id": "D" + str(args.get("users", ""))[1:]}}, {}
        if method == "chat.postMessage":
            if self.rate_limit_posts > 0:
                self.rate_limit_posts -= 1
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": self.retry_after}
            if self.post_limits is not None and (
                refused := self.post_limits.take(str(args.get("channel")))
            ):
                return refused
            if self.fail_posts > 0:
                self.fail_posts -= 1
                return 503, {"ok": False, "error": "service_unavailable"}, {}
            if args.get("channel") in self.gone:
                return 200, {"ok": False, "error": "channel_not_found"}, {}
            return 200, {**ok, "channel": args.get("channel"), "ts": f"{time.time():.6f}"}, {}
        if method in ("views.publish", "views.open", "views.update"):
            return 200, {**ok, "view": {"id": f"V{next(self._ids)}"}}, {}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids)}"
            return 200, {**ok, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}, {}
        if method == "files.completeUploadExternal":
            files = json.loads(args.get("files") or "[]")
            return (
                200,
                {**ok, "files": [{"id": f["id"], "title": f.get("title")} for f in files]},
                {},
            )
        if method == "apps.connections.open":
            if self.app_token is not None and args["_auth"] != f"Bearer {self.app_token}":
                return 200, {"ok": False, "error": "invalid_auth"}, {}
            return 200, {**ok, "url": self.url.replace("http", "ws") + "/socket"}, {}
        return 200, {"ok": False, "error": "unknown_method"}, {}

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append({"_id": request.match_info["id"], **body})
        await self._notify()
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            data = b""
            async for part in reader:
                data += await part.read()  # type: ignore[union-attr]
        self.uploads[request.match_info["id"]] = data
        await self._notify()
        return web.Response(text="OK - uploaded")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: Slack pushes envelopes down this socket; the app acks on it."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await self._notify()
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                await self._notify()
        return ws

    async def push(self, envelope: dict[str, Any]) -> None:
        await self.wait_for(lambda: self.sockets)
        await self.sockets[-1].send_str(json.dumps(envelope))

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_post("/upload/{id}", self._upload)
        app.router.add_get("/socket", self._socket)
        await self._serve(app, access_log=None)


def sign(body: str, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """The headers Slack adds: X-Slack-Signature is v0=HMAC-SHA256 of `v0:{ts}:{body}`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Reply:
    status: int
    body: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}


class SlackSender:
    """Posts to the bot's events endpoint the way Slack does (form bodies, signed)."""

    def __init__(
        self,
        events_url: str,
        fake: FakeSlack,
        team: str = "T1",
        *,
        org: str | None = None,
    ) -> None:
        """``org``: the workspace is part of an Enterprise Grid organisation that installed
        the app org-wide, and requests say so."""
        self.events_url = events_url
        self.fake = fake
        self.team = team
        self.org = org
        self.session = aiohttp.ClientSession()
        self._ids = itertools.count(1)

    async def close(self) -> None:
        await self.session.close()

    def response_url(self) -> str:
        return f"{self.fake.url}/response/{next(self._ids)}"

    async def post(
        self, body: str, content_type: str, headers: dict[str, str] | None = None
    ) -> Reply:
        all_headers = {"Content-Type": content_type, **(sign(body) if headers is None else headers)}
        async with self.session.post(self.events_url, data=body.encode(), headers=all_headers) as r:
            return Reply(r.status, await r.text())

    def command_body(
        self, text: str, *, user: str = "U1", channel: str = "C1", response_url: str | None = None
    ) -> str:
        grid = {"enterprise_id": self.org, "enterprise_name": "Org"} if self.org else {}
        return urlencode(
            {
                **grid,
                "token": "legacy-verification-token",
                "team_id": self.team,
                "team_domain": "testschool",
                "channel_id": channel,
                "channel_name": "sped-team" if channel.startswith("C") else "directmessage",
                "user_id": user,
                "user_name": "casey",
                "command": "/iep",
                "text": text,
                "api_app_id": "A1",
                "is_enterprise_install": "true" if self.org else "false",
                "response_url": response_url or self.response_url(),
                "trigger_id": f"{next(self._ids)}.1.abc",
            }
        )

    async def command(self, text: str, **kwargs: Any) -> Reply:
        return await self.post(
            self.command_body(text, **kwargs), "application/x-www-form-urlencoded"
        )

    async def interactive(self, payload: dict[str, Any]) -> Reply:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def press(
        self,
        action: dict[str, Any],
        *,
        user: str = "U1",
        channel: str = "C1",
        ephemeral: bool = True,
        home: bool = False,
        message: dict[str, Any] | None = None,
    ) -> Reply:
        """A block_actions payload for one pressed button (from a message, or the Home tab)."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": "casey", "name": "casey", "team_id": self.team},
            "api_app_id": "A1",
            "token": "legacy-verification-token",
            "trigger_id": f"{next(self._ids)}.1.abc",
            "team": {"id": self.team, "domain": "testschool"},
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [{**action, "block_id": "cmds_0", "action_ts": f"{time.time():.6f}"}],
        }
        if home:
            payload["container"] = {"type": "view", "view_id": "VHOME"}
            payload["view"] = {"id": "VHOME", "type": "home", "team_id": self.team, "blocks": []}
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": "1700000000.000100",
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            }
            payload["channel"] = {"id": channel, "name": "sped-team"}
            if message is not None:  # the message the button is on, as Slack attaches it
                payload["message"] = {"type": "message", "ts": "1700000000.000100", **message}
            payload["response_url"] = self.response_url()
        return await self.interactive(payload)

    async def submit(self, view: dict[str, Any], values: dict[str, Any], user: str = "U1") -> Reply:
        """A view_submission payload for a modal the bot opened, with the given state values."""
        payload = {
            "type": "view_submission",
            "team": {"id": self.team, "domain": "testschool"},
            "user": {"id": user, "username": "casey", "name": "casey", "team_id": self.team},
            "api_app_id": "A1",
            "token": "legacy-verification-token",
            "trigger_id": f"{next(self._ids)}.1.abc",
            "view": {
                **view,
                "id": "VMODAL",
                "team_id": self.team,
                "state": {"values": values},
                "hash": "1700000000.abc",
                "app_id": "A1",
                "bot_id": "BBOT",
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return await self.interactive(payload)

    async def event(self, event: dict[str, Any]) -> Reply:
        body = json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": self.team,
                "api_app_id": "A1",
                "event": event,
                "type": "event_callback",
                "event_id": f"Ev{next(self._ids)}",
                "event_time": int(time.time()),
                "enterprise_id": self.org,
                "authorizations": [
                    {
                        "enterprise_id": self.org,
                        "team_id": None if self.org else self.team,
                        "user_id": "UBOT",
                        "is_bot": True,
                        "is_enterprise_install": bool(self.org),
                    }
                ],
            }
        )
        return await self.post(body, "application/json")
