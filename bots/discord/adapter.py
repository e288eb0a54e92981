"""`iepbot run`'s Discord side: a discord.py client in the shared event loop.

Intents: only ``guilds`` (not privileged). Slash commands and buttons arrive as interactions,
which need no intent; the guild cache only serves the admin-role-by-name and channel checks.
No message content, no members, no presences.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import discord
import yarl

from bots.context import Context
from bots.discord.commands import build_tree
from bots.discord.handler import Handler
from bots.discord.notifier import RATE_LIMIT_TIMEOUT, DiscordNotifier
from bots.discord.sync import default_state_path, sync_if_changed
from bots.discord.translator import install_translator
from bots.discord.views import RouterButton
from bots.log_privacy import withhold_library_logs

log = logging.getLogger(__name__)
ADMIN_ROLE_ENV = "IEPBOT_DISCORD_ADMIN_ROLE"
LOGIN_TIMEOUT = 30.0
_VERSIONED = re.compile(r"/api/v\d+/?$")


def configure_api_url(url: str | None) -> None:
    """Point discord.py's REST client at another base (a proxy, or the tests' fake API)."""
    if not url:
        return
    url = url.rstrip("/")
    discord.http.Route.BASE = url if _VERSIONED.search(url) else f"{url}/api/v10"


def configure_gateway_url(url: str | None) -> None:
    """Point discord.py's first gateway connection at another address (a proxy, a test server).

    discord.py connects to ``DiscordWebSocket.DEFAULT_GATEWAY`` (a class attribute) and never
    asks ``/gateway/bot`` for it; resumes then use the ``resume_gateway_url`` that server's
    READY gives, so one setting covers both."""
    if not url:
        return
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url.strip())


# discord.py logs request bodies and gateway events at DEBUG: that is user text (and interaction
# tokens appear in webhook URLs). Those loggers never go below INFO, whatever the root level.
CHATTY_LOGGERS = ("discord.http", "discord.gateway", "discord.webhook.async_", "discord.state")


def quiet_discord_debug() -> None:
    for name in CHATTY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)


def intents() -> discord.Intents:
    return discord.Intents(guilds=True)


def client_options(notifier: object) -> dict[str, Any]:
    """discord.Client's options for iepbot: how long discord.py may wait on a 429 itself,
    and the trace by which the notifier reads Discord's rate-limit headers (notifier.py)."""
    options: dict[str, Any] = {
        "intents": intents(),
        "allowed_mentions": discord.AllowedMentions.none(),
        "max_ratelimit_timeout": RATE_LIMIT_TIMEOUT,
    }
    trace = getattr(notifier, "http_trace", None)
    if trace is not None:
        options["http_trace"] = trace
    return options


class IepClient(discord.Client):
    """A client whose ``iep`` attribute is the handler buttons and the tree call back into."""

    def __init__(
        self, handler: Handler, *, sync_state: Path, force_sync: bool = False, **options: Any
    ) -> None:
        super().__init__(**{**client_options(handler.notifier), **options})
        quiet_discord_debug()
        withhold_library_logs()
        self.iep = handler
        self.tree = build_tree(self, handler)
        self.sync_state = sync_state
        self.force_sync = force_sync
        self.synced = False
        self.logged_in = asyncio.Event()
        handler.get_channel = self.get_channel
        handler.notifier.client = self

    async def setup_hook(self) -> None:
        """After login, before the gateway: register buttons and the Spanish for the command
        picker, then sync only if needed."""
        self.add_dynamic_items(RouterButton)
        await install_translator(self.tree)
        try:
            self.synced = await sync_if_changed(self.tree, self.sync_state, force=self.force_sync)
        except discord.HTTPException as exc:
            # Commands already published keep working; the next start tries again.
            log.warning("Discord command sync failed: HTTP %s code %s", exc.status, exc.code)
        self.logged_in.set()


class DiscordAdapter:
    name = "discord"
    leader_only = True

    def __init__(
        self,
        token: str,
        *,
        admin_role: str | None = None,
        sync_state: Path | None = None,
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._token = token
        self.admin_role = admin_role
        self.sync_state = sync_state or default_state_path()
        self.client_options = dict(client_options or {})
        self.notifier = DiscordNotifier()
        self.client: IepClient | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, ctx: Context) -> None:
        """Log in (REST), then leave the gateway connecting in a task of this loop."""
        handler = Handler(ctx, self.notifier, admin_role=self.admin_role)
        handler.install_channel_check()
        client = self.client = IepClient(handler, sync_state=self.sync_state, **self.client_options)
        self._task = asyncio.create_task(client.start(self._token), name="discord-client")
        self._task.add_done_callback(_log_end)
        logged_in = asyncio.create_task(client.logged_in.wait())
        try:
            await asyncio.wait(
                {self._task, logged_in},
                timeout=LOGIN_TIMEOUT,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            logged_in.cancel()
        if self._task.done() and not client.logged_in.is_set():
            self._task.result()  # a bad token raises LoginFailure here, at start-up
        if not client.logged_in.is_set():
            log.warning("Discord login is slow; still trying in the background")

    def alive(self) -> bool:
        """The client task runs (connected, or reconnecting by itself). It ends for good when
        the very first gateway connection fails; the supervisor then starts a new client."""
        return self._task is not None and not self._task.done()

    def reason(self) -> str | None:
        """Why the client task ended: the exception type only (a message may hold user text)."""
        task = self._task
        if task is None or not task.done() or task.cancelled():
            return None
        error = task.exception()
        return type(error).__name__ if error is not None else "ended"

    def is_connected(self) -> bool:
        """For /healthz: the gateway session is up and ready."""
        return self.client is not None and self.client.is_ready() and not self.client.is_closed()

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


def _log_end(task: asyncio.Task[None]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.error("the Discord client stopped: %s", type(error).__name__)


def from_env(env: Mapping[str, str], options: Mapping[str, Any]) -> DiscordAdapter | None:
    """The adapter when DISCORD_TOKEN is set; DISCORD_API_URL repoints the REST client and
    DISCORD_GATEWAY_URL the gateway."""
    token = (env.get("DISCORD_TOKEN") or "").strip()
    if not token:
        return None
    configure_api_url(env.get("DISCORD_API_URL"))
    configure_gateway_url(env.get("DISCORD_GATEWAY_URL"))
    return DiscordAdapter(
        token,
        admin_role=env.get(ADMIN_ROLE_ENV),
        sync_state=default_state_path(dict(env)),
    )
