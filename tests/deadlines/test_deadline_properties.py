"""Property tests: for random dates and random calendars, counts are exact.

Each property checks the engine against an oracle written here from the definitions alone
(a school day is a weekday in the school year and in no closure), not against the engine's own
helpers, so a shared bug cannot hide.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from content.deadlines import (
    EVENTS,
    DeadlineInputError,
    SchoolCalendar,
    compute_deadlines,
    known_states,
)
from content.deadlines.clock import count_calendar_days, count_school_days
from content.deadlines.rules import Pause
from content.deadlines.school_calendar import Closure

DATES = st.dates(date(1950, 1, 1), date(2090, 12, 31))


@st.composite
def calendars(draw: st.DrawFn, with_next_year: bool | None = None) -> SchoolCalendar:
    first = draw(st.dates(date(2000, 1, 1), date(2080, 12, 31)))
    length = draw(st.integers(120, 320))
    last = first + timedelta(days=length)
    if with_next_year is None:
        with_next_year = draw(st.booleans())
    next_first = last + timedelta(days=draw(st.integers(20, 100))) if with_next_year else None
    closures = []
    for index in range(draw(st.integers(0, 10))):
        start = first + timedelta(days=draw(st.integers(0, length)))
        end = min(start + timedelta(days=draw(st.integers(0, 16))), last)
        closures.append(Closure(f"closure {index}", start, end))
    return SchoolCalendar("random", first, last, next_first, tuple(closures))


def _closed(calendar: SchoolCalendar, day: date) -> bool:
    return any(c.start <= day <= c.end for c in calendar.closures)


def _in_year(calendar: SchoolCalendar, day: date) -> bool:
    if calendar.first_day <= day <= calendar.last_day:
        return True
    return calendar.next_first_day is not None and day >= calendar.next_first_day


def oracle_school_day(calendar: SchoolCalendar, day: date) -> bool:
    return day.weekday() < 5 and _in_year(calendar, day) and not _closed(calendar, day)


def oracle_breaks(calendar: SchoolCalendar, over: int) -> set[date]:
    """Scan every day: runs of closure-or-weekend days, trimmed to closure days at both ends."""
    result: set[date] = set()
    run: list[date] = []
    day = calendar.first_day - timedelta(days=3)
    end = (calendar.next_first_day or calendar.last_day) + timedelta(days=3)
    while day <= end:
        if _closed(calendar, day) or day.weekday() >= 5:
            run.append(day)
        else:
            _close_run(calendar, run, over, result)
            run = []
        day += timedelta(days=1)
    _close_run(calendar, run, over, result)
    return result


def _close_run(calendar: SchoolCalendar, run: list[date], over: int, result: set[date]) -> None:
    closed = [i for i, day in enumerate(run) if _closed(calendar, day)]
    if not closed:
        return
    trimmed = run[closed[0] : closed[-1] + 1]
    if sum(1 for day in trimmed if day.weekday() < 5) > over:
        result.update(trimmed)


def _days_between(start: date, end: date) -> list[date]:
    """The days after ``start`` up to and including ``end``."""
    return [start + timedelta(days=n) for n in range(1, (end - start).days + 1)]


@given(DATES, st.integers(1, 400), st.one_of(st.none(), calendars()))
def test_calendar_days_add_exactly_n(start: date, n: int, calendar: SchoolCalendar | None) -> None:
    assert count_calendar_days(start, n, calendar, None).due == start + timedelta(days=n)


@given(DATES, st.sampled_from([None, "NJ", "OH"]))
def test_federal_and_nj_evaluation_are_plain_calendar_days(on: date, state: str | None) -> None:
    days = 90 if state == "NJ" else 60
    report = compute_deadlines("consent", on, state=state, today=on)
    (deadline,) = report.deadlines
    assert deadline.due - on == timedelta(days=days)


@given(DATES, st.integers(1, 120))
def test_school_days_without_calendar_are_weekdays(start: date, n: int) -> None:
    due = count_school_days(start, n, None).due
    assert due.weekday() < 5
    assert sum(1 for day in _days_between(start, due) if day.weekday() < 5) == n


@settings(deadline=None)
@given(calendars(), st.integers(-60, 330), st.integers(1, 90))
def test_school_days_count_exactly_n_school_days(
    calendar: SchoolCalendar, offset: int, n: int
) -> None:
    start = calendar.first_day + timedelta(days=offset)
    assume(calendar.next_first_day is None or start < calendar.next_first_day)
    try:
        due = count_school_days(start, n, calendar).due
    except DeadlineInputError:
        # Refused only when the year really runs out and the next one is unknown.
        assert calendar.next_first_day is None
        left = _days_between(start, calendar.last_day)
        assert sum(1 for day in left if oracle_school_day(calendar, day)) < n
        return
    counted = [day for day in _days_between(start, due) if oracle_school_day(calendar, day)]
    assert len(counted) == n
    assert oracle_school_day(calendar, due)
    # Every weekend and every closure was skipped, never counted.
    assert all(day.weekday() < 5 and not _closed(calendar, day) for day in counted)


@settings(deadline=None)
@given(calendars(with_next_year=True), st.integers(0, 300), st.integers(1, 60))
def test_closures_only_ever_delay_a_school_day_count(
    calendar: SchoolCalendar, offset: int, n: int
) -> None:
    start = calendar.first_day + timedelta(days=offset)
    assume(start < calendar.next_first_day)  # type: ignore[operator]
    with_calendar = count_school_days(start, n, calendar).due
    weekdays_only = count_school_days(start, n, None).due
    assert with_calendar >= weekdays_only


@settings(deadline=None)
@given(
    calendars(with_next_year=True),
    st.integers(-30, 300),
    st.integers(1, 90),
    st.booleans(),
    st.one_of(st.none(), st.integers(0, 6)),
)
def test_paused_clock_counts_exactly_n_unpaused_days(
    calendar: SchoolCalendar, offset: int, n: int, summer: bool, over: int | None
) -> None:
    assume(summer or over is not None)
    start = calendar.first_day + timedelta(days=offset)
    assume(start < calendar.next_first_day)  # type: ignore[operator]
    breaks = oracle_breaks(calendar, over) if over is not None else set()

    def paused(day: date) -> bool:
        return (summer and not _in_year(calendar, day)) or day in breaks

    due = count_calendar_days(start, n, calendar, Pause(summer, over)).due
    counted = [day for day in _days_between(start, due) if not paused(day)]
    assert len(counted) == n
    assert not paused(due)


@settings(deadline=None)
@given(DATES, st.sampled_from(EVENTS), st.sampled_from([None, *known_states()]), DATES)
def test_any_event_date_and_state_gives_cited_deadlines(
    on: date, event: str, state: str | None, today: date
) -> None:
    report = compute_deadlines(event, on, state=state, today=today)
    # Empty only when the answer says why: no request clock, or birth-date dates long past.
    assert report.deadlines or report.notes
    for deadline in report.deadlines:
        assert deadline.citation and deadline.source.startswith("https://")
        assert deadline.overdue == (deadline.kind == "deadline" and deadline.due < today)
    assert [d.due for d in report.deadlines] == sorted(d.due for d in report.deadlines)


@pytest.mark.parametrize("state", known_states())
def test_every_state_rule_set_resolves(state: str) -> None:
    for event in EVENTS:
        compute_deadlines(event, date(2026, 9, 15), state=state, today=date(2026, 9, 15))


@settings(deadline=None)
@given(calendars(with_next_year=True), st.integers(0, 300), st.sampled_from(["TX", "WA", "IN"]))
def test_state_school_day_rules_count_exactly_their_days(
    calendar: SchoolCalendar, offset: int, state: str
) -> None:
    days = {"TX": 45, "WA": 35, "IN": 50}[state]
    on = calendar.first_day + timedelta(days=offset)
    assume(on < calendar.next_first_day)  # type: ignore[operator]
    if state == "TX":
        # 35 to 44 school days left in the year: Tex. Educ. Code 29.004(a-1) sets 30 June.
        left = sum(
            1 for day in _days_between(on, calendar.last_day) if oracle_school_day(calendar, day)
        )
        assume(not 35 <= left <= 44)
    report = compute_deadlines("consent", on, state=state, calendar=calendar, today=on)
    due = next(d.due for d in report.deadlines if d.id == "initial_evaluation")
    assert sum(1 for day in _days_between(on, due) if oracle_school_day(calendar, day)) == days
    assert oracle_school_day(calendar, due)
