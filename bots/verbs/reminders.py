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
from scheduler.reminders.engine import utcnow
from scheduler.reminders.service import MAX_TEXT, ReminderRefused
from scheduler.store.records import ReminderRecord
from scheduler.timing.durations import parse_duration
from scheduler.timing.errors import TimeError
from scheduler.timing.phrases import parse_reminder
from scheduler.timing.recurrence import Recurrence, describe
from scheduler.timing.zones import format_local, resolve_timezone

_CHANNEL = re.compile(r"^<#([A-Z0-9]+|\d+)(?:\|[^>]*)?>$|^#([\w-]{1,80})$")
REMIND_USAGE = (
    "Try `/iep remind me tomorrow 9am bring the draft` or "
    "`/iep remind #sped-team every monday 8am check caseload`."
)
LIST_LIMIT = 25


def error(title: str, hint: str | None = None) -> Reply:
    """A short refusal; the store was not touched."""
    return Reply(kind=ReplyKind.ERROR, title=title, sections=[Section(hint)] if hint else [])


def no_store() -> Reply:
    return error(
        "Reminders need the bot's store",
        "Run `iepbot console` or `iepbot run`; a one-off `iepbot ask` has none.",
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


def remind_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    if ctx.reminders is None:
        return no_store()
    if len(args) > MAX_TEXT + 200:
        return error(
            f"That reminder is {len(args):,} characters; the most is {MAX_TEXT:,}",
            "Shorten it, or put a link to the details.",
        )
    head, _, rest = args.strip().partition(" ")
    if head.lower() in ("here", "aquí", "aqui") and not asker.channel_id:
        return error("There is no channel here", "Use `/iep remind me ...` instead.")
    target = parse_target(asker, head) if head else None
    if target is None:
        target, rest = ("user", asker.user_id), args.strip()
    if not rest:
        return error("When, and what should I remind you of?", REMIND_USAGE)
    kind, target_id = target
    if kind == "channel" and ctx.channel_check and not ctx.channel_check(asker, target_id):
        return error(
            "You can only set channel reminders in channels you are a member of",
            "Join the channel first, or remind yourself with `/iep remind me ...`.",
        )
    tz_name = timezone_of(ctx, asker)
    lang = lang_of(ctx, asker)
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
        return error(str(exc))
    where = (
        "you (a direct message)"
        if kind == "user"
        else f"channel {channel_label(asker.platform, target_id)}"
    )
    lines = [f"When: {_next(record)}", f"To: {where}"]
    if record.recurrence:
        lines.append(f"Repeats: {describe(Recurrence.from_json(record.recurrence), lang)}")
    lines.append(f"What: {record.text}")
    return Reply(
        kind=ReplyKind.INFO,
        title=f"Reminder #{record.id} set",
        sections=[Section("\n".join(lines))],
        actions=[
            Action("Cancel", f"cancel {record.id}", "danger"),
            Action("All my reminders", "reminders"),
        ],
    )


def channel_label(platform: str, target_id: str) -> str:
    """How a channel is written back: chat platforms render `<#id>` as a link."""
    return f"#{target_id}" if platform == "console" else f"<#{target_id}>"


def _next(record: ReminderRecord) -> str:
    if record.next_fire_at is None:
        return "done"
    return format_local(record.next_fire_at, resolve_timezone(record.timezone), record.lang)


def _to(record: ReminderRecord) -> str:
    if record.target_kind == "user":
        return "you"
    return channel_label(record.platform, record.target_id)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reminders_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    if ctx.reminders is None:
        return no_store()
    records = [r for r in ctx.reminders.visible(who(asker)) if r.status == "active"]
    if not records:
        return Reply(
            kind=ReplyKind.INFO,
            title="No reminders yet",
            sections=[Section(REMIND_USAGE)],
        )
    shown = records[:LIST_LIMIT]
    lang = lang_of(ctx, asker)
    rows = tuple(
        (
            f"#{r.id}",
            _next(r),
            _to(r),
            describe(Recurrence.from_json(r.recurrence), lang) if r.recurrence else "once",
            _short(r.text),
        )
        for r in shown
    )
    actions: list[Action] = []
    for r in shown:
        actions.append(Action(f"Cancel #{r.id}", f"cancel {r.id}", "danger"))
        actions.append(Action(f"Snooze #{r.id} 1 day", f"snooze {r.id} 1d"))
    more = len(records) - len(shown)
    return Reply(
        kind=ReplyKind.INFO,
        title=f"Your reminders ({len(records)})",
        table=Table(headers=("ID", "Next", "To", "Repeats", "What"), rows=rows),
        sections=[Section(f"…and {more} more.")] if more else [],
        actions=actions,
        note="`/iep cancel ID` or `/iep snooze ID 2d` to change one.",
    )


def _reminder_id(token: str) -> int | None:
    token = token.lstrip("#")
    return int(token) if token.isdigit() and len(token) < 12 else None


def cancel_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    if ctx.reminders is None:
        return no_store()
    rid = _reminder_id(args.strip())
    if rid is None:
        return error("Which reminder?", "Give its number: `/iep cancel 42`. See `/iep reminders`.")
    try:
        record = ctx.reminders.cancel(who(asker), rid)
    except ReminderRefused as exc:
        return error(str(exc))
    return Reply(
        kind=ReplyKind.INFO,
        title=f"Reminder #{record.id} cancelled",
        sections=[Section(f"It was: {_short(record.text)}")],
    )


def snooze_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    if ctx.reminders is None:
        return no_store()
    head, _, rest = args.strip().partition(" ")
    rid = _reminder_id(head)
    if rid is None or not rest.strip():
        return error("Which reminder, and for how long?", "For example `/iep snooze 42 2d`.")
    try:
        by = parse_duration(rest.strip(), lang_of(ctx, asker))
        record = ctx.reminders.snooze(who(asker), rid, by)
    except (TimeError, ReminderRefused) as exc:
        return error(str(exc))
    return Reply(
        kind=ReplyKind.INFO,
        title=f"Reminder #{record.id} snoozed",
        sections=[Section(f"Next: {_next(record)}")],
    )
