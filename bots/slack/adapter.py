"""`iepbot run`'s Slack adapter: credentials from the environment, Socket Mode or HTTP.

Socket Mode (``SLACK_APP_TOKEN``) needs no public URL, which suits a school server behind a
firewall; HTTP mode (``SLACK_SIGNING_SECRET``) serves ``POST /slack/events`` on ``--port`` and
lets bolt's request verification refuse anything unsigned or older than five minutes (401).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bots.context import Context
from bots.slack.app import SlackBot
from bots.slack.notifier import SlackNotifier
from bots.slack.people import Directory
from scheduler.delivery.messages import Outgoing
from scheduler.identity import Asker

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/slack/health"
CHANNEL_CHECK_TIMEOUT = 8.0
CLIENT_TIMEOUT = 15


def api_base_url(url: str | None) -> str:
    """slack_sdk joins method names onto the base URL, so it must end with a slash."""
    url = (url or "").strip() or AsyncWebClient.BASE_URL
    return url if url.endswith("/") else url + "/"


class SlackAdapter:
    name = "slack"
    leader_only = False

    def __init__(
        self,
        *,
        bot_token: str,
        signing_secret: str | None = None,
        app_token: str | None = None,
        api_url: str | None = None,
        port: int = 3000,
        host: str = "0.0.0.0",
        admin_group: str | None = None,
    ) -> None:
        if not signing_secret and not app_token:
            raise ValueError("Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET")
        self.mode = "socket" if app_token else "http"
        self.signing_secret = signing_secret
        self.app_token = app_token
        self.port = port
        self.host = host
        base_url = api_base_url(api_url)
        # Listeners may retry a dropped connection once (an answer is idempotent enough) but
        # never a 429: nothing interactive should sit out a Retry-After.
        self.client = AsyncWebClient(
            token=bot_token,
            base_url=base_url,
            timeout=CLIENT_TIMEOUT,
            retry_handlers=[AsyncConnectionErrorRetryHandler()],
        )
        # Deliveries: no retry handlers at all; the dispatcher retries and paces.
        self.notifier = SlackNotifier(
            AsyncWebClient(
                token=bot_token, base_url=base_url, timeout=CLIENT_TIMEOUT, retry_handlers=[]
            ),
            on_delivered=self._delivered,
        )
        self.directory = Directory(self.client, admin_group=admin_group)
        self.bot: SlackBot | None = None
        self.app: AsyncApp | None = None
        self._runner: web.AppRunner | None = None
        self._socket: Any = None
        self.bound_port: int | None = None

    @property
    def url(self) -> str:
        """The events URL actually served (HTTP mode), with the real port when port was 0."""
        return f"http://{self.host}:{self.bound_port}{EVENTS_PATH}"

    def build_app(self) -> AsyncApp:
        return AsyncApp(
            client=self.client,
            signing_secret=self.signing_secret or "",
            request_verification_enabled=self.mode == "http",
            process_before_response=False,
            logger=logging.getLogger("iepbot.slack.bolt"),
        )

    async def start(self, ctx: Context) -> None:
        self.app = self.build_app()
        self.bot = SlackBot(self.app, ctx, self.directory)
        self._install_channel_check(ctx, asyncio.get_running_loop())
        if self.mode == "socket":
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, self.app_token, web_client=self.client)
            await self._socket.connect_async()
            log.info("slack: connected in Socket Mode")
            return
        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, self._handle)
        web_app.router.add_get(HEALTH_PATH, self._health)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self.port
        log.info("slack: serving POST %s on port %s", EVENTS_PATH, self.bound_port)

    async def is_connected(self) -> bool:
        """For /healthz: serving HTTP, or the Socket Mode connection is up."""
        if self._socket is not None:
            connection = self._socket.client
            return bool(await connection.is_connected())
        return self._runner is not None

    async def _handle(self, request: web.Request) -> web.Response:
        assert self.app is not None
        bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    def _install_channel_check(self, ctx: Context, loop: asyncio.AbstractEventLoop) -> None:
        """Channel reminders only from channel members. The router calls this from its worker
        thread, so the check hops onto the event loop and waits there, with a deadline; an
        unknown answer is a no. Other platforms' askers go to whatever check was set before."""
        previous = ctx.channel_check

        def check(asker: Asker, channel_id: str) -> bool:
            if asker.platform != "slack":
                return previous(asker, channel_id) if previous else True
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                pass
            else:  # on the loop's own thread, waiting below would deadlock
                log.error("channel check called on the event loop thread")
                return False
            future = asyncio.run_coroutine_threadsafe(
                self.directory.is_member(asker.user_id, channel_id), loop
            )
            try:
                return future.result(timeout=CHANNEL_CHECK_TIMEOUT)
            except Exception as exc:
                future.cancel()
                log.warning("channel check failed: %s", type(exc).__name__)
                return False

        ctx.channel_check = check

    async def _delivered(self, message: Outgoing) -> None:
        if self.bot is not None and message.owner_id:
            self.bot.refresh_home(message.owner_id, message.workspace_id or "")

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.bot is not None:
            await self.bot.drain()


def from_env(env: Mapping[str, str], options: Mapping[str, Any]) -> SlackAdapter | None:
    """The adapter when Slack credentials are set, else None (Slack is simply not used)."""
    token = (env.get("SLACK_BOT_TOKEN") or "").strip()
    app_token = (env.get("SLACK_APP_TOKEN") or "").strip() or None
    secret = (env.get("SLACK_SIGNING_SECRET") or "").strip() or None
    if not token:
        if app_token or secret:
            log.warning("slack: SLACK_BOT_TOKEN is missing; Slack is off")
        return None
    if not app_token and not secret:
        log.warning("slack: set SLACK_APP_TOKEN or SLACK_SIGNING_SECRET; Slack is off")
        return None
    return SlackAdapter(
        bot_token=token,
        signing_secret=secret,
        app_token=app_token,
        api_url=env.get("SLACK_API_URL"),
        port=int(3000 if options.get("port") is None else options["port"]),
        host=str(options.get("host") or "0.0.0.0"),
        admin_group=env.get("IEPBOT_SLACK_ADMIN_GROUP"),
    )
