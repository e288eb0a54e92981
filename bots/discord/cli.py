"""`iepbot discord sync`: publish the commands now, whatever the stored hash says.

Kept apart from ``sync`` (which the adapter uses at every start) so that the adapter and the
command line each import the sync logic and nothing imports back.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import discord

from bots.context import Context
from bots.discord.adapter import IepClient, configure_api_url
from bots.discord.handler import Handler
from bots.discord.notifier import DiscordNotifier
from bots.discord.sync import default_state_path


async def _sync_now(token: str, state_path: Path) -> int:
    client = IepClient(
        Handler(Context.default(), DiscordNotifier()), sync_state=state_path, force_sync=True
    )
    try:
        await client.login(token)  # runs setup_hook, which syncs
    finally:
        await client.close()
    return 0 if client.synced else 1


def run_sync(args: argparse.Namespace) -> int:
    """`iepbot discord sync`: publish the commands now, whatever the stored hash says."""
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        print("error: set DISCORD_TOKEN to sync the Discord commands", file=sys.stderr)
        return 2
    configure_api_url(os.environ.get("DISCORD_API_URL"))
    state = Path(args.state) if getattr(args, "state", None) else default_state_path()
    try:
        code = asyncio.run(_sync_now(token, state))
    except discord.LoginFailure:
        print("error: Discord rejected DISCORD_TOKEN", file=sys.stderr)
        return 2
    except discord.HTTPException as exc:
        print(f"error: Discord answered HTTP {exc.status} (code {exc.code})", file=sys.stderr)
        return 1
    if code == 0:
        print("Discord commands synced.")
    else:
        print("error: the Discord commands were not synced", file=sys.stderr)
    return code
