"""`/iep` as one command group, a subcommand per declared verb (``bots.verbs.builtin``).

Each subcommand is built from the verb's declaration: one option per parameter, its Discord
type, range, choices and autocomplete chosen by the parameter's ``Kind``. Option values are
converted to the verb's types here (a channel becomes a ``Target``, a state code is checked
against the deadline rules) and the verb is called with them: no command text in between.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import Choice, Range, Transform

from bots.discord.handler import SEND_FAILURES, Handler, locale_lang
from bots.discord.options import (
    CHOICE_TEXT_MAX,
    CHOICES_MAX,
    IsoDate,
    PostChannel,
    snooze_choices,
    state_choices,
    timezone_choices,
)
from bots.discord.render import clip
from bots.verbs.declare import VERBS, Kind, Param, Verb
from content.i18n import N_
from content.normalise import normalise
from scheduler.identity import Target

log = logging.getLogger(__name__)
REMINDER_ID_MAX = 10**11


def term_choices(
    handler: Handler, interaction: discord.Interaction, current: str
) -> list[Choice[str]]:
    """Entries whose title or alias starts with, or fuzzily resembles, what was typed.

    The value is the entry id, which the router finds exactly; the name is the title, plus the
    alias that matched when the title alone would not explain why it is offered (ARD)."""
    index = handler.ctx.index(locale_lang(interaction.locale))
    typed = current[: VERBS["ask"].params[0].max_length]
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
    records = await asyncio.to_thread(service.visible, handler.asker(interaction))
    key = current.strip().lstrip("#")
    found = [r for r in records if r.status == "active" and str(r.id).startswith(key)]
    return [
        Choice(name=clip(f"#{r.id}: {' '.join(r.text.split())}", CHOICE_TEXT_MAX), value=r.id)
        for r in found[:CHOICES_MAX]
    ]


Autocomplete = Callable[[Handler, discord.Interaction, str], Awaitable[list[Choice[Any]]]]


async def _terms(handler: Handler, interaction: discord.Interaction, current: str) -> list[Any]:
    return term_choices(handler, interaction, current)


async def _states(handler: Handler, interaction: discord.Interaction, current: str) -> list[Any]:
    return state_choices(current)


async def _zones(handler: Handler, interaction: discord.Interaction, current: str) -> list[Any]:
    return timezone_choices(current)


async def _durations(handler: Handler, interaction: discord.Interaction, current: str) -> list[Any]:
    return snooze_choices(current)


# Kinds whose options offer suggestions as people type (dates suggest through IsoDate).
AUTOCOMPLETE: dict[Kind, Autocomplete] = {
    Kind.TERM: _terms,
    Kind.STATE: _states,
    Kind.ZONE: _zones,
    Kind.DURATION: _durations,
    Kind.REMINDER: reminder_choices,
}


def annotation(param: Param) -> Any:
    """The Discord option type of a parameter (a transformer for dates and channels)."""
    kind = param.kind
    if kind is Kind.DATE:
        return Transform[date, IsoDate]
    if kind is Kind.TARGET:
        return Transform[app_commands.AppCommandChannel, PostChannel]
    if kind is Kind.REMINDER:
        return Range[int, 1, REMINDER_ID_MAX]
    if kind is Kind.PERSON:
        return discord.User  # a Member when they are in the server (discord.py resolves it)
    if param.max_length is not None:
        return Range[str, 1, param.max_length]
    return str


NOTHING_SAVED = N_("Nothing was saved.")


class Unconverted(Exception):
    """An option value the verb cannot take; ``title`` and ``hint`` are catalogue msgids, or
    text already in the asker's language (which the catalogue leaves as it is)."""

    def __init__(self, title: str, hint: str | None) -> None:
        super().__init__(title)
        self.title, self.hint = title, hint


def convert(param: Param, value: Any, lang: str) -> Any:
    """An option value as the verb's type. Autocompleted options accept anything typed, so
    states and durations are checked here and refused before anything runs."""
    kind = param.kind
    if kind is Kind.TARGET:
        return Target("channel", str(value.id))
    if kind is Kind.PERSON:
        if value.bot or value.system:
            raise Unconverted(N_("I can't remind a bot or an app."), NOTHING_SAVED)
        return Target("user", str(value.id))
    if kind is Kind.STATE:
        from content.deadlines import DeadlineInputError, normalise_state

        try:
            return normalise_state(str(value))
        except DeadlineInputError as exc:
            raise Unconverted(
                N_("Unknown state"), N_("Pick a state from the list, e.g. TX or California.")
            ) from exc
    if kind in (Kind.DURATION, Kind.LEADS):
        from scheduler.timing.durations import parse_duration, parse_leads
        from scheduler.timing.errors import TimeError

        text = str(value).strip()
        if len(text.split()) != 1:
            # The options take the short forms (30m, 2d; 14d,7d,1d), one word each.
            if kind is Kind.DURATION:
                raise Unconverted(N_("How long?"), N_("For example 30m, 3h, 2d or 1w."))
            raise Unconverted(
                N_("I could not read that"),
                N_("A case label like AB-7, and leads like 14d,7d,1d (no spaces)."),
            )
        try:
            return parse_duration(text, lang) if kind is Kind.DURATION else parse_leads(text, lang)
        except TimeError as exc:
            raise Unconverted(exc.text(lang), None) from exc
    if isinstance(value, str):
        return value.strip()
    return value


