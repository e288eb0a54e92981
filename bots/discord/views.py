"""Buttons that run a router command for whoever presses them, and survive restarts.

A button's custom_id is ``iep:<owner id>:<router command>``. Registered as a dynamic item, it is
matched by pattern rather than by an in-memory view, so buttons on week-old messages still work
after the bot restarts. Owner 0 means anyone may press (related terms); otherwise only the
owner may (Cancel, Snooze), and others get a private "not yours".
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from content.i18n import N_, tr

CUSTOM_ID_MAX = 100
LABEL_MAX = 80
PREFIX = "iep"
# Only what the router puts on buttons; a forged custom_id cannot reach any other verb.
BUTTON_VERBS = frozenset(
    {"ask", "cancel", "snooze", "done", "skip", "stop", "reminders", "calendar", "topics", "help"}
)
NOT_YOURS = N_("These buttons belong to the person who asked. Type `/iep reminders` for your own.")


def locale_lang(locale: discord.Locale | None) -> str | None:
    """Spanish clients (es-ES, es-419) get Spanish; others fall back to settings."""
    return "es" if locale is not None and locale.value.startswith("es") else None


class ButtonRunner(Protocol):
    """What the client offers a pressed button: run ``command`` for the presser."""

    async def run_button(self, interaction: discord.Interaction, command: str) -> None: ...


def custom_id(owner_id: int, command: str) -> str:
    return f"{PREFIX}:{owner_id}:{command}"


class RouterButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(rf"{PREFIX}:(?P<owner>\d{{1,20}}):(?P<command>[^\n]{{1,80}})"),
):
    def __init__(
        self,
        owner_id: int,
        command: str,
        label: str = "Open",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:LABEL_MAX], style=style, custom_id=custom_id(owner_id, command)
            )
        )
        self.owner_id = owner_id
        self.command = command

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Button[Any],
        match: re.Match[str],
        /,
    ) -> RouterButton:
        return cls(int(match["owner"]), match["command"], item.label or "Open", item.style)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if self.owner_id and interaction.user.id != self.owner_id:
            # The client's locale: a refusal must be instant, so no store read for the setting.
            await interaction.response.send_message(
                tr(locale_lang(interaction.locale), NOT_YOURS),
                ephemeral=True,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return False
        if self.command.split(" ", 1)[0] not in BUTTON_VERBS:
            await interaction.response.send_message(
                tr(locale_lang(interaction.locale), "That button is no longer supported."),
                ephemeral=True,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return False
        return True

    async def callback(self, interaction: discord.Interaction) -> None:
        runner: ButtonRunner | None = getattr(interaction.client, "iep", None)
        if runner is None:  # a client without the adapter (should not happen)
            return
        await runner.run_button(interaction, self.command)


def button_for(
    label: str, command: str, owner_id: int, style: discord.ButtonStyle | None = None
) -> RouterButton | None:
    """A button for a router command, or None when it cannot fit Discord's custom_id limit."""
    if len(custom_id(owner_id, command)) > CUSTOM_ID_MAX or "\n" in command or len(command) > 80:
        return None
    return RouterButton(owner_id, command, label, style or discord.ButtonStyle.secondary)
