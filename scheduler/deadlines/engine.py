"""From an event and a date to the legal due dates, each with its rule, citation and notes.

The engine never moves a date to make it convenient. When a calendar-day deadline lands on a
weekend, a closure or the summer, the answer says so and keeps the date: the law counts those
days. The only moves are the ones a rule itself states (Texas: an ARD meeting due in the summer
may wait for the first day of classes), and those are written in the notes too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from content.i18n import N_, norm_lang, tr
from scheduler.deadlines.clock import Count, count_calendar_days, count_school_days, ordinal
from scheduler.deadlines.dates import MONTHS, add_months, is_weekend, weekday_name
from scheduler.deadlines.errors import DeadlineInputError
from scheduler.deadlines.regions import US_STATES
from scheduler.deadlines.rules import EVENTS, Pause, Rule, rules_for, state_rules
from scheduler.deadlines.school_calendar import SchoolCalendar

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
EVENT_NOUNS = {
    "referral": N_("the referral"),
    "consent": N_("consent"),
    "eligibility": N_("the eligibility decision"),
    "iep": N_("the IEP meeting"),
    "evaluation": N_("the last evaluation"),
    "birthdate": N_("birth"),
}
# "after consent" reads "después del consentimiento" in Spanish: the preposition merges with
# the article, so the catalogue gets whole phrases, not a preposition plus a noun.
AFTER_EVENT = {
    "referral": N_("after the referral"),
    "consent": N_("after consent"),
    "eligibility": N_("after the eligibility decision"),
    "iep": N_("after the IEP meeting"),
    "evaluation": N_("after the last evaluation"),
    "birthdate": N_("after birth"),
}


@dataclass(frozen=True)
class Deadline:
    """One computed due date and everything needed to trust it."""

    id: str
    title: str
    due: date
    basis: str
    citation: str
    source: str
    plain: str
    notes: tuple[str, ...] = ()
    overdue: bool = False
    kind: str = "deadline"

    @property
    def weekday(self) -> str:
        return weekday_name(self.due)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "due": self.due.isoformat(),
            "basis": self.basis,
            "citation": self.citation,
            "weekday": self.weekday,
            "plain": self.plain,
            "source": self.source,
            "notes": list(self.notes),
            "overdue": self.overdue,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class DeadlineReport:
    """All deadlines that follow from one event, soonest first."""

    event: str
    date: date
    state: str | None
    deadlines: list[Deadline] = field(default_factory=list)
    calendar_name: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The shape DESIGN.md promises to scripts: event, date, state, deadlines."""
        return {
            "event": self.event,
            "date": self.date.isoformat(),
            "state": self.state,
            "deadlines": [deadline.to_json_dict() for deadline in self.deadlines],
        }


def normalise_event(event: str) -> str:
    cleaned = event.strip().lower()
    if cleaned not in EVENTS:
        shown = cleaned if len(cleaned) <= 20 else cleaned[:19] + "…"
        raise DeadlineInputError(
            N_("unknown event '{shown}'; use one of: {events}"),
            shown=shown,
            events=", ".join(EVENTS),
        )
    return cleaned


def normalise_state(state: str | None) -> str | None:
    """An upper-case postal code, or None. A full name ("Texas", "new_jersey") is accepted
    because people type it in chat; anything that is no US state is refused."""
    if state is None or not state.strip():
        return None
    cleaned = state.strip().upper()
    by_name = {name.upper(): code for code, name in US_STATES.items()}
    cleaned = by_name.get(" ".join(cleaned.replace("_", " ").replace("-", " ").split()), cleaned)
    if cleaned not in US_STATES:
        shown = cleaned if len(cleaned) <= 20 else cleaned[:19] + "…"
        raise DeadlineInputError(
            N_(
                "unknown state '{shown}'; use a two-letter code such as TX"
                " (own rules on file: {states})"
            ),
            shown=shown,
            states=", ".join(sorted(state_rules())),
        )
    return cleaned


