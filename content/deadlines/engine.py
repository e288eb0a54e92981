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

from content.deadlines.clock import Count, count_calendar_days, count_school_days, ordinal
from content.deadlines.dates import MONTHS, add_months, is_weekend, weekday_name
from content.deadlines.errors import DeadlineInputError
from content.deadlines.explain import explain_count
from content.deadlines.regions import US_STATES
from content.deadlines.rules import EVENTS, Pause, Rule, federal_rules, rules_for, state_rules
from content.deadlines.school_calendar import SchoolCalendar
from content.i18n import N_, norm_lang, tr, trn

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
# Birth-date answers show what is ahead or passed recently, not early-intervention dates from
# years ago: a date that passed more than this many days before "today" is left out (and the
# answer says how many were left out).
RECENT_DAYS = 90
EVENT_NOUNS = {
    "request": N_("the request"),
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
    "request": N_("after the request"),
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
    # True when the date cannot be known exactly (school days without a calendar, a clock that
    # pauses, a year-end rule): a passed date then "may be overdue", never "overdue since".
    uncertain: bool = False
    explain: tuple[str, ...] = ()
    verified: bool = True
    missing: str | None = None

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
            "uncertain": self.uncertain,
            "verified": self.verified,
            "missing": self.missing,
            "explain": list(self.explain),
        }


@dataclass(frozen=True)
class DeadlineReport:
    """All deadlines that follow from one event, soonest first."""

    event: str
    date: date
    state: str | None
    deadlines: list[Deadline] = field(default_factory=list)
    calendar_name: str | None = None
    # Sentences about the answer as a whole: no request clock in this state, dates left out.
    notes: list[str] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        """The shape DESIGN.md promises to scripts: event, date, state, deadlines (+ notes)."""
        return {
            "event": self.event,
            "date": self.date.isoformat(),
            "state": self.state,
            "deadlines": [deadline.to_json_dict() for deadline in self.deadlines],
            "notes": list(self.notes),
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
            N_("unknown state '{shown}'; use a two-letter code such as TX, or DC or BIE"),
            shown=shown,
        )
    return cleaned


