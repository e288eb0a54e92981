"""Verbs declared once: name, typed parameters and flags, read by every front end.

A verb is a function ``(ctx, asker, **values) -> Reply`` whose keyword arguments are typed
values (a ``date``, a ``Target``, an ``int`` reminder id, a ``timedelta``…), plus one
``Verb(...)`` declaration. The declarations are the only list of verbs:

- the text router (Slack's `/iep` text, buttons, the console) splits the line with the
  declaration: positional words in order, the last TERM/TEXT parameter takes the rest of the
  line, ``keyword=True`` parameters are written ``name=value`` anywhere; a verb with its own
  older syntax gives ``parse=`` instead (a function from ``TextInput`` to values or a Reply);
- the Discord adapter builds one subcommand per verb, an option per parameter, with choices,
  ranges and autocomplete chosen by the parameter's ``Kind``, and calls the function with the
  converted option values (no text in between);
- Slack's listeners and ``iepbot run`` read the flags (``cheap``, ``shareable``, ...).
- a verb declared with ``form=`` (a title) gets a Slack modal built from its ``params``, one
  field per parameter a person fills in, read back with the same converters as typed text.

Adding a verb (see ``tests/bots/test_declared_verb.py`` for a complete one)::

    # bots/verbs/echo.py
    def echo_verb(ctx: Context, asker: Asker, *, word: str, on: date | None = None) -> Reply:
        ...

    # bots/verbs/builtin.py, in DECLARED (help lists verbs in this order)
    Verb(
        "echo",
        "bots.verbs.echo:echo_verb",        # imported on first use; a function works too
        usage="echo IEP on=2026-09-15",     # the example `help` shows (command words: English)
        does=N_("say a word back"),         # the `help` line, a catalogue message
        summary=N_("Say a word back"),      # Discord's command picker (defaults to ``does``)
        params=(
            Param("word", Kind.TERM, N_("A word")),
            Param("on", Kind.DATE, N_("A day"), required=False, keyword=True),
        ),
        cheap=True,                         # answered inside Slack's acknowledgement
    )

``Param`` fields: ``name`` (the Discord option and the text ``name=`` key), ``kind``,
``help`` (Discord's option description, a catalogue message), ``required``, ``default``,
``keyword``, ``max_length`` (the longest value Discord's input takes; the verb still checks
lengths it cares about, as typed text has no widget), ``choices`` ((value, label) pairs, for
CHOICE and EVENT), ``arg`` (the function's keyword when it differs from ``name``: the
`date` option arrives as ``on=``). A ``Kind.TARGET`` value is a ``Target``; channel syntax is
read and written only by the platforms (``bots.targets``). Every new ``N_`` string needs its
Spanish in the catalogue (`python -m content.i18n extract`, then `update`, then `compile`).

Flags: ``cheap`` (no store, fast: Slack answers in its ack), ``shareable`` (Slack offers
"Share in channel"), ``changes_home`` (Slack refreshes the App Home after it), ``admin_only``
(only workspace or server admins may run it; checked once, here, for every front end),
``lists`` (after a button press Slack shows the reminder list again, with the result as
status). ``aliases`` are other words that name the verb in text (Spanish ones included).
Which adapter must run on the leader only is the adapter's fact (``Adapter.leader_only``).
A verb that raises costs one "something went wrong" reply, never the bot (``invoke``).
"""

from __future__ import annotations

import importlib
import logging
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bots.input_text import clean_text
from bots.replies import Reply, ReplyKind, Section
from bots.targets import HERE_WORDS, ME_WORDS, syntax_for
from content.i18n import tr
from scheduler.identity import Asker, Target

if TYPE_CHECKING:
    from bots.context import Context

log = logging.getLogger(__name__)


