"""`track` and `calendar`: follow a case's legal deadlines with reminders, export them as .ics."""

from __future__ import annotations

from datetime import date

from bots.asker import Asker
from bots.context import Context
from bots.preferences import lang_of, timezone_of, who
from bots.replies import Action, Attachment, Reply, ReplyKind, Section, Table
from bots.verbs.reminders import channel_label, error, no_store, parse_target
from scheduler.deadlines import EVENTS, DeadlineInputError
from scheduler.reminders.service import ReminderRefused
from scheduler.store.errors import DuplicateCaseError
from scheduler.timing.durations import DEFAULT_LEADS, parse_leads
from scheduler.timing.errors import TimeError

TRACK_USAGE = "Try `/iep track consent 2026-09-15 case=AB-7 state=TX lead=14d,7d,1d`."
LABEL_MAX = 40


def _options(words: list[str]) -> tuple[list[str], dict[str, str]]:
    plain: list[str] = []
    options: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if sep and key:
            options[key.lower()] = value
        else:
            plain.append(word)
    return plain, options


def track_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    if ctx.reminders is None:
        return no_store()
    plain, options = _options(args.split())
    unknown = sorted(set(options) - {"case", "state", "lead", "to"})
    if len(plain) != 2 or unknown:
        extra = f" (unknown option {unknown[0]}=)" if unknown else ""
        return error(f"I need an event, a date and a case label{extra}", TRACK_USAGE)
    event, when = plain[0].lower(), plain[1]
    if event not in EVENTS:
        return error(f"Unknown event; use one of: {', '.join(EVENTS)}", TRACK_USAGE)
    try:
        on = date.fromisoformat(when)
    except ValueError:
        return error("That date does not exist; write it as YYYY-MM-DD", TRACK_USAGE)
    label = options.get("case", "").strip()
    if not label or len(label) > LABEL_MAX or not label.replace("-", "").replace("_", "").isalnum():
        return error(
            "Give a short case label, not a name: letters, digits and dashes, e.g. case=AB-7",
            TRACK_USAGE,
        )
    target_kind, target_id = "user", asker.user_id
    if "to" in options:
        found = parse_target(asker, options["to"])
        if found is None:
            return error("`to=` takes `me`, `here` or a channel", TRACK_USAGE)
        target_kind, target_id = found
        if (
            target_kind == "channel"
            and ctx.channel_check
            and not ctx.channel_check(asker, target_id)
        ):
            return error("You can only send reminders to channels you are a member of")
    try:
        leads = parse_leads(options["lead"]) if "lead" in options else DEFAULT_LEADS
        result = ctx.reminders.track(
            who(asker),
            event=event,
            on=on,
            label=label,
            state=(options.get("state") or "").upper() or None,
            leads=leads,
            timezone=timezone_of(ctx, asker),
            lang=lang_of(ctx, asker),
            target_kind=target_kind,
            target_id=target_id,
        )
    except (TimeError, DeadlineInputError, ReminderRefused) as exc:
        return error(str(exc), TRACK_USAGE)
    except DuplicateCaseError:
        return error(f"{label} is already tracked from {event}", "See `/iep calendar`.")
    rows = tuple((d.due.isoformat(), f"{d.due:%a}", d.title, d.citation) for d in result.deadlines)
    to = "you" if target_kind == "user" else channel_label(asker.platform, target_id)
    sections = [
        Section(
            f"{len(result.reminders)} reminder(s) scheduled for {to}, "
            f"{', '.join(f'{lead.days}d' for lead in leads)} before each deadline, at 9:00."
        )
    ]
    if result.overdue:
        sections.append(
            Section(
                "Already past: "
                + "; ".join(
                    f"{d.title} (overdue since {d.due.isoformat()})" for d in result.overdue
                ),
                heading="Overdue",
            )
        )
    return Reply(
        kind=ReplyKind.DEADLINES,
        title=f"Tracking {label}: {event} on {on.isoformat()}",
        table=Table(headers=("Due", "Day", "Deadline", "Citation"), rows=rows),
        sections=sections,
        actions=[Action("My reminders", "reminders"), Action("Calendar file", "calendar")],
    )


def calendar_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    if ctx.reminders is None:
        return no_store()
    cases = ctx.reminders.cases(who(asker))
    if not cases:
        return error("Nothing tracked yet", TRACK_USAGE)
    count = sum(len(deadlines) for _, deadlines in cases)
    return Reply(
        kind=ReplyKind.INFO,
        title=f"Your tracked deadlines ({count} from {len(cases)} case(s))",
        sections=[Section("Open the attached iep-deadlines.ics with Outlook or Google Calendar.")],
        attachment=Attachment(
            "iep-deadlines.ics", ctx.reminders.calendar(who(asker)), "text/calendar"
        ),
    )
