"""Command sync: only when the tree changed, or when forced by `iepbot discord sync`."""

from __future__ import annotations

import argparse
import asyncio
import json

from bots.discord.cli import run_sync
from tests.discord.conftest import logged_in_client
from tests.discord.fake_discord import APP_ID, TOKEN


async def test_first_start_syncs_the_whole_tree(client, fake):
    [sync] = fake.syncs
    assert sync.path == f"/api/v10/applications/{APP_ID}/commands"
    [iep] = sync.body
    subs = {o["name"]: o for o in iep["options"]}
    assert set(subs) >= {
        "ask", "topics", "compare", "deadlines", "track", "remind", "reminders", "cancel",
        "snooze", "calendar", "timezone", "lang", "help",
    }  # fmt: skip
    ask_term = subs["ask"]["options"][0]
    assert ask_term["autocomplete"] is True and ask_term["type"] == 3
    deadlines = {o["name"]: o for o in subs["deadlines"]["options"]}
    assert [c["value"] for c in deadlines["event"]["choices"]][:2] == ["consent", "eligibility"]
    assert deadlines["date"]["autocomplete"] is True
    to = {o["name"]: o for o in subs["remind"]["options"]}["to"]
    assert to["type"] == 7 and to["channel_types"] == [0, 5] and not to["required"]
    assert client.synced


async def test_restart_with_the_same_tree_does_not_sync(client, fake, ctx, tmp_path):
    second = await logged_in_client(ctx, tmp_path / "sync.json")
    await second.close()
    assert len(fake.syncs) == 1 and not second.synced


async def test_a_changed_tree_syncs_again(client, fake, ctx, tmp_path):
    state = tmp_path / "sync.json"
    stored = json.loads(state.read_text())
    state.write_text(json.dumps({key: "an older tree" for key in stored}))
    second = await logged_in_client(ctx, state)
    await second.close()
    assert len(fake.syncs) == 2 and second.synced


async def test_iepbot_discord_sync_forces_it(client, fake, tmp_path, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("DISCORD_API_URL", fake.url)
    args = argparse.Namespace(state=str(tmp_path / "sync.json"))
    assert await asyncio.to_thread(run_sync, args) == 0
    assert len(fake.syncs) == 2


async def test_sync_without_a_token_is_a_one_line_error(monkeypatch, capsys):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert run_sync(argparse.Namespace()) == 2
    assert "DISCORD_TOKEN" in capsys.readouterr().err
