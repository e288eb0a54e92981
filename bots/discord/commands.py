"""`/iep` as one command group with a subcommand per router verb.

Each subcommand only rebuilds the text the Slack command would carry (`deadlines consent
2026-09-15 state=TX`) and hands it to the shared router, so Discord cannot drift from the other
platforms. Options that become `key=value` words must be one word: a space would smuggle in
other options.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import discord
from discord import app_commands
from discord.app_commands import Choice, Range, Transform

from bots.discord.handler import Handler, locale_lang
from bots.discord.options import (
    CHOICE_TEXT_MAX,
    CHOICES_MAX,
    EVENT_CHOICES,
    LANG_CHOICES,
    SCOPE_CHOICES,
    IsoDate,
    PostChannel,
    one_word,
    snooze_choices,
    state_choices,
    timezone_choices,
)
from bots.discord.render import clip
from content.explain import MAX_PASSAGE
from content.i18n import N_
from content.normalise import normalise
from scheduler.deadlines.regions import US_STATES

log = logging.getLogger(__name__)
MAX_TERM = 200
MAX_REMINDER = 1000
REMINDER_ID_MAX = 10**11


def term_choices(
    handler: Handler, interaction: discord.Interaction, current: str
) -> list[Choice[str]]:
    """Entries whose title or alias starts with, or fuzzily resembles, what was typed.

    The value is the entry id, which the router finds exactly; the name is the title, plus the
    alias that matched when the title alone would not explain why it is offered (ARD)."""
    index = handler.ctx.index(locale_lang(interaction.locale))
    typed = current[:MAX_TERM]
    key = normalise(typed)
    choices = []
    for entry in index.autocomplete(typed, CHOICES_MAX):
        name = entry.title
        if key and not normalise(name).startswith(key):
            alias = next((a for a in entry.aliases if normalise(a).startswith(key)), None)
            if alias is not None and normalise(alias) not in normalise(name):
                name = f"{name} · {alias}"
        choices.append(Choice(name=clip(name, CHOICE_TEXT_MAX), value=entry.id[:CHOICE_TEXT_MAX]))
    return choices


async def reminder_choices(
    handler: Handler, interaction: discord.Interaction, current: str
) -> list[Choice[int]]:
    """The asker's reminders (and this channel's), by id, for cancel and snooze."""
    service = handler.ctx.reminders
    if service is None:
        return []
    from bots.preferences import who

    records = await asyncio.to_thread(service.visible, who(handler.asker(interaction)))
    key = current.strip().lstrip("#")
    found = [r for r in records if r.status == "active" and str(r.id).startswith(key)]
    return [
        Choice(name=clip(f"#{r.id}: {' '.join(r.text.split())}", CHOICE_TEXT_MAX), value=r.id)
        for r in found[:CHOICES_MAX]
    ]


def _channel_ref(channel: app_commands.AppCommandChannel | None) -> str | None:
    return f"<#{channel.id}>" if channel is not None else None


class IepGroup(app_commands.Group):
    """The `/iep` group. Descriptions are what people read in Discord's command picker; they
    are catalogue messages (``N_``), sent in Spanish too by ``bots.discord.translator``. Names
    are never translated."""

    def __init__(self, handler: Handler) -> None:
        super().__init__(
            name="iep",
            description=N_("Plain answers about IEPs and 504 plans, deadlines, reminders"),
        )
        self.handler = handler

    async def _needs_admin_for(
        self, interaction: discord.Interaction, channel: app_commands.AppCommandChannel | None
    ) -> bool:
        """Refuse a channel target to non-managers before anything is routed or stored."""
        if channel is None or self.handler.is_admin(interaction):
            return False
        await self.handler.refuse(
            interaction,
            N_("Only server managers can send reminders to a channel"),
            N_(
                "It needs the Manage Server permission (or the bot's admin role). Leave `to` "
                "empty to get it yourself, by direct message."
            ),
        )
        return True

    # --- lookups ----------------------------------------------------------------------------

    @app_commands.command(name="ask", description=N_("Explain a term in plain language"))
    @app_commands.describe(term=N_("A term or question, e.g. 504 plan, FAPE, what is an IEP"))
    async def ask(self, interaction: discord.Interaction, term: Range[str, 1, MAX_TERM]) -> None:
        await self.handler.run(interaction, f"ask {term}")

    @ask.autocomplete("term")
    async def _ask_term(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return term_choices(self.handler, interaction, current)

    @app_commands.command(
        name="explain", description=N_("Explain the terms in a passage you paste (not stored)")
    )
    @app_commands.describe(
        text=N_("Text from a school letter or report, up to 2,000 characters; leave out names")
    )
    async def explain(
        self, interaction: discord.Interaction, text: Range[str, 1, MAX_PASSAGE]
    ) -> None:
        await self.handler.run(interaction, f"explain {text}")

    @app_commands.command(name="topics", description=N_("Browse everything I can explain"))
    async def topics(self, interaction: discord.Interaction) -> None:
        await self.handler.run(interaction, "topics")

    @app_commands.command(name="compare", description=N_("Two terms side by side"))
    @app_commands.describe(first=N_("e.g. IEP"), second=N_("e.g. 504 plan"))
    async def compare(
        self,
        interaction: discord.Interaction,
        first: Range[str, 1, MAX_TERM],
        second: Range[str, 1, MAX_TERM],
    ) -> None:
        await self.handler.run(interaction, f"compare {first} vs {second}")

    @compare.autocomplete("first")
    async def _compare_first(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        return term_choices(self.handler, interaction, current)

    @compare.autocomplete("second")
    async def _compare_second(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        return term_choices(self.handler, interaction, current)

    # --- deadlines --------------------------------------------------------------------------

    async def _bad_state(self, interaction: discord.Interaction, state: str | None) -> bool:
        if state is None or state.strip().upper() in US_STATES:
            return False
        await self.handler.refuse(
            interaction,
            N_("Unknown state"),
            N_("Pick a state from the list, e.g. TX or California."),
        )
        return True

    @app_commands.command(name="deadlines", description=N_("Legal due dates after an event"))
    @app_commands.describe(
        event=N_("What happened"),
        date=N_("When (YYYY-MM-DD)"),
        state=N_("Your state's rules (optional)"),
    )
    @app_commands.choices(event=EVENT_CHOICES)
    async def deadlines(
        self,
        interaction: discord.Interaction,
        event: str,
        date: Transform[date, IsoDate],
        state: str | None = None,
    ) -> None:
        if await self._bad_state(interaction, state):
            return
        text = f"deadlines {event} {date.isoformat()}"
        if state:
            text += f" state={state.strip().upper()}"
        await self.handler.run(interaction, text)

    @deadlines.autocomplete("state")
    async def _deadlines_state(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        return state_choices(current)

    @app_commands.command(name="track", description=N_("Follow a case's deadlines with reminders"))
    @app_commands.describe(
        event=N_("What happened"),
        date=N_("When (YYYY-MM-DD)"),
        case=N_("A case label, never a name (e.g. AB-7)"),
        state=N_("Your state's rules (optional)"),
        lead=N_("When to remind before each deadline (default 14d,7d,1d)"),
        to=N_("Post reminders in this channel instead of a DM (Manage Server)"),
    )
    @app_commands.choices(event=EVENT_CHOICES)
    async def track(
        self,
        interaction: discord.Interaction,
        event: str,
        date: Transform[date, IsoDate],
        case: Range[str, 1, 40],
        state: str | None = None,
        lead: Range[str, 1, 60] | None = None,
        to: Transform[app_commands.AppCommandChannel, PostChannel] | None = None,
    ) -> None:
        if not (one_word(case) and one_word(lead)):
            await self.handler.refuse(
                interaction,
                N_("One word each, please"),
                N_("A case label like AB-7, and leads like 14d,7d,1d (no spaces)."),
            )
            return
        if await self._bad_state(interaction, state) or await self._needs_admin_for(
            interaction, to
        ):
            return
        text = f"track {event} {date.isoformat()} case={case.strip()}"
        if state:
            text += f" state={state.strip().upper()}"
        if lead:
            text += f" lead={lead.strip()}"
        if to is not None:
            text += f" to={_channel_ref(to)}"
        await self.handler.run(interaction, text, dm_target=to is None)

    @track.autocomplete("state")
    async def _track_state(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        return state_choices(current)

    @app_commands.command(name="calendar", description=N_("An .ics file of your tracked deadlines"))
    async def calendar(self, interaction: discord.Interaction) -> None:
        await self.handler.run(interaction, "calendar")

    # --- reminders --------------------------------------------------------------------------

    @app_commands.command(name="remind", description=N_("A one-off or repeating reminder"))
    @app_commands.describe(
        when=N_("e.g. tomorrow 9am, in 2 hours, every monday 8am"),
        what=N_("What to remind of (never a student's name)"),
        to=N_("Post it in this channel instead of a DM (Manage Server)"),
    )
    async def remind(
        self,
        interaction: discord.Interaction,
        when: Range[str, 1, 100],
        what: Range[str, 1, MAX_REMINDER],
        to: Transform[app_commands.AppCommandChannel, PostChannel] | None = None,
    ) -> None:
        if await self._needs_admin_for(interaction, to):
            return
        target = _channel_ref(to) or "me"
        await self.handler.run(
            interaction, f"remind {target} {when.strip()} {what.strip()}", dm_target=to is None
        )

    @app_commands.command(name="reminders", description=N_("Your reminders and this channel's"))
    async def reminders(self, interaction: discord.Interaction) -> None:
        await self.handler.run(interaction, "reminders")

    @app_commands.command(name="cancel", description=N_("Stop a reminder"))
    @app_commands.describe(reminder=N_("Its number, see /iep reminders"))
    async def cancel(
        self, interaction: discord.Interaction, reminder: Range[int, 1, REMINDER_ID_MAX]
    ) -> None:
        await self.handler.run(interaction, f"cancel {reminder}")

    @cancel.autocomplete("reminder")
    async def _cancel_id(self, interaction: discord.Interaction, current: str) -> list[Choice[int]]:
        return await reminder_choices(self.handler, interaction, current)

    @app_commands.command(name="snooze", description=N_("Push a reminder later"))
    @app_commands.describe(reminder=N_("Its number"), by=N_("How long: 30m, 3h, 2d, 1w"))
    async def snooze(
        self,
        interaction: discord.Interaction,
        reminder: Range[int, 1, REMINDER_ID_MAX],
        by: Range[str, 1, 20],
    ) -> None:
        if not one_word(by):
            await self.handler.refuse(
                interaction, N_("How long?"), N_("For example 30m, 3h, 2d or 1w.")
            )
            return
        await self.handler.run(interaction, f"snooze {reminder} {by.strip()}")

    @snooze.autocomplete("reminder")
    async def _snooze_id(self, interaction: discord.Interaction, current: str) -> list[Choice[int]]:
        return await reminder_choices(self.handler, interaction, current)

    @snooze.autocomplete("by")
    async def _snooze_by(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return snooze_choices(current)

    # --- settings ---------------------------------------------------------------------------

    @app_commands.command(name="timezone", description=N_("Your timezone, or the server's"))
    @app_commands.describe(
        zone=N_("e.g. America/Chicago (empty: show it)"), scope=N_("Whose setting")
    )
    @app_commands.choices(scope=SCOPE_CHOICES)
    async def timezone(
        self,
        interaction: discord.Interaction,
        zone: Range[str, 1, 64] | None = None,
        scope: str = "me",
    ) -> None:
        prefix = "server " if scope == "server" else ""
        await self.handler.run(interaction, f"timezone {prefix}{(zone or '').strip()}".strip())

    @timezone.autocomplete("zone")
    async def _timezone_zone(
        self, interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        return timezone_choices(current)

    @app_commands.command(name="lang", description=N_("English or Spanish / inglés o español"))
    @app_commands.describe(language=N_("The language of my answers"), scope=N_("Whose setting"))
    @app_commands.choices(language=LANG_CHOICES, scope=SCOPE_CHOICES)
    async def lang(
        self, interaction: discord.Interaction, language: str | None = None, scope: str = "me"
    ) -> None:
        prefix = "server " if scope == "server" else ""
        await self.handler.run(interaction, f"lang {prefix}{language or ''}".strip())

    @app_commands.command(
        name="forget", description=N_("Delete everything the bot stores about you")
    )
    async def forget(self, interaction: discord.Interaction) -> None:
        await self.handler.run(interaction, "forget")

    @app_commands.command(name="help", description=N_("How to use /iep"))
    async def help(self, interaction: discord.Interaction) -> None:
        await self.handler.run(interaction, "help")


class IepTree(app_commands.CommandTree):
    """The tree, with one private answer for option errors instead of a silent failure."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        handler: Handler | None = getattr(interaction.client, "iep", None)
        if isinstance(error, app_commands.TransformerError):
            title = N_("I could not read that")
            hint = N_("Dates look like 2026-09-15 (or 9/15/2026).")
        else:
            log.error("command failed with %s", type(error.__cause__ or error).__name__)
            title = N_("Sorry, something went wrong on my side")
            hint = N_("Please try `/iep help`.")
        if handler is None:
            return
        try:
            await handler.refuse(interaction, title, hint)
        except discord.HTTPException:
            log.warning("could not report a command error to the user")


def build_tree(client: discord.Client, handler: Handler) -> IepTree:
    tree = IepTree(
        client, allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True)
    )
    tree.add_command(IepGroup(handler))
    return tree
