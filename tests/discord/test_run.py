"""`iepbot run` with only DISCORD_TOKEN: the Discord client, the store and the scheduler share
one event loop, and a command that touches the store is answered over the gateway."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import discord
import yarl

from bots.run import serve
from tests.discord import payloads
from tests.discord.fake_discord import TOKEN


async def test_run_starts_discord_alongside_the_scheduler(fake, tmp_path, monkeypatch):
    # DISCORD_GATEWAY_URL sets discord.py's class attribute; monkeypatch puts it back after.
    socket = discord.gateway.DiscordWebSocket
    monkeypatch.setattr(socket, "DEFAULT_GATEWAY", socket.DEFAULT_GATEWAY)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    env = {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_URL": fake.url,
        "DISCORD_GATEWAY_URL": fake.url.replace("http://", "ws://") + "/gateway",
        "IEPBOT_DISCORD_SYNC_FILE": str(tmp_path / "sync.json"),
    }
    stop = asyncio.Event()
    running = asyncio.create_task(
        serve(
            env,
            port=0,
            host="127.0.0.1",
            database_url=f"sqlite:///{tmp_path}/t.sqlite3",
            grace=timedelta(hours=1),
            stop=stop,
        )
    )
    try:
        await asyncio.wait_for(fake.identified.wait(), 10)
        assert fake.gateway_events is not None
        payload = payloads.command("remind", when="tomorrow 9am", what="bring the draft")
        await fake.gateway_events.put({"t": "INTERACTION_CREATE", "d": payload})
        await fake.wait_for(lambda: len(fake.followups) >= 1)
        assert fake.followups[0].body["embeds"][0]["title"] == "Reminder #1 set"
        assert len(fake.syncs) == 1
        assert yarl.URL(env["DISCORD_GATEWAY_URL"]) == socket.DEFAULT_GATEWAY
    finally:
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0
