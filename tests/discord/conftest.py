"""Fixtures: a fake Discord API, and a real discord.py client logged in against it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bots.context import Context
from bots.discord.adapter import IepClient, configure_api_url
from bots.discord.handler import Handler
from bots.discord.notifier import DiscordNotifier
from bots.runtime import Runtime, start_runtime
from tests.discord.fake_discord import TOKEN, FakeDiscord


@contextlib.asynccontextmanager
async def running_fake() -> AsyncIterator[FakeDiscord]:
    """The fake API, with discord.py pointed at it until the block ends."""
    server = FakeDiscord()
    await server.start()
    original = discord.http.Route.BASE
    configure_api_url(server.url)
    try:
        yield server
    finally:
        discord.http.Route.BASE = original
        await server.stop()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with running_fake() as server:
        yield server


async def logged_in_client(
    ctx: Context, sync_state: Path, notifier: DiscordNotifier | None = None, **options: object
) -> IepClient:
    handler = Handler(ctx, notifier or DiscordNotifier(), **options)  # type: ignore[arg-type]
    client = IepClient(handler, sync_state=sync_state)
    client.iep.install_channel_check()
    await client.login(TOKEN)
    return client


@contextlib.asynccontextmanager
async def client_with_runtime(
    tmp_path: Path, **options: object
) -> AsyncIterator[tuple[IepClient, Runtime]]:
    """The real runtime (store, scheduler, dispatcher) delivering through the client's notifier."""
    notifier = DiscordNotifier()
    runtime = await start_runtime(
        {"discord": notifier}, database_url=f"sqlite:///{tmp_path}/t.sqlite3"
    )
    client = await logged_in_client(runtime.ctx, tmp_path / "sync.json", notifier, **options)
    try:
        yield client, runtime
    finally:
        await client.close()
        await runtime.stop()


@pytest.fixture
async def client(fake: FakeDiscord, ctx: Context, tmp_path: Path) -> AsyncIterator[IepClient]:
    bot = await logged_in_client(ctx, tmp_path / "sync.json")
    try:
        yield bot
    finally:
        await bot.close()
