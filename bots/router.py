"""The text front end every platform shares: a line of text in, a platform-neutral Reply out.

Slack sends `/iep 504 plan` as text, buttons carry a command line, the console reads one. All
of them end up in ``route``, which finds the verb (``bots.verbs.builtin`` declares them all),
lets the declaration read the rest of the line into typed values, and calls it through
``invoke``: Discord's typed options reach the same ``invoke`` without any text.
"""

from __future__ import annotations

import logging

from bots.context import Context
from bots.preferences import lang_of, reply_lang
from bots.replies import Reply, ReplyKind, Section
from bots.verbs import builtin  # noqa: F401  (registers the verbs)
from bots.verbs.declare import ALIASES, VERBS, command_observers, invoke
from content.i18n import tr
from content.normalise import fold
from scheduler.identity import CONSOLE_ASKER, Asker

log = logging.getLogger(__name__)
COMMAND = "/iep"
__all__ = ["ALIASES", "COMMAND", "VERBS", "command_observers", "help_reply", "route"]


def help_verb(ctx: Context, asker: Asker) -> Reply:
    return help_reply(lang_of(ctx, asker))


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
    """Answer one command line. Never raises for anything a user can type."""
    name, rest = split_command(text)
    verb = VERBS[name or "help"]
    if not name or (name == "ask" and not rest):
        return invoke(ctx, verb, asker, help_reply(reply_lang(ctx, asker)))
    return invoke(ctx, verb, asker, rest)
