"""`iepbot run`'s Slack adapter: credentials from the environment, Socket Mode or HTTP.

Socket Mode (``SLACK_APP_TOKEN``) needs no public URL, which suits a school server behind a
firewall; HTTP mode (``SLACK_SIGNING_SECRET``) serves ``POST /slack/events`` on ``--port`` and
lets bolt's request verification refuse anything unsigned or older than five minutes (401).

Many workspaces (``SLACK_CLIENT_ID`` + ``SLACK_CLIENT_SECRET`` + ``SLACK_SIGNING_SECRET``, no
``SLACK_BOT_TOKEN``): HTTP mode plus bolt's OAuth flow on ``GET /slack/install`` and
``/slack/oauth_redirect``; each request's token comes from the installation store (bolt's
authorize) and each delivery's from its workspace's installation.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import yaml
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bots.context import Context
from bots.log_privacy import withhold_library_logs
from bots.slack.app import SlackBot
from bots.slack.dms import DirectChannels
from bots.slack.installations import Clients, Installations, OAuthStates
from bots.slack.notifier import SlackNotifier
from bots.slack.people import Directory
from scheduler.delivery.messages import Outgoing
from scheduler.identity import Asker

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/slack/health"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
CHANNEL_CHECK_TIMEOUT = 8.0
CLIENT_TIMEOUT = 15
# Slack's timestamp header is Unix seconds; anything else is refused before slack_sdk sees it
# (its check does int() and raises on "abc" or "1e10", which was a 500).
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def _is_slack_body(text: str, content_type: str) -> bool:
    """A body bolt can route: a JSON object (Events API), or a form with a slash command, an
    SSL check, or a ``payload`` that is a JSON object (interactivity). Anything else is a 400
    here, rather than a 500 or an "unhandled request" line (with the body) inside bolt."""
    try:
        if content_type == "application/json":
            body = json.loads(text)
            if not isinstance(body, dict):
                return False
            # bolt reads event.type of every event_callback before any listener runs
            return body.get("type") != "event_callback" or isinstance(body.get("event"), dict)
        form = parse_qs(text, keep_blank_values=True)
        if "payload" in form:
            return _routable_payload(json.loads(form["payload"][0]))
    except ValueError:
        return False
    return "command" in form or "ssl_check" in form


# Keys bolt's middleware reads into before any listener runs (ids, the channel, the view...).
_OBJECT_KEYS = ("user", "team", "channel", "enterprise", "container", "view", "message")


def _routable_payload(payload: object) -> bool:
    """An interactivity payload of the shape bolt's middleware and our listeners assume: the
    objects ids are read from are objects, and a button press has at least one well-formed
    action (bolt indexes ``actions[0]["action_id"]``)."""
    if not isinstance(payload, dict):
        return False
    if any(
        payload.get(key) is not None and not isinstance(payload[key], dict) for key in _OBJECT_KEYS
    ):
        return False
    view = payload.get("view")
    if isinstance(view, dict) and not isinstance(view.get("type"), str):
        return False  # bolt's workflow-step check reads view["type"] of every submission
    if payload.get("type") in ("view_submission", "view_closed") and not isinstance(view, dict):
        return False
    if payload.get("type") in ("block_actions", "interactive_message") or "actions" in payload:
        actions = payload.get("actions")
        return isinstance(actions, list) and bool(actions) and all(map(_action_ok, actions))
    return True


def _action_ok(action: object) -> bool:
    """One pressed element as Slack sends it: a string action_id; value and selected_option,
    when there, a string and an object."""
    return (
        isinstance(action, dict)
        and isinstance(action.get("action_id"), str)
        and isinstance(action.get("value", ""), str | None)
        and isinstance(action.get("selected_option", {}), dict | None)
    )


def slack_signature_ok(verifier: SignatureVerifier, body: str, headers: Mapping[str, str]) -> bool:
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not _TIMESTAMP.fullmatch(timestamp) or not signature:
        return False
    return verifier.is_valid(body=body, timestamp=timestamp, signature=signature)


MANIFEST = Path(__file__).resolve().parent.parent / "slack_manifest.yaml"


# slack_sdk logs request and response bodies at DEBUG (what people typed, their reminders,
# calendar feed addresses) and bolt logs its answers: never below INFO, whatever the root level.
CHATTY_LOGGERS = ("slack_sdk", "slack_bolt", "iepbot.slack.bolt")


def quiet_slack_debug() -> None:
    for name in CHATTY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)


def api_base_url(url: str | None) -> str:
    """slack_sdk joins method names onto the base URL, so it must end with a slash."""
    url = (url or "").strip() or AsyncWebClient.BASE_URL
    return url if url.endswith("/") else url + "/"


def bot_scopes() -> list[str]:
    """The bot scopes an install asks for: the manifest's, so they are written in one place."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return [str(scope) for scope in manifest["oauth_config"]["scopes"]["bot"]]


