"""How Slack writes a channel: `<#C123|name>` in slash-command text, `<#C123>` in replies.

A plain `#name` is read too: Slack leaves it as typed when the app does not ask for escaped
channels, and the channel check then decides whether it may be used.
"""

from __future__ import annotations

import re

_CHANNEL = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$|^#([\w-]{1,80})$")


class SlackSyntax:
    def read_channel(self, token: str) -> str | None:
        found = _CHANNEL.match(token)
        return (found.group(1) or found.group(2)) if found else None

    def write_channel(self, channel_id: str) -> str:
        return f"<#{channel_id}>"


SYNTAX = SlackSyntax()
