"""Interaction payloads shaped exactly as Discord sends them over the gateway."""

from __future__ import annotations

from typing import Any

from tests.discord.fake_discord import APP_ID, snowflake

GUILD = "1200000000000000001"
CHANNEL = "1200000000000000002"
OTHER_CHANNEL = "1200000000000000003"
PARENT = "1200000000000000010"
STRANGER = "1200000000000000011"
ADMIN = "1200000000000000012"
MANAGE_GUILD = 1 << 5
EVERYDAY = (1 << 10) | (1 << 11) | (1 << 31)  # view channel, send messages, use app commands

OPTION_TYPES = {str: 3, int: 4, bool: 5}


def user(user_id: str = PARENT, name: str = "parent") -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
        "public_flags": 0,
    }


def _where(user_id: str, *, dm: bool, permissions: int, roles: list[str] | None) -> dict[str, Any]:
    if dm:
        return {
            "channel_id": "1200000000000000099",
            "channel": {"id": "1200000000000000099", "type": 1, "recipients": [user(user_id)]},
            "user": user(user_id),
            "context": 1,
            "authorizing_integration_owners": {"0": "0"},
        }
    return {
        "guild_id": GUILD,
        "guild_locale": "en-US",
        "guild": {"id": GUILD, "locale": "en-US", "features": []},
        "channel_id": CHANNEL,
        "channel": {
            "id": CHANNEL,
            "type": 0,
            "guild_id": GUILD,
            "name": "parents",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "permissions": str(permissions),
        },
        "member": {
            "user": user(user_id),
            "roles": roles or [],
            "permissions": str(permissions),
            "joined_at": "2025-01-01T00:00:00.000000+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "pending": False,
        },
        "context": 0,
        "authorizing_integration_owners": {"0": GUILD},
    }


def _base(
    kind: int,
    data: dict[str, Any],
    *,
    user_id: str,
    locale: str,
    dm: bool,
    permissions: int,
    roles: list[str] | None,
) -> dict[str, Any]:
    return {
        "id": snowflake(),
        "application_id": str(APP_ID),
        "type": kind,
        "token": "interaction-token-" + snowflake(),
        "version": 1,
        "data": data,
        "locale": locale,
        "app_permissions": str(EVERYDAY),
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        **_where(user_id, dm=dm, permissions=permissions, roles=roles),
    }


def _option(name: str, value: Any, focused: bool) -> dict[str, Any]:
    if isinstance(value, tuple) and value[0] == "channel":
        return {"name": name, "type": 7, "value": value[1]}
    if isinstance(value, tuple) and value[0] == "user":
        return {"name": name, "type": 6, "value": value[1]}
    option = {"name": name, "type": OPTION_TYPES[type(value)], "value": value}
    if focused:
        option["focused"] = True
    return option


def command(
    sub: str,
    *,
    user_id: str = PARENT,
    locale: str = "en-US",
    dm: bool = False,
    permissions: int = EVERYDAY,
    roles: list[str] | None = None,
    focused: str | None = None,
    resolved: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """`/iep <sub> option:value ...`; with ``focused`` it is the autocomplete request (type 4)
    Discord sends while that option is being typed."""
    data: dict[str, Any] = {
        "id": "1100000000000000100",
        "name": "iep",
        "type": 1,
        "options": [
            {
                "name": sub,
                "type": 1,
                "options": [_option(k, v, k == focused) for k, v in options.items()],
            }
        ],
    }
    if resolved:
        data["resolved"] = resolved
    if not dm:
        data["guild_id"] = None
    kind = 4 if focused else 2
    return _base(
        kind, data, user_id=user_id, locale=locale, dm=dm, permissions=permissions, roles=roles
    )


def channel_option(channel_id: str = OTHER_CHANNEL) -> tuple[tuple[str, str], dict[str, Any]]:
    """(option value, resolved data) for a channel option."""
    resolved = {
        "channels": {
            channel_id: {
                "id": channel_id,
                "type": 0,
                "name": "announcements",
                "permissions": str(EVERYDAY),
                "guild_id": GUILD,
                "parent_id": None,
            }
        }
    }
    return ("channel", channel_id), resolved


def user_option(
    user_id: str = STRANGER, *, bot: bool = False, member: bool = True
) -> tuple[tuple[str, str], dict[str, Any]]:
    """(option value, resolved data) for a user option: a member of the server unless
    ``member`` is False (Discord then resolves the user alone)."""
    resolved: dict[str, Any] = {"users": {user_id: {**user(user_id, "ana"), "bot": bot}}}
    if member:
        resolved["members"] = {
            user_id: {
                "roles": [],
                "joined_at": "2025-01-01T00:00:00.000000+00:00",
                "flags": 0,
                "nick": None,
                "avatar": None,
                "premium_since": None,
                "pending": False,
                "permissions": str(EVERYDAY),
            }
        }
    return ("user", user_id), resolved


def press(
    custom_id: str,
    message: dict[str, Any],
    *,
    user_id: str = PARENT,
    locale: str = "en-US",
    permissions: int = EVERYDAY,
    dm: bool = False,
) -> dict[str, Any]:
    """A button press (type 3) on a message the bot sent, as Discord delivers it."""
    data = {"custom_id": custom_id, "component_type": 2}
    payload = _base(
        3, data, user_id=user_id, locale=locale, dm=dm, permissions=permissions, roles=None
    )
    payload["message"] = message
    return payload


def message_from(sent: dict[str, Any], channel_id: str = CHANNEL) -> dict[str, Any]:
    """The message object Discord attaches to a button press, from what the bot sent."""
    return {
        "id": snowflake(),
        "channel_id": channel_id,
        "type": 0,
        "content": sent.get("content") or "",
        "author": {"id": str(APP_ID), "username": "iepbot", "discriminator": "0", "avatar": None},
        "embeds": sent.get("embeds") or [],
        "components": sent.get("components") or [],
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": "2026-01-01T00:00:00.000000+00:00",
        "edited_timestamp": None,
        "flags": sent.get("flags") or 0,
    }


def buttons(sent: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in sent.get("components") or [] for c in row["components"]]
