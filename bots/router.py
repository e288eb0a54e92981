"""The one command router every platform shares: text in, a platform-neutral Reply out.

Slack sends `/iep 504 plan` as text, Discord sends a subcommand and options (its adapter turns
them back into the same text), the console reads a line. All of them end up in ``route``, so a
verb behaves the same everywhere and is tested once.
"""

from __future__ import annotations

import importlib
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from bots.asker import CONSOLE_ASKER, Asker
from bots.context import Context
from bots.preferences import lang_of, reply_lang
from bots.replies import Reply, ReplyKind, Section
from bots.verbs.compare import compare_verb
from bots.verbs.lookup import lookup_verb
from bots.verbs.topics import topics_verb
from content.i18n import N_, tr
from content.normalise import fold

log = logging.getLogger(__name__)
Handler = Callable[[Context, str, Asker], Reply]
COMMAND = "/iep"
# (verb, platform, seconds) after each command; `iepbot run` adds its metrics here. A plain hook
# keeps prometheus_client out of `iepbot ask` and the console.
command_observers: list[Callable[[str, str, float], None]] = []


@dataclass(frozen=True)
class Verb:
    name: str
    handler: Handler
    usage: str
    does: str
    # Only an example with words people type (a time phrase) is translated; the others are
    # command words, which stay English in every language (Spanish aliases also work).
    usage_translated: bool = False


def _lazy(module: str, name: str) -> Handler:
    """A handler imported on first use: reminders and deadlines pull in dateparser, SQLAlchemy
    and APScheduler, which a plain `iepbot ask` should not pay for at start-up."""

    def handler(ctx: Context, args: str, asker: Asker) -> Reply:
        function: Handler = getattr(importlib.import_module(module), name)
        return function(ctx, args, asker)

    return handler


def _deadlines(ctx: Context, args: str, asker: Asker) -> Reply:
    from bots.verbs.deadlines import deadlines_verb

    return deadlines_verb(args, ctx.today(), lang_of(ctx, asker))


def _help(ctx: Context, args: str, asker: Asker) -> Reply:
    return help_reply(lang_of(ctx, asker))


