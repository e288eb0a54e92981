"""`remind`, `reminders`, `cancel` and `snooze`: the reminder verbs, identical on every platform.

Each verb takes typed values (see ``bots.verbs.declare``); the ``parse_*`` functions are the
text front end, for the older free syntax of `/iep remind #team every monday 8am ...`.
Channel references in text are read by the platform's syntax, through ``TextInput.target``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bots.context import Context
from bots.preferences import lang_of, timezone_of
from bots.replies import Action, Reply, ReplyKind, Section, Table
from bots.targets import HERE_WORDS, mention
from bots.verbs.declare import TextInput, Unreadable, convert_text, error_reply
from content.i18n import N_, tr
from scheduler.errors import UserError
from scheduler.identity import Asker, Target
from scheduler.limits import REMINDER_TEXT_MAX
from scheduler.reminders.jobs import utcnow
from scheduler.reminders.service import ReminderRefused
from scheduler.store.records import ReminderRecord
from scheduler.timing.errors import TimeError
from scheduler.timing.phrases import parse_reminder
from scheduler.timing.recurrence import Recurrence, describe
from scheduler.timing.zones import format_local, resolve_timezone

REMIND_USAGE = N_(
    "Try `/iep remind me tomorrow 9am bring the draft` or "
    "`/iep remind #sped-team every monday 8am check caseload`."
)
LIST_LIMIT = 25


def error(title: str, hint: str | None = None, lang: str = "en") -> Reply:
    """A short refusal; the store was not touched. Title and hint are already translated."""
    return error_reply(title, hint, lang)


# What to type next, after the core's refusal: the core knows no chat syntax.
NEXT_STEP = {
    "no_such": N_("See `/iep reminders`."),
    "too_many": N_("Cancel some with `/iep cancel ID` first."),
}


def refusal(exc: UserError, lang: str) -> str:
    """A core refusal in the asker's language, with the command to try next where one helps."""
    text = exc.text(lang)
    step = NEXT_STEP.get(exc.code) if isinstance(exc, ReminderRefused) else None
    return f"{text} {tr(lang, step)}" if step else text


def no_store(lang: str = "en") -> Reply:
    return error(
        tr(lang, "Reminders need the bot's store"),
        tr(lang, "Run `iepbot console` or `iepbot run`; a one-off `iepbot ask` has none."),
        lang,
    )


def _count(lang: str, n: int) -> str:
    """Thousands written the reader's way: 1,200 in English, 1.200 in Spanish."""
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=lang))


def _too_long(lang: str, length: int) -> Reply:
    return error(
        tr(
            lang,
            "That reminder is {length} characters; the most is {most}",
            length=_count(lang, length),
            most=_count(lang, REMINDER_TEXT_MAX),
        ),
        tr(lang, "Shorten it, or put a link to the details."),
        lang,
    )


def parse_remind(text: TextInput) -> dict[str, Any] | Reply:
    """`remind [me|here|#channel] <when and what>`: the time phrase and the message are one
    run of words, which the timing parser splits."""
    lang, args = text.lang, text.rest
    if len(args) > REMINDER_TEXT_MAX + 200:
        return _too_long(lang, len(args))
    head, _, rest = args.strip().partition(" ")
    if head.lower() in HERE_WORDS and not text.asker.channel_id:
        return error(
            tr(lang, "There is no channel here"),
            tr(lang, "Use `/iep remind me ...` instead."),
            lang,
        )
    target = text.target(head) if head else None
    if target is None:
        rest = args.strip()
    if not rest:
        return error(
            tr(lang, "When, and what should I remind you of?"), tr(lang, REMIND_USAGE), lang
        )
    return {"when": rest, "to": target if target and target.kind == "channel" else None}


def remind_verb(
    ctx: Context, asker: Asker, *, when: str, what: str | None = None, to: Target | None = None
) -> Reply:
    """``when`` is a time phrase, or a phrase with the message after it when ``what`` is None;
    ``to`` is a channel, or None for the asker by direct message."""
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    phrase = when.strip() if what is None else f"{when.strip()} {what.strip()}"
    target = to or Target("user", asker.user_id)
    if target.kind == "channel" and ctx.channel_check and not ctx.channel_check(asker, target.id):
        return error(
            tr(lang, "You can only set channel reminders in channels you are a member of"),
            tr(lang, "Join the channel first, or remind yourself with `/iep remind me ...`."),
            lang,
        )
    tz_name = timezone_of(ctx, asker)
    try:
        parsed = parse_reminder(phrase, now=utcnow(), tz=resolve_timezone(tz_name), lang=lang)
        record = ctx.reminders.create(
            asker,
            target_kind=target.kind,
            target_id=target.id,
            text=parsed.message,
            timezone=tz_name,
            lang=lang,
            first_fire=parsed.first_fire,
            recurrence=parsed.recurrence,
        )
    except (TimeError, ReminderRefused) as exc:
        return error(refusal(exc, lang), lang=lang)
    if target.kind == "user":
        where = tr(lang, "you (a direct message)")
    else:
        where = tr(lang, "channel {channel}", channel=mention(asker.platform, target))
    lines = [
        tr(lang, "When: {when}", when=_next(record)),
        tr(lang, "To: {where}", where=where),
    ]
    if record.recurrence:
        repeats = describe(Recurrence.from_json(record.recurrence), lang)
        lines.append(tr(lang, "Repeats: {repeats}", repeats=repeats))
    lines.append(tr(lang, "What: {text}", text=record.text))
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(lang, "Reminder #{id} set", id=record.id),
        sections=[Section("\n".join(lines))],
        actions=[
            Action(tr(lang, "Cancel"), f"cancel {record.id}", "danger"),
            Action(tr(lang, "All my reminders"), "reminders"),
        ],
        lang=lang,
    )


