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
from content.deadlines import EVENTS, DeadlineInputError, compute_deadlines
from content.i18n import N_, norm_lang, tr, trn
from scheduler.identity import Asker, Target
from scheduler.reminders.service import ReminderRefused
from scheduler.store.errors import DuplicateCaseError
from scheduler.timing.durations import DEFAULT_LEADS, parse_leads
from scheduler.timing.errors import TimeError

TRACK_USAGE = N_(
    "Try `/iep track consent 2026-09-15 case=AB-7 state=TX lead=14d,7d,1d` or"
    " `/iep track request 2026-09-15 case=AB-7 state=TX`."
)
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
    state = (state or "").strip().upper() or None
    try:
        # Nothing to follow (a request where the state has no clock; a birth date whose dates
        # are all long past): say why instead of storing an empty case.
        preview = compute_deadlines(event, on, state=state, today=ctx.today(), lang=lang)
    except DeadlineInputError as exc:
        return error(exc.text(lang), usage, lang)
    if not preview.deadlines:
        return error(tr(lang, "No deadline to track"), " ".join(preview.notes) or usage, lang)
    uncertain = {d.id for d in preview.deadlines if d.uncertain}
    try:
        result = ctx.reminders.track(
            asker,
            event=event,
            on=on,
            label=label,
            state=state,
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
                        "{title} (may be overdue: the counted date {date} has passed)",
                        title=d.title,
                        date=d.due.isoformat(),
                    )
                    if d.deadline_id in uncertain
                    else tr(
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


FEED_WORDS = {
    "feed": "feed",
    "suscripcion": "feed",
    "suscripción": "feed",
    "reset": "reset",
    "restablecer": "reset",
}


def parse_calendar(text: TextInput) -> dict[str, Any] | Reply:
    """`calendar`, `calendar feed`, `calendar feed reset`."""
    words = [FEED_WORDS.get(w.lower(), w.lower()) for w in text.rest.split()]
    if words in ([], ["file"]):
        return {}
    if words == ["feed"]:
        return {"action": "feed"}
    if words in (["feed", "reset"], ["reset"]):
        return {"action": "reset"}
    return error(
        tr(text.lang, "I could not read that"),
        "`/iep calendar`, `/iep calendar feed`, `/iep calendar feed reset`",
        text.lang,
    )


def calendar_verb(ctx: Context, asker: Asker, *, action: str = "file") -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    if action in ("feed", "reset"):
        return _feed(ctx, asker, lang, reset=action == "reset")
    cases = ctx.reminders.cases(asker)
    reminders = [
        r
        for r in ctx.reminders.store.list_reminders_for_owner(asker.platform, asker.user_id)
        if r.kind == "reminder"
    ]
    if not cases and not reminders:
        return error(tr(lang, "Nothing in your calendar yet"), tr(lang, TRACK_USAGE), lang)
    count = sum(len(deadlines) for _, deadlines in cases)
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(
            lang,
            "Your calendar: {deadlines} and {reminders}",
            deadlines=trn(lang, "{n} deadline", "{n} deadlines", count),
            reminders=trn(lang, "{n} reminder", "{n} reminders", len(reminders)),
        ),
        sections=[
            Section(
                tr(lang, "Open the attached iep-calendar.ics with Outlook or Google Calendar.")
            ),
            Section(
                tr(
                    lang,
                    "A file does not change after you import it; `/iep calendar feed` gives you "
                    "an address that stays current.",
                )
            ),
        ],
        attachment=Attachment(
            "iep-calendar.ics", ctx.reminders.calendar(asker, lang), "text/calendar"
        ),
    )


def feed_urls(public_url: str, secret: str) -> tuple[str, str]:
    """(webcal://…, https://…) of a feed: Apple Calendar and Outlook open the first, Google
    Calendar's "From URL" takes the second."""
    base = public_url.rstrip("/")
    https = f"{base}/calendar/{secret}.ics"
    return "webcal://" + https.split("://", 1)[-1], https


def _feed(ctx: Context, asker: Asker, lang: str, *, reset: bool) -> Reply:
    assert ctx.reminders is not None
    if not ctx.public_url:
        return error(
            tr(lang, "Calendar subscriptions are not set up on this server"),
            tr(lang, "An admin can turn them on with IEPBOT_PUBLIC_URL (see the README)."),
            lang,
        )
    made = ctx.reminders.feed_exists(asker)
    if made is not None and not reset:
        return Reply(
            kind=ReplyKind.INFO,
            title=tr(lang, "You already have a calendar subscription"),
            sections=[
                Section(
                    tr(
                        lang,
                        "I keep only a fingerprint of its address, so I cannot show it again. "
                        "`/iep calendar feed reset` makes a new address and turns off the old one.",
                    )
                )
            ],
            lang=lang,
        )
    secret = ctx.reminders.new_feed(asker, lang)
    webcal, https = feed_urls(ctx.public_url, secret)
    title = (
        tr(lang, "Your new calendar address (the old one no longer works)")
        if made is not None
        else tr(lang, "Your calendar address")
    )
    return Reply(
        kind=ReplyKind.INFO,
        title=title,
        sections=[
            Section(webcal, heading=tr(lang, "Apple Calendar, Outlook")),
            Section(https, heading=tr(lang, "Google Calendar: Other calendars, From URL")),
            Section(
                tr(
                    lang,
                    "Your reminders and tracked deadlines, kept up to date. Anyone with this "
                    "address can read them: keep it private. `/iep calendar feed reset` "
                    "replaces it.",
                )
            ),
        ],
        lang=lang,
    )
