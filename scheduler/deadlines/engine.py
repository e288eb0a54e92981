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

from scheduler.deadlines.clock import Count, count_calendar_days, count_school_days, ordinal
from scheduler.deadlines.dates import add_months, is_weekend, weekday_name
from scheduler.deadlines.errors import DeadlineInputError
from scheduler.deadlines.regions import US_STATES
from scheduler.deadlines.rules import EVENTS, Pause, Rule, rules_for, state_rules
from scheduler.deadlines.school_calendar import SchoolCalendar

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
EVENT_NOUNS = {
    "referral": "the referral",
    "consent": "consent",
    "eligibility": "the eligibility decision",
    "iep": "the IEP meeting",
    "evaluation": "the last evaluation",
    "birthdate": "birth",
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
        raise DeadlineInputError(f"unknown event '{shown}'; use one of: {', '.join(EVENTS)}")
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
            f"unknown state '{shown}'; use a two-letter code such as TX"
            f" (own rules on file: {', '.join(sorted(state_rules()))})"
        )
    return cleaned


def compute_deadlines(
    event: str,
    on: date,
    state: str | None = None,
    calendar: SchoolCalendar | None = None,
    today: date | None = None,
) -> DeadlineReport:
    """Every deadline that ``event`` on ``on`` starts, under federal law and ``state``'s rules.

    ``today`` decides what is overdue; callers pass it so a long-running bot and the tests agree
    on the date. Raises DeadlineInputError (one line) for an unknown event or state, or a count
    the calendar cannot finish.
    """
    event = normalise_event(event)
    state = normalise_state(state)
    if type(on) is not date:
        raise DeadlineInputError("the date must be a calendar date (YYYY-MM-DD)")
    if not EARLIEST <= on <= LATEST:
        # Far-off years are typos; they would also overflow date arithmetic 16 years on.
        raise DeadlineInputError(
            f"{on.isoformat()} is out of range; use a date from {EARLIEST.year} to {LATEST.year}"
        )
    today = today or date.today()
    dues: dict[str, date] = {}
    deadlines: list[Deadline] = []
    for rule in rules_for(state):
        if rule.event != event:
            continue
        deadline = _compute(rule, on, state, calendar, today, dues)
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
) -> Deadline:
    notes: list[str] = []
    start = on if rule.after is None else dues[rule.after]
    if rule.from_age is not None:
        start = _shift_months(on, 12 * rule.from_age, notes)
    due = _count(rule, start, calendar, notes)
    if rule.summer_moves_to_first_day and calendar is not None:
        due = _summer_move(due, calendar, notes)
    if not (rule.unit == "school" and calendar is not None):
        # Part C rules are not school business: only the weekend is worth saying there.
        landing = _landing(due, calendar if rule.school_calendar else None)
        if landing:
            notes.append(landing)
    if rule.caveat:
        notes.append(rule.caveat)
    if rule.state_varies and state is not None and rule.state is None:
        name = US_STATES[state]
        notes.append(
            f"no {name} timeline on file: this is the federal rule; {name} may set its own"
        )
    overdue = rule.kind == "deadline" and due < today
    if overdue:
        notes.append(f"overdue since {due.isoformat()}")
    elif rule.kind == "window_start" and due <= today:
        notes.append(f"this window opened on {due.isoformat()}")
    return Deadline(
        id=rule.id,
        title=rule.title,
        due=due,
        basis=rule.basis or _basis(rule),
        citation=rule.citation,
        source=rule.source,
        plain=rule.plain,
        notes=tuple(notes),
        overdue=overdue,
        kind=rule.kind,
    )