def compute_deadlines(
    event: str,
    on: date,
    state: str | None = None,
    calendar: SchoolCalendar | None = None,
    today: date | None = None,
    lang: str = "en",
) -> DeadlineReport:
    """Every deadline that ``event`` on ``on`` starts, under federal law and ``state``'s rules.

    ``today`` decides what is overdue; callers pass it so a long-running bot and the tests agree
    on the date. ``lang`` picks the language of titles, rules, bases and notes (ids, dates and
    citations never change). Raises DeadlineInputError (one line) for an unknown event or
    state, or a count the calendar cannot finish.
    """
    lang = norm_lang(lang)
    event = normalise_event(event)
    state = normalise_state(state)
    if type(on) is not date:
        raise DeadlineInputError(N_("the date must be a calendar date (YYYY-MM-DD)"))
    if not EARLIEST <= on <= LATEST:
        # Far-off years are typos; they would also overflow date arithmetic 16 years on.
        raise DeadlineInputError(
            N_("{date} is out of range; use a date from {first} to {last}"),
            date=on.isoformat(),
            first=EARLIEST.year,
            last=LATEST.year,
        )
    today = today or date.today()
    dues: dict[str, date] = {}
    deadlines: list[Deadline] = []
    for rule in rules_for(state):
        if rule.event != event:
            continue
        deadline = _compute(rule, on, state, calendar, today, dues, lang)
        dues[rule.id] = deadline.due
        deadlines.append(deadline)
    deadlines.sort(key=lambda d: d.due)
    return DeadlineReport(event, on, state, deadlines, calendar.name if calendar else None)


def _compute(
    rule: Rule,
    on: date,
    state: str | None,
    calendar: SchoolCalendar | None,
    today: date,
    dues: dict[str, date],
    lang: str = "en",
) -> Deadline:
    notes: list[str] = []
    start = on if rule.after is None else dues[rule.after]
    if rule.from_age is not None:
        start = _shift_months(on, 12 * rule.from_age, notes, lang)
    due = _count(rule, start, calendar, notes, lang)
    if rule.summer_moves_to_first_day and calendar is not None:
        due = _summer_move(due, calendar, notes, lang)
    if not (rule.unit == "school" and calendar is not None):
        # Part C rules are not school business: only the weekend is worth saying there.
        landing = _landing(due, calendar if rule.school_calendar else None, lang)
        if landing:
            notes.append(landing)
    caveat = rule.text("caveat", lang)
    if caveat:
        notes.append(caveat)
    if rule.state_varies and state is not None and rule.state is None:
        notes.append(
            tr(
                lang,
                "no {name} timeline on file: this is the federal rule; {name} may set its own",
                name=US_STATES[state],
            )
        )
    overdue = rule.kind == "deadline" and due < today
    if overdue:
        notes.append(tr(lang, "overdue since {date}", date=due.isoformat()))
    elif rule.kind == "window_start" and due <= today:
        notes.append(tr(lang, "this window opened on {date}", date=due.isoformat()))
    return Deadline(
        id=rule.id,
        title=rule.text("title", lang) or rule.title,
        due=due,
        basis=rule.text("basis", lang) or _basis(rule, lang),
        citation=rule.citation,
        source=rule.source,
        plain=rule.text("plain", lang) or rule.plain,
        notes=tuple(notes),
        overdue=overdue,
        kind=rule.kind,
    )


def _count(
    rule: Rule, start: date, calendar: SchoolCalendar | None, notes: list[str], lang: str = "en"
) -> date:
    sign = -1 if rule.direction == "before" else 1
    if rule.months is not None or rule.years is not None:
        months = rule.months if rule.months is not None else 12 * (rule.years or 0)
        return _shift_months(start, sign * months, notes, lang)
    assert rule.days is not None
    if sign < 0:
        return start - timedelta(days=rule.days)
    if rule.unit == "school":
        counted = count_school_days(start, rule.days, calendar)
        if calendar is None:
            notes.append(
                tr(
                    lang,
                    "school days counted as Monday to Friday: no school calendar given, so "
                    "holidays, breaks and summer were not skipped (the real date may be later)",
                )
            )
    else:
        counted = count_calendar_days(start, rule.days, calendar, rule.pause)
        if rule.pause is not None and calendar is None:
            notes.append(
                tr(
                    lang,
                    "counted straight through: {pause} stop this clock, but no school calendar "
                    "was given (the real date may be later)",
                    pause=_pause_words(rule.pause, lang),
                )
            )
    _count_notes(rule, counted, calendar, notes, lang)
    return counted.due


def _count_notes(
    rule: Rule,
    counted: Count,
    calendar: SchoolCalendar | None,
    notes: list[str],
    lang: str = "en",
) -> None:
    if calendar is None:
        return
    if counted.paused_days:
        notes.append(
            tr(
                lang,
                "{n} day(s) of breaks not counted, as the rule says",
                n=counted.paused_days,
            )
        )
    if counted.resumes_on is not None:
        notes.append(
            tr(
                lang,
                "the count skips the summer and resumes on {date}",
                date=counted.resumes_on.isoformat(),
            )
        )
        year_end = rule.text("year_end", lang)
        if year_end:
            notes.append(year_end)


def _month_name(day: date, lang: str) -> str:
    """English from our own table (strftime follows the process locale); Spanish from Babel."""
    if lang == "en":
        return MONTHS[day.month - 1]
    from babel.dates import format_date

    return str(format_date(day, "MMMM", locale=lang))


