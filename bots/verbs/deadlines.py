"""`deadlines`: the legal due dates after an event, e.g. `deadlines consent 2026-09-15 state=TX`.

Computes and shows; it stores nothing (`track` is the verb that schedules reminders). The same
Reply is printed by `iepbot deadlines`, so chat and CLI always agree on wording.
"""

from __future__ import annotations

from datetime import date

from bots.replies import Link, Reply, ReplyKind, Section, Table
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

USAGE = (
    "Try `/iep deadlines consent 2026-09-15 state=TX`. "
    f"Events: {', '.join(EVENTS)}. Dates as YYYY-MM-DD."
)
MAX_ARGS = 200
OPTIONS = ("state",)  # closures= is CLI-only: a chat has no file to read
EVENT_LABELS = {
    "referral": "referral to early intervention",
    "consent": "consent to evaluate",
    "eligibility": "eligibility decision",
    "iep": "IEP meeting",
    "evaluation": "last evaluation",
    "birthdate": "birth date",
}
DISCLAIMER = (
    "Legal information, not legal advice. Check your state's rules and your district's calendar;"
    " a school calendar (--closures in the CLI) makes school-day counts exact."
)


def _error(title: str) -> Reply:
    """A one-line refusal plus an example that works."""
    return Reply(kind=ReplyKind.ERROR, title=title, sections=[Section(USAGE)])


def deadlines_verb(args: str, today: date) -> Reply:
    if len(args) > MAX_ARGS:
        return _error("That is too long for a deadline question")
    words = args.split()
    plain: list[str] = []
    options: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if sep and key:
            options[key.lower()] = value
        else:
            plain.append(word)
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        return _error(f"Unknown option {unknown[0][:20]}=; the only option is state=XX")
    # Also tolerated, because people type them: "... state TX" and a bare "... TX" at the end.
    if len(plain) == 4 and plain[2].lower() == "state" and "state" not in options:
        options["state"] = plain.pop()
        plain.pop()
    elif len(plain) == 3 and len(plain[2]) == 2 and "state" not in options:
        options["state"] = plain.pop()
    if len(plain) != 2:
        return _error("I need an event and a date")
    try:
        event = normalise_event(plain[0])
        on = parse_date(plain[1])
        state = normalise_state(options.get("state"))
        report = compute_deadlines(event, on, state=state, today=today)
    except DeadlineInputError as exc:
        return _error(_sentence(str(exc)))
    return deadlines_reply(report)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def deadlines_reply(report: DeadlineReport) -> Reply:
    """The table of deadlines with notes and sources, shared by chat and the CLI."""
    rules = f"{US_STATES[report.state]} rules" if report.state else "federal rules"
    title = (
        f"Deadlines after the {EVENT_LABELS[report.event]} on {report.date.isoformat()}"
        f" ({report.date:%a}), {rules}"
    )
    rows = tuple(
        (
            f"{d.due.isoformat()} ({d.due:%a})" + (", overdue" if d.overdue else ""),
            f"{d.title} ({d.basis})",
            d.plain,
            d.citation,
        )
        for d in report.deadlines
    )
    sections: list[Section] = []
    if report.calendar_name:
        sections.append(Section(f"School calendar: {report.calendar_name}."))
    notes = [f"{d.title}: {note}" for d in report.deadlines for note in d.notes]
    if notes:
        sections.append(Section("\n".join(f"- {note}" for note in notes), heading="Notes"))
    links: list[Link] = []
    for d in report.deadlines:
        if all(link.url != d.source for link in links):
            links.append(Link(d.citation, d.source))
    return Reply(
        kind=ReplyKind.DEADLINES,
        title=title,
        table=Table(headers=("Due", "Deadline", "Rule", "Citation"), rows=rows),
        sections=sections,
        links=links,
        note=DISCLAIMER,
    )
