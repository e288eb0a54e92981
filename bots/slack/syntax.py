"""How Slack writes a channel: `<#C123|name>` in slash-command text, `<#C123>` in replies.

A plain `#name` is read too: Slack leaves it as typed when the app does not ask for escaped
channels, and the channel check then decides whether it may be used.
"""

from __future__ import annotations

import re

_CHANNEL = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$|^#([\w-]{1,80})$")
_USER = re.compile(r"^<@([UW][A-Z0-9]{1,20})(?:\|[^>]*)?>$")


class SlackSyntax:
    def read_channel(self, token: str) -> str | None:
        found = _CHANNEL.match(token)
        return (found.group(1) or found.group(2)) if found else None

    def write_channel(self, channel_id: str) -> str:
        return f"<#{channel_id}>"

    def read_user(self, token: str) -> str | None:
        """`<@U123>` (or `<@U123|name>`): the one way Slack names a person in command text."""
        found = _USER.match(token)
        return found.group(1) if found else None

    def write_user(self, user_id: str) -> str:
        return f"<@{user_id}>"


SYNTAX = SlackSyntax()