VERBS: dict[str, Verb] = {
    verb.name: verb
    for verb in (
        Verb("ask", lookup_verb, "ask 504 plan", N_("explain a term (or just type the term)")),
        Verb("topics", topics_verb, "topics", N_("browse everything I can explain")),
        Verb("compare", compare_verb, "compare iep 504", N_("two terms side by side")),
        Verb(
            "explain",
            _lazy("bots.verbs.explain", "explain_verb"),
            "explain The team proposes an FBA before the ARD meeting",
            N_("every term in a passage you paste, one line each (not stored or logged)"),
        ),
        Verb(
            "deadlines",
            _deadlines,
            "deadlines consent 2026-09-15 state=TX",
            N_(
                "legal due dates after an event (referral, consent, eligibility, iep, "
                "evaluation, birthdate)"
            ),
        ),
        Verb(
            "track",
            _lazy("bots.verbs.tracking", "track_verb"),
            "track consent 2026-09-15 case=AB-7",
            N_("due dates plus reminders 14, 7 and 1 days before each (lead=, state=, to=)"),
        ),
        Verb(
            "remind",
            _lazy("bots.verbs.reminders", "remind_verb"),
            N_("remind me tomorrow 9am bring the draft"),
            N_("a one-off or repeating reminder, to you or a channel (#channel, here)"),
            usage_translated=True,
        ),
        Verb(
            "reminders",
            _lazy("bots.verbs.reminders", "reminders_verb"),
            "reminders",
            N_("your reminders and this channel's, with their ids"),
        ),
        Verb("cancel", _lazy("bots.verbs.reminders", "cancel_verb"), "cancel 42", N_("stop one")),
        Verb(
            "snooze",
            _lazy("bots.verbs.reminders", "snooze_verb"),
            "snooze 42 2d",
            N_("push one later (30m, 3h, 2d, 1w)"),
        ),
        Verb(
            "calendar",
            _lazy("bots.verbs.tracking", "calendar_verb"),
            "calendar",
            N_("an .ics file of your tracked deadlines for Outlook or Google Calendar"),
        ),
        Verb(
            "timezone",
            _lazy("bots.verbs.settings", "timezone_verb"),
            "timezone America/Chicago",
            N_("your timezone (admins: `timezone workspace ...` for everyone)"),
        ),
        Verb(
            "lang", _lazy("bots.verbs.settings", "lang_verb"), "lang es", N_("English or Spanish")
        ),
        Verb(
            "forget",
            _lazy("bots.verbs.settings", "forget_verb"),
            "forget",
            N_("delete everything the bot stores about you"),
        ),
        Verb("help", _help, "help", N_("this list")),
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
    # Spanish command words, for parents who type in Spanish (accents optional: see
    # split_command). Discord's subcommands stay English; its picker shows Spanish descriptions.
    "idioma": "lang",
    "temas": "topics",
    "comparar": "compare",
    "explicar": "explain",
    "explica": "explain",
    "plazos": "deadlines",
    "seguir": "track",
    "recuerdame": "remind",
    "recordar": "remind",
    "recordatorio": "reminders",
    "recordatorios": "reminders",
    "cancelar": "cancel",
    "posponer": "snooze",
    "calendario": "calendar",
    "zona": "timezone",
    "olvidame": "forget",
    "olvidar": "forget",
    "ayuda": "help",
}


def help_reply(lang: str = "en") -> Reply:
    """The list of verbs; usage examples are translated too where they contain words people
    type (a Spanish time phrase parses for a Spanish user)."""
    lines = [tr(lang, "`/iep 504 plan` or `/iep what is FAPE`: explain a term")]
    lines += [
        f"`{COMMAND} {tr(lang, verb.usage) if verb.usage_translated else verb.usage}`: "
        f"{tr(lang, verb.does)}"
        for verb in VERBS.values()
        if verb.name != "ask"
    ]
    return Reply(
        kind=ReplyKind.HELP,
        title=tr(lang, "How to use /iep"),
        sections=[
            Section(
                tr(
                    lang,
                    "I explain special-education words in plain language and work out the legal "
                    "deadlines of the IEP process.",
                )
            ),
            Section("\n".join(lines), heading=tr(lang, "Commands")),
            Section(
                tr(lang, "Never type a student's name: use a case label like AB-7 instead."),
                heading=tr(lang, "Privacy"),
            ),
        ],
        lang=lang,
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
    verb = ALIASES.get(verb) or ALIASES.get(fold(verb)) or verb
    if verb == "ask" and head.lower() == "what":
        return "ask", text  # "what is idea": the question words are the search's to drop
    if verb in VERBS:
        return verb, rest.strip()
    return "ask", text


def route(ctx: Context, text: str, asker: Asker = CONSOLE_ASKER) -> Reply:
    """Answer one command. Never raises for anything a user can type."""
    if not command_observers:
        return _route(ctx, text, asker)
    started = time.perf_counter()
    verb = split_command(text)[0] or "help"
    try:
        return _route(ctx, text, asker)
    finally:
        elapsed = time.perf_counter() - started
        for observe in command_observers:
            try:
                observe(verb, asker.platform, elapsed)
            except Exception:  # metrics must never cost a reply
                log.exception("command observer failed")


def _route(ctx: Context, text: str, asker: Asker) -> Reply:
    verb, rest = split_command(text)
    if not verb or (verb == "ask" and not rest):
        return help_reply(reply_lang(ctx, asker))
    try:
        reply = VERBS[verb].handler(ctx, rest, asker)
        reply.lang = reply_lang(ctx, asker)
        return reply
    except Exception as exc:  # a bug must cost one reply, not the bot
        # Only the exception type and code locations: its message may quote what was typed.
        where = "; ".join(
            f"{f.filename}:{f.lineno}" for f in traceback.extract_tb(exc.__traceback__)
        )
        log.error("verb %s failed with %s at %s", verb, type(exc).__name__, where)
        lang = reply_lang(ctx, asker)
        return Reply(
            kind=ReplyKind.ERROR,
            title=tr(lang, "Sorry, something went wrong on my side"),
            sections=[Section(tr(lang, "Please try again, or type `/iep help`."))],
            lang=lang,
        )
