"""How Discord writes a channel: `<#123>` (a snowflake), which every client shows as a link.

Discord sends channels as typed options, so only buttons and pasted text reach ``read_channel``.
"""

from __future__ import annotations

import re

_CHANNEL = re.compile(r"^<#(\d{1,20})>$|^#([\w-]{1,80})$")


class DiscordSyntax:
    def read_channel(self, token: str) -> str | None:
        found = _CHANNEL.match(token)
        return (found.group(1) or found.group(2)) if found else None

    def write_channel(self, channel_id: str) -> str:
        return f"<#{channel_id}>"


SYNTAX = DiscordSyntax()
