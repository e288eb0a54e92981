"""`track` and `calendar`: follow a case's legal deadlines with reminders, export them as .ics."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bots.context import Context
from bots.preferences import lang_of, timezone_of
from bots.replies import Action, Attachment, Reply, ReplyKind, Section, Table
from bots.targets import mention
from bots.verbs.declare import TextInput
from bots.verbs.options import split_options
from bots.verbs.reminders import error, no_store, refusal
from content.i18n import N_, norm_lang, tr, trn
from scheduler.deadlines import EVENTS, DeadlineInputError
from scheduler.identity import Asker, Target
from scheduler.reminders.service import ReminderRefused
from scheduler.store.errors import DuplicateCaseError
from scheduler.timing.durations import DEFAULT_LEADS, parse_leads
from scheduler.timing.errors import TimeError

TRACK_USAGE = N_("Try `/iep track consent 2026-09-15 case=AB-7 state=TX lead=14d,7d,1d`.")
LABEL_MAX = 40


def parse_track(text: TextInput) -> dict[str, Any] | Reply:
    """`track <event> <YYYY-MM-DD> case=AB-7 [state=TX] [lead=14d,7d] [to=#channel]`."""
    lang = text.lang
    usage = tr(lang, TRACK_USAGE)
    plain, options = split_options(text.rest.split())
    unknown = sorted(set(options) - {"case", "state", "lead", "to"})
    if len(plain) != 2 or unknown:
        if unknown:
            title = tr(
                lang,
                "I need an event, a date and a case label (unknown option {option}=)",
                option=unknown[0],
            )
        else:
            title = tr(lang, "I need an event, a date and a case label")
        return error(title, usage, lang)
    event, when = plain[0].lower(), plain[1]
    if event not in EVENTS:
        return error(
            tr(lang, "Unknown event; use one of: {events}", events=", ".join(EVENTS)), usage, lang
        )
    try:
        on = date.fromisoformat(when)
    except ValueError:
        return error(tr(lang, "That date does not exist; write it as YYYY-MM-DD"), usage, lang)
    values: dict[str, Any] = {"event": event, "on": on, "case": options.get("case", "")}
    if "to" in options:
        target = text.target(options["to"])
        if target is None:
            return error(tr(lang, "`to=` takes `me`, `here` or a channel"), usage, lang)
        values["to"] = target if target.kind == "channel" else None
    if options.get("state"):
        values["state"] = options["state"]
    if "lead" in options:
        try:
            values["lead"] = parse_leads(options["lead"])
        except TimeError as exc:
            return error(exc.text(lang), usage, lang)
    return values


def track_verb(
    ctx: Context,
    asker: Asker,
    *,
    event: str,
    on: date,
    case: str,
    state: str | None = None,
    lead: tuple[timedelta, ...] | None = None,
    to: Target | None = None,
) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    usage = tr(lang, TRACK_USAGE)
    label = case.strip()
    if not label or len(label) > LABEL_MAX or not label.replace("-", "").replace("_", "").isalnum():
        return error(
            tr(
                lang,
                "Give a short case label, not a name: letters, digits and dashes, e.g. case=AB-7",
            ),
            usage,
            lang,
        )
    target = to or Target("user", asker.user_id)
    if target.kind == "channel" and ctx.channel_check and not ctx.channel_check(asker, target.id):
        return error(
            tr(lang, "You can only send reminders to channels you are a member of"), lang=lang
        )
    leads = lead or DEFAULT_LEADS
    try:
        result = ctx.reminders.track(
            asker,
            event=event,
            on=on,
            label=label,
            state=(state or "").strip().upper() or None,
            leads=leads,
            timezone=timezone_of(ctx, asker),
            lang=lang,
            target_kind=target.kind,
            target_id=target.id,
        )
    except DeadlineInputError as exc:
        return error(exc.text(lang), usage, lang)
    except (TimeError, ReminderRefused) as exc:
        return error(refusal(exc, lang), usage, lang)
    except DuplicateCaseError:
        return error(
            tr(lang, "{label} is already tracked from {event}", label=label, event=event),
            tr(lang, "See `/iep calendar`."),
            lang,
        )
    rows = tuple(
        (d.due.isoformat(), _weekday(d.due, lang), d.title, d.citation) for d in result.deadlines
    )
    to = tr(lang, "you") if target.kind == "user" else mention(asker.platform, target)
    sections = [
        Section(
            tr(
                lang,
                "{count} reminder(s) scheduled for {to}, {leads} before each deadline, at 9:00.",
                count=len(result.reminders),
                to=to,
                leads=", ".join(f"{lead.days}d" for lead in leads),
            )
        )
    ]
    if result.overdue:
        sections.append(
            Section(
                tr(lang, "Already past: ")
                + "; ".join(
                    tr(
                        lang,
                        "{title} (overdue since {date})",
                        title=d.title,
                        date=d.due.isoformat(),
                    )
                    for d in result.overdue
                ),
                heading=tr(lang, "Overdue"),
            )
        )
    return Reply(
        kind=ReplyKind.DEADLINES,
        title=tr(
            lang,
            "Tracking {label}: {event} on {date}",
            label=label,
            event=event,
            date=on.isoformat(),
        ),
        table=Table(
            headers=(tr(lang, "Due"), tr(lang, "Day"), tr(lang, "Deadline"), tr(lang, "Citation")),
            rows=rows,
        ),
        sections=sections,
        actions=[
            Action(tr(lang, "My reminders"), "reminders"),
            Action(tr(lang, "Calendar file"), "calendar"),
        ],
        lang=lang,
    )


def _weekday(day: date, lang: str) -> str:
    if norm_lang(lang) == "en":
        return f"{day:%a}"
    from babel.dates import format_date

    return str(format_date(day, "EEE", locale=norm_lang(lang)))


def calendar_verb(ctx: Context, asker: Asker) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    cases = ctx.reminders.cases(asker)
    if not cases:
        return error(tr(lang, "Nothing tracked yet"), tr(lang, TRACK_USAGE), lang)
    count = sum(len(deadlines) for _, deadlines in cases)
    return Reply(
        kind=ReplyKind.INFO,
        title=trn(
            lang,
            "Your tracked deadlines ({count} from {n} case)",
            "Your tracked deadlines ({count} from {n} cases)",
            len(cases),
            count=count,
        ),
        sections=[
            Section(
                tr(lang, "Open the attached iep-deadlines.ics with Outlook or Google Calendar.")
            )
        ],
        attachment=Attachment("iep-deadlines.ics", ctx.reminders.calendar(asker), "text/calendar"),
    )
