"""`deadlines`: the legal due dates after an event, e.g. `deadlines consent 2026-09-15 state=TX`.

Computes and shows; it stores nothing (`track` is the verb that schedules reminders). The same
Reply is printed by `iepbot deadlines`, so chat and CLI always agree on wording.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from bots.preferences import lang_of
from bots.replies import Link, Reply, ReplyKind, Section, Table
from bots.verbs.declare import TextInput
from bots.verbs.options import split_options
from content.i18n import N_, norm_lang, tr
from scheduler.deadlines import (
    EVENTS,
    DeadlineInputError,
    DeadlineReport,
    compute_deadlines,
    normalise_event,
    normalise_state,
    parse_date,
)
from scheduler.deadlines.regions import US_STATES
from scheduler.identity import CONSOLE_ASKER, Asker

if TYPE_CHECKING:
    from bots.context import Context

USAGE = N_(
    "Try `/iep deadlines consent 2026-09-15 state=TX`. Events: {events}. Dates as YYYY-MM-DD."
)
MAX_ARGS = 200
OPTIONS = ("state",)  # closures= is CLI-only: a chat has no file to read
# "the {label}" in a title: Spanish needs the article with the noun (la reunión, el nacimiento).
EVENT_LABELS = {
    "referral": N_("the referral to early intervention"),
    "consent": N_("the consent to evaluate"),
    "eligibility": N_("the eligibility decision"),
    "iep": N_("the IEP meeting"),
    "evaluation": N_("the last evaluation"),
    "birthdate": N_("the birth date"),
}
DISCLAIMER = N_(
    "Legal information, not legal advice. Check your state's rules and your district's calendar;"
    " a school calendar (--closures in the CLI) makes school-day counts exact."
)


def _error(title: str, lang: str = "en") -> Reply:
    """A one-line refusal plus an example that works."""
    usage = tr(lang, USAGE, events=", ".join(EVENTS))
    return Reply(kind=ReplyKind.ERROR, title=title, sections=[Section(usage)], lang=lang)


def _weekday(day: date, lang: str) -> str:
    """ "Tue" or "mar.": Babel for Spanish, strftime's C-locale names for English as before."""
    if lang == "en":
        return f"{day:%a}"
    from babel.dates import format_date

    return str(format_date(day, "EEE", locale=lang))


def parse_deadlines(text: TextInput) -> dict[str, Any] | Reply:
    """`deadlines <event> <date> [state=TX]`; also `... state TX` and a bare `... TX`."""
    lang = norm_lang(text.lang)
    args = text.rest
    if len(args) > MAX_ARGS:
        return _error(tr(lang, "That is too long for a deadline question"), lang)
    plain, options = split_options(args.split())
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        return _error(
            tr(
                lang,
                "Unknown option {option}=; the only option is state=XX",
                option=unknown[0][:20],
            ),
            lang,
        )
    # Also tolerated, because people type them: "... state TX" and a bare "... TX" at the end.
    if len(plain) == 4 and plain[2].lower() == "state" and "state" not in options:
        options["state"] = plain.pop()
        plain.pop()
    elif len(plain) == 3 and len(plain[2]) == 2 and "state" not in options:
        options["state"] = plain.pop()
    if len(plain) != 2:
        return _error(tr(lang, "I need an event and a date"), lang)
    try:
        return {
            "event": normalise_event(plain[0]),
            "on": parse_date(plain[1]),
            "state": normalise_state(options.get("state")),
        }
    except DeadlineInputError as exc:
        return _error(_sentence(exc.text(lang)), lang)


def deadlines_for(
    event: str, on: date, today: date, state: str | None = None, lang: str = "en"
) -> Reply:
    lang = norm_lang(lang)
    try:
        report = compute_deadlines(
            normalise_event(event), on, state=normalise_state(state), today=today, lang=lang
        )
    except DeadlineInputError as exc:
        return _error(_sentence(exc.text(lang)), lang)
    return deadlines_reply(report, lang)


def deadlines_verb(args: str, today: date, lang: str = "en") -> Reply:
    """The text command without a chat (the CLI and tests): parse, then compute."""
    values = parse_deadlines(TextInput(args, CONSOLE_ASKER, lang))
    if isinstance(values, Reply):
        return values
    return deadlines_for(today=today, lang=lang, **values)


def deadlines_command(
    ctx: Context, asker: Asker, *, event: str, on: date, state: str | None = None
) -> Reply:
    return deadlines_for(event, on, ctx.today(), state, lang_of(ctx, asker))


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def deadlines_reply(report: DeadlineReport, lang: str = "en") -> Reply:
    """The table of deadlines with notes and sources, shared by chat and the CLI. ``report``
    must have been computed in ``lang`` too (titles and notes come from it)."""
    lang = norm_lang(lang)
    if report.state:
        rules = tr(lang, "{state} rules", state=US_STATES[report.state])
    else:
        rules = tr(lang, "federal rules")
    title = tr(
        lang,
        "Deadlines after {event} on {date} ({weekday}), {rules}",
        event=tr(lang, EVENT_LABELS[report.event]),
        date=report.date.isoformat(),
        weekday=_weekday(report.date, lang),
        rules=rules,
    )
    overdue = tr(lang, ", overdue")
    rows = tuple(
        (
            f"{d.due.isoformat()} ({_weekday(d.due, lang)})" + (overdue if d.overdue else ""),
            f"{d.title} ({d.basis})",
            d.plain,
            d.citation,
        )
        for d in report.deadlines
    )
    sections: list[Section] = []
    if report.calendar_name:
        sections.append(Section(tr(lang, "School calendar: {name}.", name=report.calendar_name)))
    notes = [f"{d.title}: {note}" for d in report.deadlines for note in d.notes]
    if notes:
        sections.append(
            Section("\n".join(f"- {note}" for note in notes), heading=tr(lang, "Notes"))
        )
    links: list[Link] = []
    for d in report.deadlines:
        if all(link.url != d.source for link in links):
            links.append(Link(d.citation, d.source))
    return Reply(
        kind=ReplyKind.DEADLINES,
        title=title,
        table=Table(
            headers=(
                tr(lang, "Due"),
                tr(lang, "Deadline"),
                tr(lang, "Rule"),
                tr(lang, "Citation"),
            ),
            rows=rows,
        ),
        sections=sections,
        links=links,
        note=tr(lang, DISCLAIMER),
        lang=lang,
    )
