"""Typed options for `/iep`: states, dates, channels, and their autocomplete.

Discord offers at most 25 fixed choices per option. The six events fit (their choices are in
the verb declarations); the 56 state and territory codes do not, so states use autocomplete
over a fixed list and are checked again when the command runs (a user may type anything into
an autocompleted option).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import Choice

from bots.discord.render import clip
from scheduler.deadlines.regions import US_STATES

CHOICES_MAX = 25  # Discord's limit for choices and autocomplete answers
CHOICE_TEXT_MAX = 100  # name and (string) value of a choice

SNOOZES = ("30m", "1h", "3h", "1d", "2d", "1w")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%d.%m.%Y")


def parse_date(text: str, today: date) -> date | None:
    """ISO first (what the router expects), then the US forms parents actually type."""
    text = text.strip().lower()
    if text in ("today", "hoy"):
        return today
    if text in ("tomorrow", "mañana", "manana"):
        return today + timedelta(days=1)
    if text in ("yesterday", "ayer"):
        return today - timedelta(days=1)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _today(interaction: discord.Interaction) -> date:
    handler = getattr(interaction.client, "iep", None)
    return handler.ctx.today() if handler is not None else date.today()


class IsoDate(app_commands.Transformer):
    """A date option. Discord has no date type, so this is a string with autocomplete that
    turns what was typed (9/15/2026, today) into the ISO date the router reads."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> date:
        found = parse_date(str(value), _today(interaction))
        if found is None:
            raise app_commands.TransformerError(value, self.type, self)
        return found

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str, /
    ) -> list[Choice[str]]:
        today = _today(interaction)
        found = parse_date(value, today) if value.strip() else None
        if found is not None:
            return [
                Choice(name=f"{found.isoformat()} ({found:%A %B %-d, %Y})", value=found.isoformat())
            ]
        return [
            Choice(name=f"{d.isoformat()} ({label})", value=d.isoformat())
            for d, label in ((today, "today"), (today - timedelta(days=1), "yesterday"))
        ]


class PostChannel(app_commands.Transformer):
    """A text or announcement channel, taken from the interaction's resolved data.

    discord.py's TextChannel transformer needs the channel in its cache; this one does not, so
    it works without member or message intents and right after a restart."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Any:
        return value


def state_choices(current: str) -> list[Choice[str]]:
    """Codes first (TX), then names (tex -> Texas), then names containing the text."""
    key = current.strip().casefold()
    ranked: list[str] = []
    for code, name in US_STATES.items():
        if not key or code.casefold().startswith(key) or name.casefold().startswith(key):
            ranked.append(code)
    for code, name in US_STATES.items():
        if key and key in name.casefold() and code not in ranked:
            ranked.append(code)
    return [Choice(name=f"{US_STATES[c]} ({c})", value=c) for c in ranked[:CHOICES_MAX]]


@cache
def _zones() -> tuple[str, ...]:
    """IANA zones, the US ones first: that is who uses the bot."""
    names = sorted(z for z in zoneinfo.available_timezones() if "/" in z and "Etc" not in z)
    us = [z for z in names if z.startswith(("America/", "US/", "Pacific/Honolulu"))]
    return tuple(us + [z for z in names if z not in us])


def timezone_choices(current: str) -> list[Choice[str]]:
    key = current.strip().casefold().replace(" ", "_")
    found = [z for z in _zones() if key in z.casefold()] if key else list(_zones())
    return [Choice(name=z, value=z) for z in found[:CHOICES_MAX]]


def snooze_choices(current: str) -> list[Choice[str]]:
    key = current.strip().lower()
    found = [s for s in SNOOZES if s.startswith(key)] or []
    if key and key not in found:
        found.insert(0, clip(key, CHOICE_TEXT_MAX))
    return [Choice(name=s, value=s) for s in found[:CHOICES_MAX]]
