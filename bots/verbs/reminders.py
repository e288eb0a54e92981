"""`remind`, `reminders`, `cancel`, `snooze`, `done`, `skip` and `stop`: the reminder verbs,
identical on every platform.

`done`, `skip`, `stop` and `snooze` are also what a delivered reminder's buttons run (see
``bots.deliveries``): a button adds ``at=<fire time>`` so that it acts on its own delivery,
once; typed without it they act on the latest delivery.

Each verb takes typed values (see ``bots.verbs.declare``); the ``parse_*`` functions are the
text front end, for the older free syntax of `/iep remind #team every monday 8am ...`.
Channel references in text are read by the platform's syntax, through ``TextInput.target``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from bots.context import Context
from bots.preferences import lang_of, timezone_of
from bots.replies import Action, Reply, ReplyKind, Section, Table
from bots.targets import HERE_WORDS, mention
from bots.verbs.declare import TextInput, TextParser, Unreadable, convert_text, error_reply
from content.errors import UserError
from content.i18n import N_, tr
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
    "Try `/iep remind me to bring the draft tomorrow at 9am` or "
    "`/iep remind #sped-team to check caseload every monday at 8am`."
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
    if target is not None and target.kind == "user" and target.id == text.asker.user_id:
        target = None  # `remind @me`: the asker's own DM
    return {"when": rest, "to": target}


def remind_verb(
    ctx: Context, asker: Asker, *, when: str, what: str | None = None, to: Target | None = None
) -> Reply:
    """``when`` is a time phrase, or a phrase with the message after it when ``what`` is None;
    ``to`` is a channel, another person (delivered to them by DM, naming the asker), or None
    for the asker by direct message. Whether that person can be reached is the adapter's
    check, made before this runs (Slack's users.info, Discord's member and DM)."""
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
    if target.kind == "user" and target.id == asker.user_id:
        where = tr(lang, "you (a direct message)")
    elif target.kind == "user":
        where = tr(lang, "{person} (a direct message)", person=mention(asker.platform, target))
    else:
        where = tr(lang, "channel {channel}", channel=mention(asker.platform, target))
    lines = [
        # The IANA zone too: "CST" alone does not tell a reader which zone set the time.
        tr(lang, "When: {when}", when=f"{_next(record)} ({record.timezone})"),
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


def _to(record: ReminderRecord, lang: str, asker: Asker | None = None) -> str:
    """Who a listed reminder goes to, seen from the reader: "you", a person or a channel."""
    if record.target_kind == "user":
        if asker is None or record.target_id == asker.user_id:
            if asker is not None and record.owner_id != asker.user_id:
                set_by = mention(record.platform, Target("user", record.owner_id))
                return tr(lang, "you (from {person})", person=set_by)
            return tr(lang, "you")
        return mention(record.platform, Target("user", record.target_id))
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
            _to(r, lang, asker),
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


TOMORROW_WORDS = frozenset({"tomorrow", "mañana", "manana"})
MORNING = time(9, 0)  # "Tomorrow 9am", as Slack's own snooze offers


def _button_time(text: TextInput) -> tuple[str, dict[str, Any]]:
    """The line without a button's `at=<fire time>`, and that time as a typed value."""
    words, values = [], {}
    for word in text.rest.split():
        key, sep, raw = word.partition("=")
        if sep and key.lower() == "at":
            values["at"] = convert_text(_AT, raw, text)
        else:
            words.append(word)
    return " ".join(words), values


def parse_snooze(text: TextInput) -> dict[str, Any] | Reply:
    """`snooze 42 2d`, `snooze 42 tomorrow` (9am, the asker's zone); buttons add `at=`."""
    try:
        rest_line, values = _button_time(text)
    except Unreadable as exc:
        return error(str(exc), lang=text.lang)
    head, _, rest = rest_line.strip().partition(" ")
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
    if rest.strip().lower() in TOMORROW_WORDS:
        return {"reminder": reminder, "tomorrow": True, **values}
    try:
        return {"reminder": reminder, "by": convert_text(_BY, rest.strip(), text), **values}
    except Unreadable as exc:  # already worded in the asker's language
        return error(str(exc), lang=text.lang)


def _one_reminder(verb: str) -> TextParser:
    """The text parser of `done 42`, `skip 42`, `stop 42` (and their buttons' `at=`)."""

    def parse(text: TextInput) -> dict[str, Any] | Reply:
        try:
            rest_line, values = _button_time(text)
            return {"reminder": convert_text(_REMINDER, rest_line.strip(), text), **values}
        except Unreadable:
            return error(
                tr(text.lang, "Which reminder?"),
                tr(text.lang, "Give its number: `/iep {verb} 42`.", verb=verb),
                text.lang,
            )

    return parse


