"""The one command router every platform shares: text in, a platform-neutral Reply out.

Slack sends `/iep 504 plan` as text, Discord sends a subcommand and options (its adapter turns
them back into the same text), the console reads a line. All of them end up in ``route``, so a
verb behaves the same everywhere and is tested once.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from bots.asker import CONSOLE_ASKER, Asker
from bots.context import Context
from bots.replies import Reply, ReplyKind, Section
from bots.verbs.compare import compare_verb
from bots.verbs.lookup import lookup_verb
from bots.verbs.topics import topics_verb

log = logging.getLogger(__name__)
Handler = Callable[[Context, str, Asker], Reply]
COMMAND = "/iep"


@dataclass(frozen=True)
class Verb:
    name: str
    handler: Handler
    usage: str
    does: str


def _lazy(module: str, name: str) -> Handler:
    """A handler imported on first use: reminders and deadlines pull in dateparser, SQLAlchemy
    and APScheduler, which a plain `iepbot ask` should not pay for at start-up."""

    def handler(ctx: Context, args: str, asker: Asker) -> Reply:
        function: Handler = getattr(importlib.import_module(module), name)
        return function(ctx, args, asker)

    return handler


def _deadlines(ctx: Context, args: str, asker: Asker) -> Reply:
    from bots.verbs.deadlines import deadlines_verb

    return deadlines_verb(args, ctx.today())


def _help(ctx: Context, args: str, asker: Asker) -> Reply:
    return help_reply()


VERBS: dict[str, Verb] = {
    verb.name: verb
    for verb in (
        Verb("ask", lookup_verb, "ask 504 plan", "explain a term (or just type the term)"),
        Verb("topics", topics_verb, "topics", "browse everything I can explain"),
        Verb("compare", compare_verb, "compare iep 504", "two terms side by side"),
        Verb(
            "deadlines",
            _deadlines,
            "deadlines consent 2026-09-15 state=TX",
            "legal due dates after an event (referral, consent, eligibility, iep, evaluation, "
            "birthdate)",
        ),
        Verb(
            "track",
            _lazy("bots.verbs.tracking", "track_verb"),
            "track consent 2026-09-15 case=AB-7",
            "due dates plus reminders 14, 7 and 1 days before each (lead=, state=, to=)",
        ),
        Verb(
            "remind",
            _lazy("bots.verbs.reminders", "remind_verb"),
            "remind me tomorrow 9am bring the draft",
            "a one-off or repeating reminder, to you or a channel (#channel, here)",
        ),
        Verb(
            "reminders",
            _lazy("bots.verbs.reminders", "reminders_verb"),
            "reminders",
            "your reminders and this channel's, with their ids",
        ),
        Verb("cancel", _lazy("bots.verbs.reminders", "cancel_verb"), "cancel 42", "stop one"),
        Verb(
            "snooze",
            _lazy("bots.verbs.reminders", "snooze_verb"),
            "snooze 42 2d",
            "push one later (30m, 3h, 2d, 1w)",
        ),
        Verb(
            "calendar",
            _lazy("bots.verbs.tracking", "calendar_verb"),
            "calendar",
            "an .ics file of your tracked deadlines for Outlook or Google Calendar",
        ),
        Verb(
            "timezone",
            _lazy("bots.verbs.settings", "timezone_verb"),
            "timezone America/Chicago",
            "your timezone (admins: `timezone workspace ...` for everyone)",
        ),
        Verb("lang", _lazy("bots.verbs.settings", "lang_verb"), "lang es", "English or Spanish"),
        Verb(
            "forget",
            _lazy("bots.verbs.settings", "forget_verb"),
            "forget",
            "delete everything the bot stores about you",
        ),
        Verb("help", _help, "help", "this list"),
    )
}
ALIASES = {
    "define": "ask",
    "what": "ask",
    "topic": "topics",
    "deadline": "deadlines",
    "?": "help",
    "reminder": "reminders",
    "list": "reminders",
    "tz": "timezone",
    "language": "lang",
    "idioma": "lang",
}


def help_reply() -> Reply:
    lines = [f"`{COMMAND} 504 plan` or `{COMMAND} what is FAPE`: explain a term"]
    lines += [
        f"`{COMMAND} {verb.usage}`: {verb.does}" for verb in VERBS.values() if verb.name != "ask"
    ]
    return Reply(
        kind=ReplyKind.HELP,
        title="How to use /iep",
        sections=[
            Section(
                "I explain special-education words in plain language and work out the legal "
                "deadlines of the IEP process."
            ),
            Section("\n".join(lines), heading="Commands"),
            Section(
                "Never type a student's name: use a case label like AB-7 instead.",
                heading="Privacy",
            ),
        ],
    )


def split_command(text: str) -> tuple[str, str]:
    """(verb, rest) from raw text; a leading "/iep" is optional, as people paste either form."""
    text = text.strip()
    if text.lower().startswith(COMMAND):
        text = text[len(COMMAND) :].strip()
    if not text:
        return "", ""
    head, _, rest = text.partition(" ")
    verb = head.lower()
    verb = ALIASES.get(verb, verb)
    if verb == "ask" and head.lower() == "what":
        return "ask", text  # "what is idea": the question words are the search's to drop
    if verb in VERBS:
        return verb, rest.strip()
    return "ask", text


def route(ctx: Context, text: str, asker: Asker = CONSOLE_ASKER) -> Reply:
    """Answer one command. Never raises for anything a user can type."""
    verb, rest = split_command(text)
    if not verb or (verb == "ask" and not rest):
        return help_reply()
    try:
        return VERBS[verb].handler(ctx, rest, asker)
    except Exception as exc:  # a bug must cost one reply, not the bot
        # Only the exception type and code locations: its message may quote what was typed.
        where = "; ".join(
            f"{f.filename}:{f.lineno}" for f in traceback.extract_tb(exc.__traceback__)
        )
        log.error("verb %s failed with %s at %s", verb, type(exc).__name__, where)
        return Reply(
            kind=ReplyKind.ERROR,
            title="Sorry, something went wrong on my side",
            sections=[Section("Please try again, or type `/iep help`.")],
        )