def compute_deadlines(
    event: str,
    on: date,
    state: str | None = None,
    calendar: SchoolCalendar | None = None,
    today: date | None = None,
    lang: str = "en",
    absences: int | None = None,
) -> DeadlineReport:
    """Every deadline that ``event`` on ``on`` starts, under federal law and ``state``'s rules.

    ``today`` decides what is overdue; callers pass it so a long-running bot and the tests agree
    on the date. ``lang`` picks the language of titles, rules, bases and notes (ids, dates and
    citations never change). ``absences`` is the number of school days the student missed
    during an evaluation count, for rules that extend by absences (Texas). Raises
    DeadlineInputError (one line) for an unknown event or state, or a count the calendar
    cannot finish.
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
    if absences is not None and not 0 <= absences <= 200:
        raise DeadlineInputError(N_("absences must be a number of school days from 0 to 200"))
    today = today or date.today()
    done: dict[str, Deadline] = {}
    deadlines: list[Deadline] = []
    for rule in rules_for(state):
        if rule.event != event:
            continue
        deadline = _compute(rule, on, state, calendar, today, done, lang, absences)
        done[rule.id] = deadline
        deadlines.append(deadline)
    deadlines.sort(key=lambda d: d.due)
    notes: list[str] = []
    if event == "request" and not deadlines:
        notes.append(_no_request_clock(state, lang))
    elif not deadlines:
        notes.extend(_counted_from_elsewhere(event, state, lang))
    if event == "birthdate":
        deadlines, notes_hidden = _recent_only(deadlines, today, lang)
        notes.extend(notes_hidden)
    return DeadlineReport(event, on, state, deadlines, calendar.name if calendar else None, notes)


def _counted_from_elsewhere(event: str, state: str | None, lang: str) -> list[str]:
    """Where a state counts a federal deadline from another event (Massachusetts: the Team
    meeting from consent, not from eligibility), say so and point to that event rather than
    answer with nothing."""
    federal = {r.id: r for r in federal_rules() if r.event == event}
    notes = []
    for rule in rules_for(state):
        if rule.id in federal and rule.event != event:
            notes.append(
                tr(
                    lang,
                    'In {state}, "{title}" is counted from {other}, not from {event} '
                    "({citation}): try `deadlines {other} DATE state={state}`.",
                    state=state or "",
                    title=rule.text("title", lang) or rule.title,
                    other=rule.event,
                    event=event,
                    citation=rule.citation,
                )
            )
    return notes


def _no_request_clock(state: str | None, lang: str) -> str:
    """Federal law has no number of days for answering a request: say so, and cite."""
    if state is None:
        return tr(
            lang,
            "Federal law sets no fixed number of days for answering a request for an "
            "evaluation: the school must answer within a reasonable time, with prior written "
            "notice of whether it will evaluate (34 CFR 300.503, 300.301(b)). Many states set "
            "a clock: add state=XX.",
        )
    item = next(
        (
            f
            for f in (state_rules()[state].follows_federal if state in state_rules() else ())
            if f.topic == "request_response"
        ),
        None,
    )
    text = tr(
        lang,
        "No {name} clock on file for answering a request for an evaluation. Federal law sets "
        "no fixed number of days: the school must answer within a reasonable time, with prior "
        "written notice of whether it will evaluate (34 CFR 300.503, 300.301(b)).",
        name=US_STATES[state],
    )
    if item is not None:
        text += " " + tr(
            lang, "State source: {citation} ({url}).", citation=item.citation, url=item.source
        )
    return text


def _recent_only(
    deadlines: list[Deadline], today: date, lang: str
) -> tuple[list[Deadline], list[str]]:
    """Birth-date answers keep what is ahead or passed within RECENT_DAYS; older ones are
    counted, not listed, so a 10-year-old's answer is not a wall of early-intervention dates."""
    cutoff = today - timedelta(days=RECENT_DAYS)
    kept = [d for d in deadlines if d.due >= cutoff]
    hidden = len(deadlines) - len(kept)
    if not hidden:
        return kept, []
    return kept, [
        trn(
            lang,
            "{n} earlier date passed more than {days} days ago (before {cutoff}) and is not shown.",
            "{n} earlier dates passed more than {days} days ago (before {cutoff}) and are not"
            " shown.",
            hidden,
            days=RECENT_DAYS,
            cutoff=cutoff.isoformat(),
        )
    ]