@dataclass(frozen=True)
class OAuthApp:
    """Many workspaces: the app's OAuth credentials (Basic Information page)."""

    client_id: str
    client_secret: str
    redirect_uri: str | None = None  # SLACK_REDIRECT_URI; Slack's app settings decide if unset


class SlackAdapter:
    name = "slack"
    leader_only = False

    def __init__(
        self,
        *,
        bot_token: str | None = None,
        signing_secret: str | None = None,
        app_token: str | None = None,
        api_url: str | None = None,
        port: int = 3000,
        host: str = "0.0.0.0",
        admin_group: str | None = None,
        oauth: OAuthApp | None = None,
    ) -> None:
        if oauth is not None:
            if bot_token:
                raise ValueError("use SLACK_BOT_TOKEN (one workspace) or OAuth, not both")
            if not signing_secret:
                raise ValueError("OAuth (many workspaces) needs SLACK_SIGNING_SECRET")
        elif not bot_token:
            raise ValueError("Slack needs SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and _SECRET")
        if not signing_secret and not app_token:
            raise ValueError("Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET")
        withhold_library_logs()
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self.oauth = oauth
        # Many workspaces means installs through a public URL: HTTP mode.
        self.mode = "socket" if app_token and oauth is None else "http"
        self.signing_secret = signing_secret
        self.app_token = app_token
        self.port = port
        self.host = host
        base_url = api_base_url(api_url)
        # One HTTP session (connection pool) for every Web API client, made in start(): without
        # it slack_sdk opens a new session, hence a new connection (and TLS handshake), for
        # each call, which in a burst of deliveries costs more than the posts themselves.
        self._session: aiohttp.ClientSession | None = None

        # Listeners may retry a dropped connection once (an answer is idempotent enough) but
        # never a 429: nothing interactive should sit out a Retry-After.
        def listener_client(token: str | None) -> AsyncWebClient:
            return AsyncWebClient(
                token=token,
                base_url=base_url,
                timeout=CLIENT_TIMEOUT,
                retry_handlers=[AsyncConnectionErrorRetryHandler()],
                session=self._session,
            )

        # Deliveries: no retry handlers at all; the dispatcher retries and paces.
        def delivery_client(token: str | None) -> AsyncWebClient:
            return AsyncWebClient(
                token=token,
                base_url=base_url,
                timeout=CLIENT_TIMEOUT,
                retry_handlers=[],
                session=self._session,
            )

        # bolt's own client: the one token, or none (bolt then gives each request a copy with
        # its workspace's token from ``authorize``; the OAuth flow calls oauth.v2.access on it).
        self.client = listener_client(bot_token)
        self.listener_clients = Clients(listener_client, token=bot_token)
        # DM channel ids: learned by the command listeners, used by deliveries.
        self.dms = DirectChannels()
        self.notifier = SlackNotifier(
            Clients(delivery_client, token=bot_token), on_delivered=self._delivered, dms=self.dms
        )
        self.directory = Directory(
            self.listener_clients,
            admin_group=admin_group,
            walled=oauth is not None,
            dms=self.dms,
        )
        self.installations: Installations | None = None
        self.bot: SlackBot | None = None
        self.app: AsyncApp | None = None
        self._runner: web.AppRunner | None = None
        self._socket: Any = None
        self.bound_port: int | None = None

    @property
    def url(self) -> str:
        """The events URL actually served (HTTP mode), with the real port when port was 0."""
        return f"http://{self.host}:{self.bound_port}{EVENTS_PATH}"

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.bound_port}"

    def build_app(self, ctx: Context) -> AsyncApp:
        quiet_slack_debug()
        options: dict[str, Any] = {}
        if self.oauth is not None:
            if ctx.store is None:
                raise ValueError("Slack for many workspaces needs the store (its installations)")
            self.installations = Installations(self.oauth.client_id, ctx.store.engine)
            for clients in (self.listener_clients, self.notifier.clients):
                clients.installations = self.installations
            options["installation_store"] = self.installations
            options["installation_store_bot_only"] = True
            options["oauth_settings"] = AsyncOAuthSettings(
                client_id=self.oauth.client_id,
                client_secret=self.oauth.client_secret,
                scopes=bot_scopes(),
                redirect_uri=self.oauth.redirect_uri,
                install_path=INSTALL_PATH,
                redirect_uri_path=REDIRECT_PATH,
                installation_store=self.installations,
                installation_store_bot_only=True,
                state_store=OAuthStates(ctx.store.engine),
            )
        return AsyncApp(
            client=self.client,
            signing_secret=self.signing_secret or "",
            request_verification_enabled=self.mode == "http",
            process_before_response=False,
            logger=logging.getLogger("iepbot.slack.bolt"),
            **options,
        )

    def _removed(self, tenant: str) -> None:
        self.notifier.clients.forget(tenant)
        self.dms.forget_workspace(tenant)

    def _open_session(self) -> None:
        """The shared connection pool, on the running loop; clients made before it (the one
        token's) get it too. Its timeout is the clients' own (slack_sdk applies a client's
        timeout only to sessions it makes itself). No connection limit: the dispatcher bounds
        how many sends are in flight."""
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=CLIENT_TIMEOUT),
            connector=aiohttp.TCPConnector(limit=0),
        )
        for client in (self.client, self.listener_clients.fixed, self.notifier.clients.fixed):
            if client is not None:
                client.session = self._session
        for clients in (self.listener_clients, self.notifier.clients):
            clients.drop_all()  # made with the old session (or none): made again on next use

    async def _close_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()  # clients left holding it fall back to a session per call

    async def start(self, ctx: Context) -> None:
        self._open_session()
        try:
            await self._start(ctx)
        except BaseException:
            await self._close_session()
            raise

    async def _start(self, ctx: Context) -> None:
        self.dms.store = ctx.store
        self.app = self.build_app(ctx)
        self.bot = SlackBot(
            self.app,
            ctx,
            self.directory,
            installations=self.installations,
            on_removed=self._removed,
        )
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
        if self.oauth is not None:
            # bolt's OAuth flow: the "Add to Slack" page (it sets the state cookie) and the
            # redirect that exchanges the code (oauth.v2.access) and saves the installation.
            web_app.router.add_get(INSTALL_PATH, self._install)
            web_app.router.add_get(REDIRECT_PATH, self._redirect)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self.port
        log.info("slack: serving POST %s on port %s", EVENTS_PATH, self.bound_port)

    def alive(self) -> bool:
        """Socket Mode reconnects by itself (slack_sdk); HTTP mode serves until stopped."""
        return self._socket is not None or self._runner is not None

    def reason(self) -> str | None:
        return None

    async def is_connected(self) -> bool:
        """For /healthz: serving HTTP, or the Socket Mode connection is up."""
        if self._socket is not None:
            connection = self._socket.client
            return bool(await connection.is_connected())
        return self._runner is not None

    async def _handle(self, request: web.Request) -> web.Response:
        """Verify, then check the shape, then hand over to bolt: a bad request is answered here
        (401 unsigned or stale, 400 malformed) without reaching bolt's logging at all."""
        assert self.app is not None and self._verifier is not None
        try:  # Slack signs UTF-8 text; other bytes cannot even be checked (slack_sdk decodes)
            text = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:
            return web.json_response({"error": "malformed request"}, status=400)
        if not slack_signature_ok(self._verifier, text, request.headers):
            return web.json_response({"error": "invalid request"}, status=401)
        if not _is_slack_body(text, request.content_type):
            return web.json_response({"error": "malformed request"}, status=400)
        try:
            bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        except Exception as exc:  # bolt choked on a shape no check above foresaw: still a 400
            log.warning("slack: a signed request bolt could not route: %s", type(exc).__name__)
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(bolt_response)

    async def _install(self, request: web.Request) -> web.Response:
        """The Add to Slack page; bolt issues the OAuth state and sets its browser cookie."""
        assert self.app is not None and self.app.oauth_flow is not None
        bolt_response = await self.app.oauth_flow.handle_installation(
            await to_bolt_request(request)
        )
        return await to_aiohttp_response(bolt_response)

    async def _redirect(self, request: web.Request) -> web.Response:
        """Slack sends the browser back here: bolt checks the state against the cookie,
        exchanges the code (oauth.v2.access) and saves the installation."""
        assert self.app is not None and self.app.oauth_flow is not None
        bolt_response = await self.app.oauth_flow.handle_callback(await to_bolt_request(request))
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
                self.directory.is_member(asker.workspace_id, asker.user_id, channel_id), loop
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
            self.bot.refresh_home(message.owner_id, message.workspace_id or "", coalesce=True)
        if self.bot is not None and message.set_by is not None:  # for someone else: theirs too
            self.bot.refresh_home(message.target_id, message.workspace_id or "", coalesce=True)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.bot is not None:
            await self.bot.close()
        await self._close_session()


