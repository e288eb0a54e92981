"""How each platform writes a ``Target`` (``scheduler.identity``) in command text and replies.

Only the platforms know how a channel is written in their text (Slack ``<#C123|name>``, Discord
``<#123>``, the console ``#name``), so each adapter package has a small ``syntax`` module that
reads and writes it, imported lazily by platform name (the console's sits in ``bots.console``).
Verbs see ``Target`` values only; they never parse or build platform markup themselves.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Protocol

from scheduler.identity import Target

# The words for "me" and "here" are the same on every platform.
ME_WORDS = frozenset({"me", "myself", "yo", "mí", "mi"})
HERE_WORDS = frozenset({"here", "aquí", "aqui"})


class TargetSyntax(Protocol):
    """How one platform writes a channel in command text and in replies."""

    def read_channel(self, token: str) -> str | None:
        """The channel id a word of command text names, or None."""

    def write_channel(self, channel_id: str) -> str:
        """A channel as the platform shows it in a reply (a link where it has them)."""


@dataclass(frozen=True)
class ChannelSyntax:
    """The usual shape: a regex whose first non-empty group is the channel id, and a format
    for writing one back (``{id}``)."""

    pattern: re.Pattern[str]
    written: str

    def read_channel(self, token: str) -> str | None:
        found = self.pattern.match(token)
        return next((g for g in found.groups() if g), None) if found else None

    def write_channel(self, channel_id: str) -> str:
        return self.written.format(id=channel_id)


# Each platform's syntax module; a platform missing here writes channels as `#id`.
SYNTAX_MODULES = {
    "slack": "bots.slack.syntax",
    "discord": "bots.discord.syntax",
    "console": "bots.console_syntax",
}


def syntax_for(platform: str) -> TargetSyntax:
    module = SYNTAX_MODULES.get(platform, "bots.console_syntax")
    syntax: TargetSyntax = importlib.import_module(module).SYNTAX
    return syntax


def mention(platform: str, target: Target) -> str:
    """A channel target written for ``platform``; people are named by the caller ("you")."""
    return syntax_for(platform).write_channel(target.id)