def _next(record: ReminderRecord, lang: str | None = None) -> str:
    """The next time in the reader's language (the reminder's own when not given)."""
    lang = lang or record.lang
    if record.next_fire_at is None:
        return tr(lang, "done")
    return format_local(record.next_fire_at, resolve_timezone(record.timezone), lang)


def _to(record: ReminderRecord, lang: str) -> str:
    if record.target_kind == "user":
        return tr(lang, "you")
    return mention(record.platform, Target("channel", record.target_id))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reminders_verb(ctx: Context, asker: Asker) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    records = [r for r in ctx.reminders.visible(asker) if r.status == "active"]
    if not records:
        return Reply(
            kind=ReplyKind.INFO,
            title=tr(lang, "No reminders yet"),
            sections=[Section(tr(lang, REMIND_USAGE))],
            lang=lang,
        )
    shown = records[:LIST_LIMIT]
    once = tr(lang, "once")
    rows = tuple(
        (
            f"#{r.id}",
            _next(r, lang),
            _to(r, lang),
            describe(Recurrence.from_json(r.recurrence), lang) if r.recurrence else once,
            _short(r.text),
        )
        for r in shown
    )
    actions: list[Action] = []
    for r in shown:
        actions.append(Action(tr(lang, "Cancel #{id}", id=r.id), f"cancel {r.id}", "danger"))
        actions.append(Action(tr(lang, "Snooze #{id} 1 day", id=r.id), f"snooze {r.id} 1d"))
    more = len(records) - len(shown)
    headers = (
        tr(lang, "ID"),
        tr(lang, "Next"),
        tr(lang, "To"),
        tr(lang, "Repeats"),
        tr(lang, "What"),
    )
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(lang, "Your reminders ({count})", count=len(records)),
        table=Table(headers=headers, rows=rows),
        sections=[Section(tr(lang, "…and {more} more.", more=more))] if more else [],
        actions=actions,
        note=tr(lang, "`/iep cancel ID` or `/iep snooze ID 2d` to change one."),
        lang=lang,
    )


def parse_cancel(text: TextInput) -> dict[str, Any] | Reply:
    try:
        return {"reminder": convert_text(_REMINDER, text.rest.strip(), text)}
    except Unreadable:
        return error(
            tr(text.lang, "Which reminder?"),
            tr(text.lang, "Give its number: `/iep cancel 42`. See `/iep reminders`."),
            text.lang,
        )


def cancel_verb(ctx: Context, asker: Asker, *, reminder: int) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    try:
        record = ctx.reminders.cancel(asker, reminder)
    except ReminderRefused as exc:
        return error(refusal(exc, lang), lang=lang)
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(lang, "Reminder #{id} cancelled", id=record.id),
        sections=[Section(tr(lang, "It was: {text}", text=_short(record.text)))],
        lang=lang,
    )


def parse_snooze(text: TextInput) -> dict[str, Any] | Reply:
    head, _, rest = text.rest.strip().partition(" ")
    try:
        reminder = convert_text(_REMINDER, head, text)
    except Unreadable:
        reminder = None
    if reminder is None or not rest.strip():
        return error(
            tr(text.lang, "Which reminder, and for how long?"),
            tr(text.lang, "For example `/iep snooze 42 2d`."),
            text.lang,
        )
    try:
        return {"reminder": reminder, "by": convert_text(_BY, rest.strip(), text)}
    except Unreadable as exc:
        return error(refusal(exc, text.lang), lang=text.lang)


def snooze_verb(ctx: Context, asker: Asker, *, reminder: int, by: timedelta) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    try:
        record = ctx.reminders.snooze(asker, reminder, by)
    except (TimeError, ReminderRefused) as exc:
        return error(refusal(exc, lang), lang=lang)
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(lang, "Reminder #{id} snoozed", id=record.id),
        sections=[Section(tr(lang, "Next: {when}", when=_next(record, lang)))],
        lang=lang,
    )


def _param(verb: str, name: str) -> Any:
    from bots.verbs.builtin import param

    return param(verb, name)


_REMINDER = _param("cancel", "reminder")
_BY = _param("snooze", "by")
