"""Fixtures: a fake Discord API, and a real discord.py client logged in against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bots.context import Context
from bots.discord.adapter import IepClient, configure_api_url
from bots.discord.handler import Handler
from bots.discord.notifier import DiscordNotifier
from tests.discord.fake_discord import TOKEN, FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    original = discord.http.Route.BASE
    configure_api_url(server.url)
    try:
        yield server
    finally:
        discord.http.Route.BASE = original
        await server.stop()


async def logged_in_client(ctx: Context, sync_state: Path, **options: object) -> IepClient:
    client = IepClient(Handler(ctx, DiscordNotifier(), **options), sync_state=sync_state)  # type: ignore[arg-type]
    client.iep.install_channel_check()
    await client.login(TOKEN)
    return client


@pytest.fixture
async def client(fake: FakeDiscord, ctx: Context, tmp_path: Path) -> AsyncIterator[IepClient]:
    bot = await logged_in_client(ctx, tmp_path / "sync.json")
    try:
        yield bot
    finally:
        await bot.close()