def _option_type(param: Param) -> Any:
    if param.required:
        return annotation(param)
    if param.default is None:
        return annotation(param) | None
    return annotation(param)


def build_command(
    verb: Verb, handler: Handler, parent: app_commands.Group
) -> app_commands.Command[Any, ..., None]:
    """One subcommand from a declaration."""

    async def callback(interaction: discord.Interaction, **options: Any) -> None:
        await run_declared(handler, interaction, verb, options)

    parameters = [
        inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        *(
            inspect.Parameter(
                p.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_option_type(p),
                default=inspect.Parameter.empty if p.required else p.default,
            )
            for p in verb.options
        ),
    ]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    described = {p.name: p.help for p in verb.options}
    if described:
        app_commands.describe(**described)(callback)
    choices = {
        p.name: [Choice(name=label, value=value) for value, label in p.choices]
        for p in verb.options
        if p.choices
    }
    if choices:
        app_commands.choices(**choices)(callback)
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=verb.name, description=verb.picker, callback=callback, parent=parent
    )
    for p in verb.options:
        complete = AUTOCOMPLETE.get(p.kind)
        if complete is not None and not p.choices:
            command.autocomplete(p.name)(_bind(complete, handler))
    return command


def _bind(complete: Autocomplete, handler: Handler) -> Callable[..., Awaitable[list[Any]]]:
    async def autocomplete(interaction: discord.Interaction, current: str) -> list[Any]:
        return await complete(handler, interaction, current)

    return autocomplete


async def run_declared(
    handler: Handler, interaction: discord.Interaction, verb: Verb, options: dict[str, Any]
) -> None:
    """Refuse what the options cannot mean, else call the verb with typed values."""
    values: dict[str, Any] = {}
    # Durations are read in the asker's language (their setting, else the client's), as typed
    # text would be; only then is the store asked.
    needs_lang = any(p.kind in (Kind.DURATION, Kind.LEADS) for p in verb.params)
    lang = await handler.lang(interaction) if needs_lang else "en"
    try:
        for param in verb.options:
            value = options.get(param.name)
            if value is None:
                continue
            if param.kind is Kind.PERSON and not isinstance(value, discord.User | discord.Member):
                # Discord resolves a user option to a user; anything else is not one.
                raise Unconverted(N_("I could not read that"), NOTHING_SAVED)
            if (
                param.kind is Kind.PERSON
                and interaction.guild_id is not None
                and not isinstance(value, discord.Member)
            ):
                raise Unconverted(
                    N_("That person is not in this server, so I can't remind them."),
                    NOTHING_SAVED,
                )
            if param.kind is Kind.PERSON and value.id == interaction.user.id:
                continue  # yourself: the usual DM
            if param.kind is Kind.TARGET and not handler.is_admin(interaction):
                raise Unconverted(
                    N_("Only server managers can send reminders to a channel"),
                    N_(
                        "It needs the Manage Server permission (or the bot's admin role). Leave "
                        "`to` empty to get it yourself, by direct message."
                    ),
                )
            if param.keyword_name in values:  # a channel and a person: say which one went
                raise Unconverted(
                    N_("A channel or a person, not both"),
                    N_("Fill in `to` for a channel, or `person` for someone else."),
                )
            values[param.keyword_name] = convert(param, value, lang)
    except Unconverted as refused:
        await handler.refuse(interaction, refused.title, refused.hint)
        return
    person = next(
        (v for p in verb.options if p.kind is Kind.PERSON and (v := values.get(p.keyword_name))),
        None,
    )
    if (
        isinstance(person, Target)
        and person.kind == "user"
        and not await handler.can_dm(int(person.id), interaction.user.id, lang)
    ):
        await handler.refuse(
            interaction,
            N_("I can't send that person a direct message, so I can't remind them."),
            NOTHING_SAVED,
        )
        return
    # A verb that delivers somewhere, sent to this person: check once that a DM reaches them.
    dm_target = person is None and any(
        p.kind is Kind.TARGET and options.get(p.name) is None for p in verb.options
    )
    await handler.call(interaction, verb, values, dm_target=dm_target)


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
        for verb in VERBS.values():
            self.add_command(build_command(verb, handler, self))


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
        except SEND_FAILURES as exc:
            log.warning("could not report a command error to the user: %s", type(exc).__name__)


def build_tree(client: discord.Client, handler: Handler) -> IepTree:
    tree = IepTree(
        client, allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True)
    )
    tree.add_command(IepGroup(handler))
    return tree