def _compute(
    rule: Rule,
    on: date,
    state: str | None,
    calendar: SchoolCalendar | None,
    today: date,
    done: dict[str, Deadline],
    lang: str = "en",
    absences: int | None = None,
) -> Deadline:
    notes: list[str] = []
    steps: list[str] = []
    basis_override: str | None = None
    base = done.get(rule.after) if rule.after is not None else None
    start = on if base is None else base.due
    uncertain = bool(base and base.uncertain)
    if base is not None:
        steps.append(
            tr(
                lang,
                "Start: the {name} due date, {date} ({weekday}).",
                name=base.title,
                date=start.isoformat(),
                weekday=_weekday(start, lang),
            )
        )
    if rule.from_age is not None:
        birthday = _shift_months(on, round(12 * rule.from_age), notes, lang)
        steps.append(
            tr(
                lang,
                "Age {age}: {date} ({weekday}).",
                age=_age_words(rule.from_age, lang),
                date=birthday.isoformat(),
                weekday=_weekday(birthday, lang),
            )
        )
        start = birthday
    if rule.in_effect_at_age:
        due = start - timedelta(days=1)
        steps.append(
            tr(
                lang,
                "The IEP in effect on that day is the one written before it: due the day "
                "before, {date}.",
                date=due.isoformat(),
            )
        )
    else:
        moved = _year_end_move(rule, on, calendar, absences, notes, steps, lang)
        if moved is not None:
            due, basis_override = moved
        else:
            due, count_uncertain = _count(rule, start, calendar, notes, lang, absences, steps)
            uncertain = uncertain or count_uncertain
    if rule.year_end_move is not None and calendar is None:
        year_end = rule.text("year_end", lang)
        if year_end:
            notes.append(year_end)
        uncertain = True
    due, move_uncertain = _summer_moves(rule, due, calendar, notes, steps, lang)
    uncertain = uncertain or move_uncertain
    if not (rule.unit == "school" and calendar is not None) and not rule.in_effect_at_age:
        # Part C rules are not school business: only the weekend is worth saying there.
        landing = _landing(due, calendar if rule.school_calendar else None, lang)
        if landing:
            notes.append(landing)
    caveat = rule.text("caveat", lang)
    if caveat and not (rule.absence_extension and absences is not None):
        notes.append(caveat)
    if rule.state_varies and state is not None and rule.state is None:
        notes.append(
            tr(
                lang,
                "no {name} timeline on file: this is the federal rule; {name} may set its own",
                name=US_STATES[state],
            )
        )
    if not rule.verified:
        notes.append(
            tr(
                lang,
                "this rule's quote is not yet checked in the official text: check the cited source",
            )
        )
    overdue = rule.kind == "deadline" and due < today
    if overdue and uncertain:
        notes.append(
            tr(
                lang,
                "may be overdue: the counted date {date} has passed; a school calendar gives "
                "the exact date",
                date=due.isoformat(),
            )
        )
    elif overdue:
        notes.append(tr(lang, "overdue since {date}", date=due.isoformat()))
    elif rule.kind == "window_start" and due <= today:
        notes.append(tr(lang, "this window opened on {date}", date=due.isoformat()))
    return Deadline(
        id=rule.id,
        title=rule.text("title", lang) or rule.title,
        due=due,
        basis=basis_override or rule.text("basis", lang) or _basis(rule, lang),
        citation=rule.citation,
        source=rule.source,
        plain=rule.text("plain", lang) or rule.plain,
        notes=tuple(notes),
        overdue=overdue,
        kind=rule.kind,
        uncertain=uncertain,
        explain=tuple(steps),
        verified=rule.verified,
        missing=rule.missing,
    )


def _age_words(age: float, lang: str) -> str:
    whole = int(age)
    if age == whole:
        return str(whole)
    return tr(lang, "{n} 1/2", n=whole)