parse_done = _one_reminder("done")
parse_skip = _one_reminder("skip")
parse_stop = _one_reminder("stop")


def _exact(record: ReminderRecord, ctx: Context, asker: Asker, lang: str) -> str:
    """The next time in the reader's zone, with the zone's name: exact, never "CST" alone."""
    tz_name = timezone_of(ctx, asker)
    if record.next_fire_at is None:
        return tr(lang, "done")
    when = format_local(record.next_fire_at, resolve_timezone(tz_name), lang)
    return f"{when} ({tz_name})"


def _acted(
    ctx: Context,
    asker: Asker,
    reminder: int,
    action: str,
    title: str,
    *,
    at: datetime | None = None,
    until: datetime | None = None,
) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    try:
        record = ctx.reminders.act(asker, reminder, action, fire_at=at, until=until)
    except (TimeError, ReminderRefused) as exc:
        return error(refusal(exc, lang), lang=lang)
    lines = []
    if record.status == "active" and record.next_fire_at is not None:
        lines.append(tr(lang, "Next: {when}", when=_exact(record, ctx, asker, lang)))
        if record.recurrence:
            repeats = describe(Recurrence.from_json(record.recurrence), lang)
            lines.append(tr(lang, "Repeats: {repeats}", repeats=repeats))
    lines.append(tr(lang, "What: {text}", text=_short(record.text)))
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(lang, title, id=record.id),
        sections=[Section("\n".join(lines))],
        lang=lang,
    )


def snooze_verb(
    ctx: Context,
    asker: Asker,
    *,
    reminder: int,
    by: timedelta | None = None,
    tomorrow: bool = False,
    at: datetime | None = None,
) -> Reply:
    """Typed, `snooze 42 2d` moves the next time later (a finished one comes back 2d from
    now) and `snooze 42 tomorrow` moves it to tomorrow 9am in the asker's zone. A delivered
    reminder's button (``at``) brings that delivery back after ``by`` from now, or tomorrow
    9am, once: the ledger refuses a second press."""
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    until = None
    if tomorrow:
        zone = resolve_timezone(timezone_of(ctx, asker))
        day = utcnow().astimezone(zone).date() + timedelta(days=1)
        until = datetime.combine(day, MORNING, zone)
    if at is not None:
        if until is None:
            until = utcnow() + (by or timedelta(minutes=20))
        return _acted(
            ctx, asker, reminder, "snooze", N_("Reminder #{id} snoozed"), at=at, until=until
        )
    if by is None and until is None:
        return error(tr(lang, "Which reminder, and for how long?"), lang=lang)
    try:
        record = ctx.reminders.snooze(asker, reminder, by, until=until)
    except (TimeError, ReminderRefused) as exc:
        return error(refusal(exc, lang), lang=lang)
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(lang, "Reminder #{id} snoozed", id=record.id),
        sections=[Section(tr(lang, "Next: {when}", when=_exact(record, ctx, asker, lang)))],
        lang=lang,
    )


def done_verb(ctx: Context, asker: Asker, *, reminder: int, at: datetime | None = None) -> Reply:
    """Mark a delivered reminder done (a repeating one carries on as planned)."""
    return _acted(ctx, asker, reminder, "done", N_("Reminder #{id} marked done"), at=at)


def skip_verb(ctx: Context, asker: Asker, *, reminder: int, at: datetime | None = None) -> Reply:
    """Skip the next occurrence of a repeating reminder."""
    return _acted(ctx, asker, reminder, "skip", N_("Reminder #{id}: next one skipped"), at=at)


def stop_verb(ctx: Context, asker: Asker, *, reminder: int, at: datetime | None = None) -> Reply:
    """Stop a reminder for good from its delivery; one never delivered is simply cancelled."""
    if at is None and ctx.reminders is not None:
        latest = ctx.reminders.store.latest_delivery(reminder)
        if latest is None:
            return cancel_verb(ctx, asker, reminder=reminder)
    return _acted(ctx, asker, reminder, "stop", N_("Reminder #{id} stopped"), at=at)


def _param(verb: str, name: str) -> Any:
    from bots.verbs.builtin import param

    return param(verb, name)


_REMINDER = _param("cancel", "reminder")
_BY = _param("snooze", "by")
_AT = _param("done", "at")
