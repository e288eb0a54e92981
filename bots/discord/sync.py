"""Publish `/iep` to Discord only when its definition changed.

Syncing (PUT /applications/{id}/commands) is rate limited to a few hundred a day and rewrites
every command; doing it on each start is the classic way bots get 429s and slow restarts. The
bot hashes the JSON Discord would receive and keeps the last synced hash per application in a
small file in the data folder; a start syncs only when the hash differs, and `iepbot discord
sync` forces it (after editing commands by hand in the developer portal, say).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import platformdirs
from discord import app_commands

log = logging.getLogger(__name__)
STATE_ENV = "IEPBOT_DISCORD_SYNC_FILE"
STATE_FILE = "discord-commands.json"


def default_state_path(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    if env.get(STATE_ENV):
        return Path(env[STATE_ENV])
    return Path(platformdirs.user_data_dir("iepbot")) / STATE_FILE


async def tree_payload(tree: app_commands.CommandTree[Any]) -> list[dict[str, Any]]:
    """The global commands exactly as ``tree.sync()`` sends them, localisations included when
    the tree has a translator: new Spanish is a changed tree, and gets synced."""
    translator = tree.translator
    payload = [
        await command.get_translated_payload(tree, translator)
        if translator is not None
        else command.to_dict(tree)
        for command in tree.get_commands()
    ]
    return sorted(payload, key=lambda c: (c.get("type", 1), c["name"]))


async def tree_hash(tree: app_commands.CommandTree[Any]) -> str:
    text = json.dumps(await tree_payload(tree), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _load(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save(path: Path, data: dict[str, str]) -> None:
    """Write atomically: a crash mid-write must not leave a file that hides a needed sync."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True))
    temporary.replace(path)


async def sync_if_changed(
    tree: app_commands.CommandTree[Any], state_path: Path, *, force: bool = False
) -> bool:
    """Sync when the tree differs from the last successful sync; True when it synced."""
    application_id = tree.client.application_id
    if application_id is None:
        raise app_commands.MissingApplicationID
    key = str(application_id)
    digest = await tree_hash(tree)
    state = _load(state_path)
    if not force and state.get(key) == digest:
        log.info("Discord commands unchanged; not syncing")
        return False
    synced = await tree.sync()
    state[key] = digest
    _save(state_path, state)
    log.info("synced %d Discord command(s)", len(synced))
    return True
