"""`remind`, `reminders`, `cancel` and `snooze`: the reminder verbs, identical on every platform.

Targets are written the way each platform writes them in command text: `me`, `here`, a
Slack channel reference `<#C123|name>`, a Discord one `<#123>`, or `#name` on the console.
"""

from __future__ import annotations

import re

from bots.asker import Asker
from bots.context import Context
from bots.preferences import lang_of, timezone_of, who
from bots.replies import Action, Reply, ReplyKind, Section, Table
from content.i18n import N_, tr
from scheduler.reminders.engine import utcnow
from scheduler.reminders.service import MAX_TEXT, ReminderRefused
from scheduler.store.records import ReminderRecord
from scheduler.timing.durations import parse_duration
from scheduler.timing.errors import TimeError
from scheduler.timing.phrases import parse_reminder
from scheduler.timing.recurrence import Recurrence, describe
from scheduler.timing.zones import format_local, resolve_timezone

_CHANNEL = re.compile(r"^<#([A-Z0-9]+|\d+)(?:\|[^>]*)?>$|^#([\w-]{1,80})$")
REMIND_USAGE = N_(
    "Try `/iep remind me to bring the draft tomorrow at 9am` or "
    "`/iep remind #sped-team to check caseload every monday at 8am`."
)
LIST_LIMIT = 25


def error(title: str, hint: str | None = None, lang: str = "en") -> Reply:
    """A short refusal; the store was not touched. Title and hint are already translated."""
    return Reply(
        kind=ReplyKind.ERROR, title=title, sections=[Section(hint)] if hint else [], lang=lang
    )


def no_store(lang: str = "en") -> Reply:
    return error(
        tr(lang, "Reminders need the bot's store"),
        tr(lang, "Run `iepbot console` or `iepbot run`; a one-off `iepbot ask` has none."),
        lang,
    )


def parse_target(asker: Asker, token: str) -> tuple[str, str] | None:
    """(kind, id) for a target word, or None when the word is not a target."""
    lowered = token.lower()
    if lowered in ("me", "myself", "yo", "mí", "mi"):
        return "user", asker.user_id
    if lowered in ("here", "aquí", "aqui") and asker.channel_id:
        return "channel", asker.channel_id
    found = _CHANNEL.match(token)
    if found:
        return "channel", found.group(1) or found.group(2)
    return None


def _count(lang: str, n: int) -> str:
    """Thousands written the reader's way: 1,200 in English, 1.200 in Spanish."""
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=lang))


def remind_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    if len(args) > MAX_TEXT + 200:
        return error(
            tr(
                lang,
                "That reminder is {length} characters; the most is {most}",
                length=_count(lang, len(args)),
                most=_count(lang, MAX_TEXT),
            ),
            tr(lang, "Shorten it, or put a link to the details."),
            lang,
        )
    head, _, rest = args.strip().partition(" ")
    if head.lower() in ("here", "aquí", "aqui") and not asker.channel_id:
        return error(
            tr(lang, "There is no channel here"),
            tr(lang, "Use `/iep remind me ...` instead."),
            lang,
        )
    target = parse_target(asker, head) if head else None
    if target is None:
        target, rest = ("user", asker.user_id), args.strip()
    if not rest:
        return error(
            tr(lang, "When, and what should I remind you of?"), tr(lang, REMIND_USAGE), lang
        )
    kind, target_id = target
    if kind == "channel" and ctx.channel_check and not ctx.channel_check(asker, target_id):
        return error(
            tr(lang, "You can only set channel reminders in channels you are a member of"),
            tr(lang, "Join the channel first, or remind yourself with `/iep remind me ...`."),
            lang,
        )
    tz_name = timezone_of(ctx, asker)
    try:
        parsed = parse_reminder(rest, now=utcnow(), tz=resolve_timezone(tz_name), lang=lang)
        record = ctx.reminders.create(
            who(asker),
            target_kind=kind,
            target_id=target_id,
            text=parsed.message,
            timezone=tz_name,
            lang=lang,
            first_fire=parsed.first_fire,
            recurrence=parsed.recurrence,
        )
    except (TimeError, ReminderRefused) as exc:
        return error(str(exc), lang=lang)
    if kind == "user":
        where = tr(lang, "you (a direct message)")
    else:
        where = tr(lang, "channel {channel}", channel=channel_label(asker.platform, target_id))
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


def channel_label(platform: str, target_id: str) -> str:
    """How a channel is written back: chat platforms render `<#id>` as a link."""
    return f"#{target_id}" if platform == "console" else f"<#{target_id}>"


def _next(record: ReminderRecord, lang: str | None = None) -> str:
    """The next time in the reader's language (the reminder's own when not given)."""
    lang = lang or record.lang
    if record.next_fire_at is None:
        return tr(lang, "done")
    return format_local(record.next_fire_at, resolve_timezone(record.timezone), lang)


def _to(record: ReminderRecord, lang: str) -> str:
    if record.target_kind == "user":
        return tr(lang, "you")
    return channel_label(record.platform, record.target_id)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reminders_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    records = [r for r in ctx.reminders.visible(who(asker)) if r.status == "active"]
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


def _reminder_id(token: str) -> int | None:
    token = token.lstrip("#")
    return int(token) if token.isdigit() and len(token) < 12 else None


def cancel_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    rid = _reminder_id(args.strip())
    if rid is None:
        return error(
            tr(lang, "Which reminder?"),
            tr(lang, "Give its number: `/iep cancel 42`. See `/iep reminders`."),
            lang,
        )
    try:
        record = ctx.reminders.cancel(who(asker), rid, lang=lang)
    except ReminderRefused as exc:
        return error(str(exc), lang=lang)
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(lang, "Reminder #{id} cancelled", id=record.id),
        sections=[Section(tr(lang, "It was: {text}", text=_short(record.text)))],
        lang=lang,
    )


def snooze_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    head, _, rest = args.strip().partition(" ")
    rid = _reminder_id(head)
    if rid is None or not rest.strip():
        return error(
            tr(lang, "Which reminder, and for how long?"),
            tr(lang, "For example `/iep snooze 42 2d`."),
            lang,
        )
    try:
        by = parse_duration(rest.strip(), lang)
        record = ctx.reminders.snooze(who(asker), rid, by, lang=lang)
    except (TimeError, ReminderRefused) as exc:
        return error(str(exc), lang=lang)
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(lang, "Reminder #{id} snoozed", id=record.id),
        sections=[Section(tr(lang, "Next: {when}", when=_next(record, lang)))],
        lang=lang,
    )