def _count(rule: Rule, start: date, calendar: SchoolCalendar | None, notes: list[str]) -> date:
    sign = -1 if rule.direction == "before" else 1
    if rule.months is not None or rule.years is not None:
        months = rule.months if rule.months is not None else 12 * (rule.years or 0)
        return _shift_months(start, sign * months, notes)
    assert rule.days is not None
    if sign < 0:
        return start - timedelta(days=rule.days)
    if rule.unit == "school":
        counted = count_school_days(start, rule.days, calendar)
        if calendar is None:
            notes.append(
                "school days counted as Monday to Friday: no school calendar given, so holidays,"
                " breaks and summer were not skipped (the real date may be later)"
            )
    else:
        counted = count_calendar_days(start, rule.days, calendar, rule.pause)
        if rule.pause is not None and calendar is None:
            notes.append(
                f"counted straight through: {_pause_words(rule.pause)} stop this clock, but no"
                " school calendar was given (the real date may be later)"
            )
    _count_notes(rule, counted, calendar, notes)
    return counted.due


def _count_notes(
    rule: Rule, counted: Count, calendar: SchoolCalendar | None, notes: list[str]
) -> None:
    if calendar is None:
        return
    if counted.paused_days:
        notes.append(f"{counted.paused_days} day(s) of breaks not counted, as the rule says")
    if counted.resumes_on is not None:
        notes.append(f"the count skips the summer and resumes on {counted.resumes_on.isoformat()}")
        if rule.year_end:
            notes.append(rule.year_end)


def _shift_months(start: date, months: int, notes: list[str]) -> date:
    shifted, clamped = add_months(start, months)
    if clamped:
        notes.append(
            f"{shifted.year} has no {start.day} {start:%B}: the last day of {shifted:%B} is used,"
            " so the deadline is not passed"
        )
    return shifted


def _summer_move(due: date, calendar: SchoolCalendar, notes: list[str]) -> date:
    if not (calendar.last_day < due and not calendar.in_session(due)):
        return due
    if calendar.next_first_day is None:
        notes.append(
            "falls in the summer: the rule allows until the first day of classes in the fall,"
            " which the calendar file does not give"
        )
        return due
    notes.append(
        f"the {due.isoformat()} date falls in the summer, so the rule allows until the first"
        f" day of classes, {calendar.next_first_day.isoformat()}"
    )
    return calendar.next_first_day


def _landing(due: date, calendar: SchoolCalendar | None) -> str | None:
    """Say when a date lands on a day with no school; the date itself stays."""
    where: list[str] = []
    if is_weekend(due):
        where.append(f"on a {weekday_name(due)}")
    if calendar is not None:
        closure = calendar.closure_name(due)
        if closure:
            where.append(f"on a school closure ({closure})")
        elif (
            calendar.next_first_day is not None
            and calendar.last_day < due < calendar.next_first_day
        ):
            where.append("in the summer break")
    if not where:
        return None
    return f"falls {' and '.join(where)}; the law does not move it"


def _pause_words(pause: Pause) -> str:
    parts = []
    if pause.breaks_longer_than_school_days == 0:
        parts.append("school holidays and breaks")
    elif pause.breaks_longer_than_school_days is not None:
        parts.append(f"breaks longer than {pause.breaks_longer_than_school_days} school days")
    if pause.summer:
        parts.append("summer")
    return " and ".join(parts)


def _basis(rule: Rule) -> str:
    """A short phrase like "60 calendar days after consent" built from the rule itself."""
    if rule.after is not None:
        origin = f"the {rule.after.replace('_', ' ')} due date"
    elif rule.from_age is not None:
        origin = f"the {ordinal(rule.from_age)} birthday"
    else:
        origin = EVENT_NOUNS[rule.event]
    if rule.event == "birthdate" and rule.years is not None and rule.from_age is None:
        return f"{ordinal(rule.years)} birthday"
    if rule.days is not None:
        unit = f"{rule.unit} " if rule.direction == "after" else ""
        amount = f"{rule.days} {unit}days"
    elif rule.months is not None:
        amount = f"{rule.months} months"
    else:
        amount = f"{rule.years} years"
    phrase = f"{amount} {rule.direction} {origin}"
    if rule.pause is not None:
        phrase += f", not counting {_pause_words(rule.pause)}"
    return phrase