def _year_end_move(
    rule: Rule,
    on: date,
    calendar: SchoolCalendar | None,
    absences: int | None,
    notes: list[str],
    steps: list[str],
    lang: str,
) -> tuple[date, str] | None:
    """The rule's own year-end exception, when the calendar shows it applies: the date and
    the basis to show instead of the usual count; else None."""
    move = rule.year_end_move
    if move is None or calendar is None:
        return None
    if (
        rule.absence_extension is not None
        and absences is not None
        and absences >= rule.absence_extension
    ):
        steps.append(
            tr(
                lang,
                "Year-end rule not applied: {n} school days missed (the rule does not apply "
                "from {min} absences).",
                n=absences,
                min=rule.absence_extension,
            )
        )
        return None
    if not on <= calendar.last_day:
        return None
    if move.left_unit == "school":
        left = sum(
            1
            for offset in range(1, (calendar.last_day - on).days + 1)
            if calendar.is_school_day(on + timedelta(days=offset))
        )
        unit = tr(lang, "school days")
    else:
        left = (calendar.last_day - on).days
        unit = tr(lang, "calendar days")
    steps.append(
        tr(
            lang,
            "Days left in the school year after {date}: {left} {unit} (last day {last}).",
            date=on.isoformat(),
            left=left,
            unit=unit,
            last=calendar.last_day.isoformat(),
        )
    )
    if not move.left_min <= left <= move.left_max:
        return None
    due: date | None = None
    if move.due_month_day is not None:
        month, day = move.due_month_day
        due = date(calendar.last_day.year, month, day)
    elif calendar.next_first_day is None:
        notes.append(
            tr(
                lang,
                "the year-end rule applies, but the calendar file has no next_first_day: add "
                "the first day of the next school year",
            )
        )
        raise DeadlineInputError(
            N_(
                "the year-end rule of {citation} counts from the next school year's first day;"
                " add next_first_day to the calendar file"
            ),
            citation=rule.citation,
        )
    elif move.before_next_first_day:
        due = calendar.next_first_day - timedelta(days=1)
    else:
        assert move.next_year_days is not None
        if move.next_year_unit == "school":
            day_zero = calendar.next_first_day - timedelta(days=1)
            due = count_school_days(day_zero, move.next_year_days, calendar).due
        else:
            due = calendar.next_first_day + timedelta(days=move.next_year_days)
    year_end = rule.text("year_end", lang)
    notes.append(
        tr(
            lang,
            "{left} {unit} were left in the school year, so the year-end rule sets the date: "
            "{rule}",
            left=left,
            unit=unit,
            rule=year_end or rule.citation,
        )
    )
    steps.append(
        tr(
            lang,
            "{left} is from {min} to {max}: the year-end rule applies, due {date} ({weekday}).",
            left=left,
            min=move.left_min,
            max=move.left_max,
            date=due.isoformat(),
            weekday=_weekday(due, lang),
        )
    )
    basis = tr(
        lang,
        "year-end rule: {left} {unit} were left in the school year",
        left=left,
        unit=unit,
    )
    return due, basis


def _summer_moves(
    rule: Rule,
    due: date,
    calendar: SchoolCalendar | None,
    notes: list[str],
    steps: list[str],
    lang: str,
) -> tuple[date, bool]:
    """A move the rule itself makes when the date falls in the summer; (date, uncertain)."""
    if rule.summer_moves_to_first_day and calendar is not None:
        moved = _summer_move(due, calendar, notes, lang)
        if moved != due:
            steps.append(tr(lang, "In the summer: moved to {date}.", date=moved.isoformat()))
        return moved, False
    nth = rule.summer_move_school_day
    if nth is None:
        return due, False
    if calendar is None:
        if 5 <= due.month <= 9:
            notes.append(
                tr(
                    lang,
                    "if {date} falls in the summer break, the rule moves it to the {nth} school "
                    "day of the next school year; give a school calendar to apply it",
                    date=due.isoformat(),
                    nth=ordinal(nth),
                    n=nth,
                )
            )
            return due, True
        return due, False
    if not (calendar.last_day < due and not calendar.in_session(due)):
        return due, False
    if calendar.next_first_day is None:
        notes.append(
            tr(
                lang,
                "falls in the summer: the rule allows until the {nth} school day of the next "
                "school year, which the calendar file does not give",
                nth=ordinal(nth),
                n=nth,
            )
        )
        return due, True
    moved = count_school_days(calendar.next_first_day - timedelta(days=1), nth, calendar).due
    notes.append(
        tr(
            lang,
            "the {date} date falls in the summer, so the rule moves it to the {nth} school day "
            "of the next school year, {moved}",
            date=due.isoformat(),
            nth=ordinal(nth),
            n=nth,
            moved=moved.isoformat(),
        )
    )
    steps.append(
        tr(
            lang,
            "{date} is in the summer: the {nth} school day of the next school year (its first "
            "day, {first}, is day 1) is {moved} ({weekday}).",
            date=due.isoformat(),
            nth=ordinal(nth),
            n=nth,
            first=calendar.next_first_day.isoformat(),
            moved=moved.isoformat(),
            weekday=_weekday(moved, lang),
        )
    )
    return moved, False