def from_env(env: Mapping[str, str], options: Mapping[str, Any]) -> SlackAdapter | None:
    """The adapter when Slack credentials are set, else None (Slack is simply not used).

    ``SLACK_BOT_TOKEN``: one workspace. Without it, ``SLACK_CLIENT_ID``, ``SLACK_CLIENT_SECRET``
    and ``SLACK_SIGNING_SECRET``: many workspaces, each installing through ``/slack/install``.
    """
    token = (env.get("SLACK_BOT_TOKEN") or "").strip()
    app_token = (env.get("SLACK_APP_TOKEN") or "").strip() or None
    secret = (env.get("SLACK_SIGNING_SECRET") or "").strip() or None
    client_id = (env.get("SLACK_CLIENT_ID") or "").strip()
    client_secret = (env.get("SLACK_CLIENT_SECRET") or "").strip()
    oauth: OAuthApp | None = None
    if not token:
        if client_id and client_secret and secret:
            oauth = OAuthApp(
                client_id, client_secret, (env.get("SLACK_REDIRECT_URI") or "").strip() or None
            )
        elif client_id or client_secret:
            log.warning(
                "slack: many workspaces need SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
                "SLACK_SIGNING_SECRET; Slack is off"
            )
            return None
        else:
            if app_token or secret:
                log.warning("slack: SLACK_BOT_TOKEN is missing; Slack is off")
            return None
    elif client_id or client_secret:
        log.warning("slack: SLACK_BOT_TOKEN is set, so one workspace; SLACK_CLIENT_* are unused")
    if oauth is None and not app_token and not secret:
        log.warning("slack: set SLACK_APP_TOKEN or SLACK_SIGNING_SECRET; Slack is off")
        return None
    return SlackAdapter(
        bot_token=token or None,
        signing_secret=secret,
        app_token=app_token,
        api_url=env.get("SLACK_API_URL"),
        port=int(3000 if options.get("port") is None else options["port"]),
        host=str(options.get("host") or "0.0.0.0"),
        admin_group=env.get("IEPBOT_SLACK_ADMIN_GROUP"),
        oauth=oauth,
    )