class Kind(StrEnum):
    """What a parameter holds; each front end picks its input widget and converter by kind."""

    TERM = "term"  # str: a term to look up (Discord autocompletes from the pack)
    TEXT = "text"  # str: free text
    DATE = "date"  # datetime.date (Discord: a string option read as 9/15/2026, today, ...)
    EVENT = "event"  # str: one of content.deadlines.EVENTS (Discord: fixed choices)
    STATE = "state"  # str: a US state or territory code, normalised (Discord: autocomplete)
    TARGET = "target"  # Target: a channel (or, in text, `me`/`here`)
    DURATION = "duration"  # timedelta: 30m, 3h, 2d, 1w
    LEADS = "leads"  # tuple[timedelta, ...]: 14d,7d,1d
    REMINDER = "reminder"  # int: a reminder id (Discord: autocomplete with the asker's own)
    ZONE = "zone"  # str: an IANA timezone name as typed (Discord: autocomplete)
    CHOICE = "choice"  # str: one of ``Param.choices``
    PERSON = "person"  # Target("user", id): someone else (Slack `@name`, Discord a user option)
    INSTANT = "instant"  # datetime (UTC) written as epoch seconds: a button's delivery time


@dataclass(frozen=True)
class Param:
    """One typed parameter of a verb. ``help`` is what Discord shows under the option."""

    name: str
    kind: Kind
    help: str
    required: bool = True
    default: Any = None
    keyword: bool = False  # text syntax: `name=value`, anywhere in the line
    # The longest value an input widget takes (Discord); the verb still checks what it needs,
    # as typed text has no widget.
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for Kind.CHOICE and EVENT
    arg: str | None = None  # the function's keyword, when it differs from ``name``
    # Written by buttons only (a delivery's fire time): no Discord option, not in `help`.
    hidden: bool = False

    @property
    def keyword_name(self) -> str:
        return self.arg or self.name


@dataclass(frozen=True)
class TextInput:
    """What a text parser gets: the words after the verb, who typed them and in which
    language, and the platform's reading of channel references."""

    rest: str
    asker: Asker
    lang: str

    def target(self, token: str) -> Target | None:
        """`me`, `here` (when there is a channel) or the platform's channel syntax."""
        lowered = token.lower()
        if lowered in ME_WORDS:
            return Target("user", self.asker.user_id)
        if lowered in HERE_WORDS and self.asker.channel_id:
            return Target("channel", self.asker.channel_id)
        channel = syntax_for(self.asker.platform).read_channel(token)
        return Target("channel", channel) if channel else self.person(token)

    def person(self, token: str) -> Target | None:
        """Someone named by the platform's mention syntax (Slack `<@U123>`), or None."""
        user = syntax_for(self.asker.platform).read_user(token)
        return Target("user", user) if user else None


VerbFunction = Callable[..., Reply]
TextParser = Callable[[TextInput], "dict[str, Any] | Reply"]


def _resolve(reference: Any) -> Any:
    """A function, or "module:name" imported on first use: reminders and deadlines pull in
    dateparser, SQLAlchemy and APScheduler, which a plain `iepbot ask` should not pay for."""
    if not isinstance(reference, str):
        return reference
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Verb:
    name: str
    function: VerbFunction | str
    usage: str
    does: str
    summary: str | None = None
    params: tuple[Param, ...] = ()
    parse: TextParser | str | None = None
    cheap: bool = False
    shareable: bool = False
    changes_home: bool = False
    admin_only: bool = False
    lists: bool = False
    # Only an example with words people type (a time phrase) is translated; the others are
    # command words, which stay English in every language (Spanish aliases also work).
    usage_translated: bool = False
    aliases: tuple[str, ...] = ()
    # The title of the verb's form (a Slack modal built from ``params``); empty: no form.
    form: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def options(self) -> tuple[Param, ...]:
        """The parameters a person fills in (Discord's options); hidden ones come on buttons."""
        return tuple(p for p in self.params if not p.hidden)

    @property
    def picker(self) -> str:
        """The one-line description in Discord's command picker."""
        return self.summary or self.does

    def call(self, ctx: Context, asker: Asker, values: dict[str, Any]) -> Reply:
        if "function" not in self._cache:
            self._cache["function"] = _resolve(self.function)
        function: VerbFunction = self._cache["function"]
        return function(ctx, asker, **values)

    def parse_text(self, text: TextInput) -> dict[str, Any] | Reply:
        if self.parse is not None:
            parser: TextParser = _resolve(self.parse)
            return parser(text)
        return parse_words(self, text)


