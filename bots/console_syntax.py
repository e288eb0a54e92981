"""How the console writes a channel: `#name`, in command text and in replies alike."""

from __future__ import annotations

import re

_CHANNEL = re.compile(r"^#([\w-]{1,80})$")


class ConsoleSyntax:
    def read_channel(self, token: str) -> str | None:
        found = _CHANNEL.match(token)
        return found.group(1) if found else None

    def write_channel(self, channel_id: str) -> str:
        return f"#{channel_id}"


SYNTAX = ConsoleSyntax()