def _count(
    rule: Rule,
    start: date,
    calendar: SchoolCalendar | None,
    notes: list[str],
    lang: str = "en",
    absences: int | None = None,
    steps: list[str] | None = None,
) -> tuple[date, bool]:
    """The counted due date and whether it is uncertain without a calendar."""
    steps = steps if steps is not None else []
    sign = -1 if rule.direction == "before" else 1
    if rule.months is not None or rule.years is not None:
        months = rule.months if rule.months is not None else 12 * (rule.years or 0)
        due = _shift_months(start, sign * months, notes, lang)
        steps.append(
            tr(
                lang,
                "{n} months {direction} {start} is {date} ({weekday}); a shorter month ends on "
                "its last day.",
                n=months,
                direction=tr(lang, "before") if sign < 0 else tr(lang, "after"),
                start=start.isoformat(),
                date=due.isoformat(),
                weekday=_weekday(due, lang),
            )
        )
        return due, False
    assert rule.days is not None
    if sign < 0:
        due = start - timedelta(days=rule.days)
        steps.append(
            tr(
                lang,
                "{n} calendar days before {start} is {date} ({weekday}).",
                n=rule.days,
                start=start.isoformat(),
                date=due.isoformat(),
                weekday=_weekday(due, lang),
            )
        )
        return due, False
    uncertain = False
    if rule.unit == "school":
        days = rule.days
        if (
            rule.absence_extension is not None
            and absences is not None
            and absences >= rule.absence_extension
        ):
            days += absences
            notes.append(
                tr(
                    lang,
                    "extended by {n} school days the student missed (the rule extends the "
                    "count from {min} absences)",
                    n=absences,
                    min=rule.absence_extension,
                )
            )
            steps.append(
                tr(
                    lang,
                    "{days} school days + {n} missed = {total} school days.",
                    days=rule.days,
                    n=absences,
                    total=days,
                )
            )
        counted = count_school_days(start, days, calendar)
        if calendar is None:
            uncertain = True
            notes.append(
                tr(
                    lang,
                    "school days counted as Monday to Friday: no school calendar given, so "
                    "holidays, breaks and summer were not skipped (the real date may be later)",
                )
            )
        steps.extend(explain_count(start, counted.due, "school", calendar, None, lang))
    else:
        counted = count_calendar_days(start, rule.days, calendar, rule.pause)
        if rule.pause is not None and calendar is None:
            uncertain = True
            notes.append(
                tr(
                    lang,
                    "counted straight through: {pause} stop this clock, but no school calendar "
                    "was given (the real date may be later)",
                    pause=_pause_words(rule.pause, lang),
                )
            )
        steps.extend(explain_count(start, counted.due, "calendar", calendar, rule.pause, lang))
    _count_notes(rule, counted, calendar, notes, lang)
    return counted.due, uncertain


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
        if rule.from_age != int(rule.from_age):
            age = _age_words(rule.from_age, lang)
            if before:
                return tr(lang, "before the student turns {age}", age=age)
            return tr(lang, "after the student turns {age}", age=age)
        nth, n = ordinal(int(rule.from_age)), int(rule.from_age)
        if before:
            return tr(lang, "before the {nth} birthday", nth=nth, n=n)
        return tr(lang, "after the {nth} birthday", nth=nth, n=n)
    if before:
        return tr(lang, "before {event}", event=tr(lang, EVENT_NOUNS[rule.event]))
    return tr(lang, AFTER_EVENT[rule.event])


def _basis(rule: Rule, lang: str = "en") -> str:
    """A short phrase like "60 calendar days after consent" built from the rule itself."""
    if rule.in_effect_at_age:
        assert rule.from_age is not None
        return tr(
            lang,
            "IEP in effect when the student turns {age}; due the day before",
            age=_age_words(rule.from_age, lang),
        )
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
