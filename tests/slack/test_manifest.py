"""The app manifest grants what the adapter calls, and declares the command and events it uses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
NEEDS = {  # Web API method (as slack_sdk names it) -> bot scope it needs; None: no scope
    "chat_postMessage": "chat:write",
    "conversations_open": "im:write",
    "conversations_members": "channels:read",
    "conversations_history": "channels:history",
    "files_upload_v2": "files:write",
    "users_info": "users:read",
    "usergroups_users_list": "usergroups:read",
    "usergroups_list": "usergroups:read",
    "views_open": None,
    "views_publish": None,
}


def test_manifest_covers_every_api_call():
    manifest = yaml.safe_load((ROOT / "bots" / "slack_manifest.yaml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    source = "\n".join(p.read_text() for p in (ROOT / "bots" / "slack").glob("*.py"))
    called = set(re.findall(r"client\.([a-z]+_[A-Za-z0-9_]+)\(", source))
    assert called, "no API calls found"
    assert called <= set(NEEDS), called - set(NEEDS)
    assert {NEEDS[m] for m in called if NEEDS[m]} <= scopes
    assert "commands" in scopes
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/iep" and command["should_escape"] is True
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    listened = set(re.findall(r'app\.event\("([a-z_]+)"\)', source))
    assert set(events) == listened == {"app_home_opened", "app_uninstalled", "tokens_revoked"}
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
