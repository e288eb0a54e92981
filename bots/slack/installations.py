"""Slack for many workspaces: who installed iepbot, with which bot token, on iepbot's own database.

slack_sdk ships SQLAlchemy installation and OAuth state stores; their async variants want an
AsyncEngine (aiosqlite or asyncpg), which iepbot does not carry, so the synchronous ones run on
the store's own engine in worker threads, as the router does. The tables themselves are created
by migration 0003 (scheduler/store/migrations), never by ``create_tables``.

A workspace's data is keyed by its *tenant id*: the team id (``T…``) for a workspace install,
the organisation id (``E…``) for an Enterprise Grid org-wide install.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, select

log = logging.getLogger(__name__)

STATE_EXPIRATION_SECONDS = 600
CLIENT_TTL = 60.0  # seconds a workspace's token is trusted before it is looked up again


def tenant_of(enterprise_id: str | None, team_id: str | None, org_install: bool) -> str:
    """The id a workspace's rows are stored under (see the module docstring)."""
    if org_install and enterprise_id:
        return enterprise_id
    return team_id or enterprise_id or ""


class Installations(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy installation store, called from worker threads."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        self.sync = SQLAlchemyInstallationStore(
            client_id=client_id, engine=engine, logger=logging.getLogger("iepbot.slack.oauth")
        )

    @property
    def logger(self) -> logging.Logger:
        return self.sync.logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.sync.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.sync.save_bot, bot)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return await asyncio.to_thread(
            lambda: self.sync.find_bot(
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            lambda: self.sync.find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(
            lambda: self.sync.delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        )

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            lambda: self.sync.delete_installation(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
            )
        )

    def _find_tenant_bot(self, tenant: str) -> Bot | None:
        """The bot of a tenant id: an org-wide install (``E…``), or a workspace install, which
        may sit inside a Grid organisation (its row then carries the organisation's id too)."""
        if tenant.startswith("E"):
            bot = self.sync.find_bot(enterprise_id=tenant, team_id=None, is_enterprise_install=True)
            if bot is not None:
                return bot
        c = self.sync.bots.c
        with self.sync.engine.connect() as conn:
            enterprise_id = conn.execute(
                select(c.enterprise_id)
                .where(c.client_id == self.sync.client_id, c.team_id == tenant)
                .order_by(c.installed_at.desc())
                .limit(1)
            ).scalar()
        return self.sync.find_bot(enterprise_id=enterprise_id, team_id=tenant)

    async def bot_token(self, tenant: str) -> str | None:
        bot = await asyncio.to_thread(self._find_tenant_bot, tenant)
        return bot.bot_token if bot is not None else None


class OAuthStates(AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store (one-time ``state`` values that tie the
    redirect back to the browser that started the install), called from worker threads."""

    def __init__(self, engine: Engine, expiration_seconds: int = STATE_EXPIRATION_SECONDS) -> None:
        self.sync = SQLAlchemyOAuthStateStore(
            expiration_seconds=expiration_seconds,
            engine=engine,
            logger=logging.getLogger("iepbot.slack.oauth"),
        )

    @property
    def logger(self) -> logging.Logger:
        return self.sync.logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.sync.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.sync.consume, state)


class NotInstalled(Exception):
    """No bot token for this workspace: it never installed iepbot, or uninstalled it."""


class Clients:
    """The Web API client for a workspace: the one token's (one school), or, with many
    workspaces, the workspace's own bot token from the installation store (attached when the
    adapter starts, as the store's engine exists only then).

    A workspace's token is looked up again after ``ttl`` seconds, so a reinstall with a new
    token (or one made through another replica) is picked up without a restart; the client is
    kept while the token stays the same.
    """

    def __init__(
        self,
        make: Callable[[str | None], AsyncWebClient],
        *,
        token: str | None = None,
        ttl: float = CLIENT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.make = make
        self.fixed = make(token) if token else None
        self.installations: Installations | None = None
        self.ttl = ttl
        self.clock = clock
        self._by_tenant: dict[str, tuple[float, AsyncWebClient]] = {}

    async def get(self, tenant: str | None) -> AsyncWebClient:
        if self.fixed is not None:
            return self.fixed
        key = tenant or ""
        found = self._by_tenant.get(key)
        if found is not None and self.clock() < found[0]:
            return found[1]
        token = None
        if key and self.installations is not None:
            token = await self.installations.bot_token(key)
        if not token:
            self._by_tenant.pop(key, None)
            raise NotInstalled()
        client = found[1] if found is not None and found[1].token == token else self.make(token)
        self._by_tenant[key] = (self.clock() + self.ttl, client)
        return client

    def drop_all(self) -> None:
        """Forget every workspace's client (they are made again, with a new HTTP session)."""
        self._by_tenant.clear()

    def forget(self, tenant: str) -> None:
        """Drop a cached client (its workspace uninstalled or its token was revoked)."""
        self._by_tenant.pop(tenant, None)