VERBS: dict[str, Verb] = {}
ALIASES: dict[str, str] = {}
# (verb, platform, seconds) after each command; `iepbot run` adds its metrics here. A plain hook
# keeps prometheus_client out of `iepbot ask` and the console.
command_observers: list[Callable[[str, str, float], None]] = []


def register(verb: Verb) -> Verb:
    """Add (or replace) a verb; the adapters read ``VERBS`` when they build their commands."""
    VERBS[verb.name] = verb
    for alias in verb.aliases:
        ALIASES[alias] = verb.name
    return verb


def unregister(name: str) -> None:
    verb = VERBS.pop(name, None)
    for alias in verb.aliases if verb else ():
        ALIASES.pop(alias, None)


def error_reply(title: str, hint: str | None, lang: str) -> Reply:
    return Reply(
        kind=ReplyKind.ERROR, title=title, sections=[Section(hint)] if hint else [], lang=lang
    )


class Unreadable(ValueError):
    """A parameter's text could not be turned into its type; the message is for the user."""


def convert_text(param: Param, raw: str, text: TextInput) -> Any:
    """The typed value of one parameter written in command text."""
    kind = param.kind
    if kind in (Kind.TERM, Kind.TEXT, Kind.ZONE):
        return raw
    if kind is Kind.DATE:
        from content.deadlines import DeadlineInputError, parse_date

        try:
            return parse_date(raw)
        except DeadlineInputError as exc:
            raise Unreadable(exc.text(text.lang)) from exc
    if kind in (Kind.EVENT, Kind.STATE):
        from content.deadlines import DeadlineInputError, normalise_event, normalise_state

        try:
            return normalise_event(raw) if kind is Kind.EVENT else normalise_state(raw)
        except DeadlineInputError as exc:
            raise Unreadable(exc.text(text.lang)) from exc
    if kind is Kind.TARGET:
        target = text.target(raw)
        if target is None:
            raise Unreadable(tr(text.lang, "`to=` takes `me`, `here` or a channel"))
        return target
    if kind in (Kind.DURATION, Kind.LEADS):
        from scheduler.timing.durations import parse_duration, parse_leads
        from scheduler.timing.errors import TimeError

        try:
            return parse_duration(raw, text.lang) if kind is Kind.DURATION else parse_leads(raw)
        except TimeError as exc:
            raise Unreadable(exc.text(text.lang)) from exc
    if kind is Kind.INSTANT:
        from datetime import UTC, datetime

        if raw.isdigit() and len(raw) <= 12:
            return datetime.fromtimestamp(int(raw), UTC)
        raise Unreadable(tr(text.lang, "I could not read that"))
    if kind is Kind.PERSON:
        person = text.person(raw)
        if person is None:
            raise Unreadable(tr(text.lang, "I could not read that"))
        return person
    if kind is Kind.REMINDER:
        token = raw.lstrip("#")
        if token.isdigit() and len(token) < 12:
            return int(token)
        raise Unreadable(tr(text.lang, "Which reminder?"))
    if kind is Kind.CHOICE:
        if raw.lower() in {value for value, _ in param.choices}:
            return raw.lower()
        raise Unreadable(tr(text.lang, "I could not read that"))
    raise AssertionError(f"no text converter for {kind}")