def _weekday(day: date, lang: str) -> str:
    if lang == "en":
        return weekday_name(day)
    from babel.dates import format_date

    return str(format_date(day, "EEEE", locale=lang))


def _shift_months(start: date, months: int, notes: list[str], lang: str = "en") -> date:
    shifted, clamped = add_months(start, months)
    if clamped:
        notes.append(
            tr(
                lang,
                "{year} has no {day} {month}: the last day of {last_month} is used, so the "
                "deadline is not passed",
                year=shifted.year,
                day=start.day,
                month=_month_name(start, lang),
                last_month=_month_name(shifted, lang),
            )
        )
    return shifted


def _summer_move(due: date, calendar: SchoolCalendar, notes: list[str], lang: str = "en") -> date:
    if not (calendar.last_day < due and not calendar.in_session(due)):
        return due
    if calendar.next_first_day is None:
        notes.append(
            tr(
                lang,
                "falls in the summer: the rule allows until the first day of classes in the "
                "fall, which the calendar file does not give",
            )
        )
        return due
    notes.append(
        tr(
            lang,
            "the {date} date falls in the summer, so the rule allows until the first day of "
            "classes, {first_day}",
            date=due.isoformat(),
            first_day=calendar.next_first_day.isoformat(),
        )
    )
    return calendar.next_first_day


def _landing(due: date, calendar: SchoolCalendar | None, lang: str = "en") -> str | None:
    """Say when a date lands on a day with no school; the date itself stays."""
    where: list[str] = []
    if is_weekend(due):
        where.append(tr(lang, "on a {weekday}", weekday=_weekday(due, lang)))
    if calendar is not None:
        closure = calendar.closure_name(due)
        if closure:
            where.append(tr(lang, "on a school closure ({closure})", closure=closure))
        elif (
            calendar.next_first_day is not None
            and calendar.last_day < due < calendar.next_first_day
        ):
            where.append(tr(lang, "in the summer break"))
    if not where:
        return None
    return tr(lang, "falls {where}; the law does not move it", where=_and(where, lang))


def _and(parts: list[str], lang: str) -> str:
    """Two or three short phrases joined the way each language joins them."""
    if len(parts) < 2:
        return "".join(parts)
    return tr(lang, "{first} and {last}", first=", ".join(parts[:-1]), last=parts[-1])


def _pause_words(pause: Pause, lang: str = "en") -> str:
    parts = []
    if pause.breaks_longer_than_school_days == 0:
        parts.append(tr(lang, "school holidays and breaks"))
    elif pause.breaks_longer_than_school_days is not None:
        parts.append(
            tr(
                lang,
                "breaks longer than {n} school days",
                n=pause.breaks_longer_than_school_days,
            )
        )
    if pause.summer:
        parts.append(tr(lang, "summer"))
    return _and(parts, lang)


def _origin(rule: Rule, lang: str) -> str:
    """Where the count starts, with its direction: "after consent", "before the 3rd birthday"."""
    before = rule.direction == "before"
    if rule.after is not None:
        name = rule.after.replace("_", " ")
        if before:
            return tr(lang, "before the {name} due date", name=name)
        return tr(lang, "after the {name} due date", name=name)
    if rule.from_age is not None:
        nth, n = ordinal(rule.from_age), rule.from_age
        if before:
            return tr(lang, "before the {nth} birthday", nth=nth, n=n)
        return tr(lang, "after the {nth} birthday", nth=nth, n=n)
    if before:
        return tr(lang, "before {event}", event=tr(lang, EVENT_NOUNS[rule.event]))
    return tr(lang, AFTER_EVENT[rule.event])


def _basis(rule: Rule, lang: str = "en") -> str:
    """A short phrase like "60 calendar days after consent" built from the rule itself."""
    if rule.event == "birthdate" and rule.years is not None and rule.from_age is None:
        return tr(lang, "{nth} birthday", nth=ordinal(rule.years), n=rule.years)
    if rule.days is not None:
        if rule.direction != "after":
            amount = tr(lang, "{n} days", n=rule.days)
        elif rule.unit == "school":
            amount = tr(lang, "{n} school days", n=rule.days)
        else:
            amount = tr(lang, "{n} calendar days", n=rule.days)
    elif rule.months is not None:
        amount = tr(lang, "{n} months", n=rule.months)
    else:
        amount = tr(lang, "{n} years", n=rule.years)
    phrase = tr(lang, "{amount} {origin}", amount=amount, origin=_origin(rule, lang))
    if rule.pause is not None:
        phrase += tr(lang, ", not counting {what}", what=_pause_words(rule.pause, lang))
    return phrase
