"""`iepbot run`'s Discord adapter end to end: REST login, gateway READY, an interaction pushed
over the gateway, the answer at the fake API. One event loop throughout."""

from __future__ import annotations

import asyncio

import discord
import pytest
import yarl

from bots.discord.adapter import from_env
from tests.discord import payloads
from tests.discord.fake_discord import TOKEN


def test_no_token_no_adapter():
    assert from_env({}, {}) is None


async def test_start_connects_and_answers_over_the_gateway(fake, ctx, tmp_path, monkeypatch):
    # discord.py connects to its built-in gateway address first; aim it at the fake.
    gateway = yarl.URL(fake.url.replace("http://", "ws://") + "/gateway")
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", gateway)
    adapter = from_env(
        {
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_API_URL": fake.url,
            "IEPBOT_DISCORD_SYNC_FILE": str(tmp_path / "s.json"),
        },
        {},
    )
    assert adapter is not None and adapter.name == "discord"
    await adapter.start(ctx)
    try:
        assert adapter.client is not None and adapter.client.logged_in.is_set()
        assert adapter.notifier.client is adapter.client
        await asyncio.wait_for(fake.identified.wait(), 5)
        assert fake.gateway_events is not None
        await fake.gateway_events.put(
            {"t": "INTERACTION_CREATE", "d": payloads.command("ask", term="iep")}
        )
        await fake.wait_for(lambda: len(fake.followups) == 1)
        assert fake.followups[0].body["embeds"][0]["title"].startswith("Individualized")
        assert asyncio.get_running_loop() is adapter.client.loop
    finally:
        await adapter.stop()
    assert adapter.client.is_closed()


async def test_a_bad_token_fails_start(fake, ctx, tmp_path):
    fake.reject_token = True
    adapter = from_env(
        {
            "DISCORD_TOKEN": "wrong",
            "DISCORD_API_URL": fake.url,
            "IEPBOT_DISCORD_SYNC_FILE": str(tmp_path / "s.json"),
        },
        {},
    )
    assert adapter is not None
    with pytest.raises(discord.LoginFailure):
        await adapter.start(ctx)
    await adapter.stop()


async def test_a_failed_first_gateway_connection_is_restarted(
    fake, ctx, tmp_path, monkeypatch, caplog
):
    # issue 15, point 4: when the very first gateway connection fails (a DNS or network blip
    # at start-up), discord.py's reconnect path raises and the client task ends for good. The
    # supervisor notices, logs the reason, and starts a new client once the network is back.
    import logging

    from bots.supervisor import Supervisor
    from tests.local_server import free_port

    dead = yarl.URL(f"ws://127.0.0.1:{free_port()}/gateway")
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", dead)
    adapter = from_env(
        {
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_API_URL": fake.url,
            "IEPBOT_DISCORD_SYNC_FILE": str(tmp_path / "s.json"),
        },
        {},
    )
    assert adapter is not None
    restarted: list[str] = []
    supervisor = Supervisor(interval=0.05, first_backoff=0.05, on_restart=restarted.append)
    supervisor.watch(
        "discord",
        alive=adapter.alive,
        start=lambda: adapter.start(ctx),
        stop=adapter.stop,
        reason=adapter.reason,
    )
    caplog.set_level(logging.INFO)
    await adapter.start(ctx)
    try:
        await asyncio.wait_for(_until(lambda: not adapter.alive()), 20)  # the blip kills it
        gateway = yarl.URL(fake.url.replace("http://", "ws://") + "/gateway")
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", gateway)
        supervisor.start()
        await asyncio.wait_for(fake.identified.wait(), 20)
        assert restarted and set(restarted) == {"discord"}
        assert supervisor.state("discord") in ("running", "restarting")
        await asyncio.wait_for(_until(lambda: supervisor.state("discord") == "running"), 5)
        stopped = [r.getMessage() for r in caplog.records if "discord stopped (" in r.getMessage()]
        assert stopped, "the reason must be logged"
    finally:
        await supervisor.stop()
        await adapter.stop()


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.02)