def parse_words(verb: Verb, text: TextInput) -> dict[str, Any] | Reply:
    """The declaration's own text syntax (see the module docstring)."""
    lang = text.lang
    hint = f"`/iep {verb.usage}`"
    keywords = {p.name: p for p in verb.params if p.keyword}
    positional = [p for p in verb.params if not p.keyword]
    raw: dict[str, str] = {}
    plain: list[str] = []
    for word in text.rest.split():
        key, sep, value = word.partition("=")
        if sep and key.lower() in keywords:
            raw[key.lower()] = value
        else:
            plain.append(word)
    for i, param in enumerate(positional):
        rest_of_line = i == len(positional) - 1 and param.kind in (Kind.TERM, Kind.TEXT)
        if rest_of_line and plain[i:]:
            raw[param.name] = " ".join(plain[i:])
            plain = plain[: i + 1]
        elif i < len(plain):
            raw[param.name] = plain[i]
    if len(plain) > len(positional):
        return error_reply(tr(lang, "I could not read that"), hint, lang)
    values: dict[str, Any] = {}
    for param in verb.params:
        if param.name not in raw:
            if param.required:
                return error_reply(tr(lang, "I could not read that"), hint, lang)
            continue
        try:
            values[param.keyword_name] = convert_text(param, raw[param.name], text)
        except Unreadable as exc:
            return error_reply(str(exc), hint, lang)
    return values


def invoke(ctx: Context, verb: Verb, asker: Asker, values: dict[str, Any] | Reply | str) -> Reply:
    """Run a verb with typed values, or with the rest of a command line for its text parser
    (a ready Reply is just shown). Never raises for anything a user can type; every front end
    ends here, so metrics see every command."""
    started = time.perf_counter()
    try:
        return _invoke(ctx, verb, asker, values)
    finally:
        elapsed = time.perf_counter() - started
        for observe in command_observers:
            try:
                observe(verb.name, asker.platform, elapsed)
            except Exception:  # metrics must never cost a reply
                log.exception("command observer failed")


def _is_store_error(exc: Exception) -> bool:
    """Without importing the store (SQLAlchemy) into `iepbot ask`: a StoreError can only have
    been raised if its module is loaded."""
    errors = sys.modules.get("scheduler.store.errors")
    return errors is not None and isinstance(exc, errors.StoreError)


def _invoke(ctx: Context, verb: Verb, asker: Asker, values: dict[str, Any] | Reply | str) -> Reply:
    from bots.preferences import reply_lang

    try:
        if isinstance(values, str):
            values = verb.parse_text(TextInput(clean_text(values), asker, reply_lang(ctx, asker)))
        elif isinstance(values, dict):  # typed options (Discord, modals): the same cleaning
            values = {k: clean_text(v) if isinstance(v, str) else v for k, v in values.items()}
        if isinstance(values, Reply):
            reply = values
        elif verb.admin_only and not asker.is_admin:
            lang = reply_lang(ctx, asker)
            reply = error_reply(
                tr(lang, "Only workspace or server admins can use this command"), None, lang
            )
        else:
            reply = verb.call(ctx, asker, values)
        reply.lang = reply_lang(ctx, asker)
        return reply
    except Exception as exc:  # a bug must cost one reply, not the bot
        if _is_store_error(exc):  # the database is down or gone: say so, never "saved"
            lang = reply_lang(ctx, asker)
            return Reply(
                kind=ReplyKind.ERROR,
                title=tr(lang, "The bot's storage is not available right now; nothing was saved"),
                sections=[Section(tr(lang, "Please try again in a few minutes."))],
                lang=lang,
            )
        # Only the exception type and code locations: its message may quote what was typed.
        where = "; ".join(
            f"{f.filename}:{f.lineno}" for f in traceback.extract_tb(exc.__traceback__)
        )
        log.error("verb %s failed with %s at %s", verb.name, type(exc).__name__, where)
        lang = reply_lang(ctx, asker)
        return Reply(
            kind=ReplyKind.ERROR,
            title=tr(lang, "Sorry, something went wrong on my side"),
            sections=[Section(tr(lang, "Please try again, or type `/iep help`."))],
            lang=lang,
        )


__all__ = [
    "ALIASES",
    "VERBS",
    "Kind",
    "Param",
    "Target",
    "TextInput",
    "Verb",
    "command_observers",
    "convert_text",
    "invoke",
    "parse_words",
    "register",
    "unregister",
]
