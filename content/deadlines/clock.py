"""Counting days the way the rules say: calendar days, school days, and clocks that pause.

Day 1 is the day after the start (consent on 15 September, 60 days -> 14 November). A count in
school days lands on the Nth school day. A calendar-day clock that pauses skips the paused days
and lands on the Nth day that counted. Nothing here moves a result to a nicer day: the engine
reports where a date lands and leaves it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from content.deadlines.dates import is_weekend
from content.deadlines.errors import DeadlineInputError
from content.deadlines.rules import Pause
from content.deadlines.school_calendar import SchoolCalendar

# A year before the calendar's first day is surely a different school year, not its summer.
_BEFORE_YEAR_LIMIT = timedelta(days=366)


@dataclass(frozen=True)
class Count:
    """Where a count landed, with the facts the engine turns into notes."""

    due: date
    resumes_on: date | None = None  # first counted day after a summer the count skipped
    paused_days: int = 0


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _check_start(start: date, calendar: SchoolCalendar) -> None:
    """A start the calendar cannot describe is refused rather than counted on a guess."""
    if start < calendar.first_day - _BEFORE_YEAR_LIMIT:
        raise DeadlineInputError(
            f"{start} is long before the school year in the calendar file"
            f" ({calendar.first_day} to {calendar.last_day}); use that year's calendar"
        )
    if calendar.next_first_day is not None and start >= calendar.next_first_day:
        raise DeadlineInputError(
            f"{start} is in the next school year (from {calendar.next_first_day}); the calendar"
            f" file describes {calendar.first_day} to {calendar.last_day}; use that year's calendar"
        )


def _past_the_year(start: date, n: int, unit: str, calendar: SchoolCalendar) -> DeadlineInputError:
    return DeadlineInputError(
        f"the {ordinal(n)} {unit} day after {start} falls after the last day of school"
        f" ({calendar.last_day}) and the calendar file has no next_first_day; add the first day"
        " of the next school year to count past the summer"
    )


def count_school_days(start: date, n: int, calendar: SchoolCalendar | None) -> Count:
    """The Nth school day after ``start``; with no calendar, the Nth weekday."""
    day = start
    if calendar is None:
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if not is_weekend(day):
                counted += 1
        return Count(day)
    _check_start(start, calendar)
    counted = 0
    summer_seen = False
    resumes_on: date | None = None
    while counted < n:
        day += timedelta(days=1)
        if day > calendar.last_day and calendar.next_first_day is None:
            raise _past_the_year(start, n, "school", calendar)
        if calendar.in_summer(day):
            summer_seen = True
        elif calendar.is_school_day(day):
            counted += 1
            if summer_seen and resumes_on is None:
                resumes_on = day
    return Count(day, resumes_on=resumes_on)


def count_calendar_days(
    start: date, n: int, calendar: SchoolCalendar | None, pause: Pause | None
) -> Count:
    """The Nth calendar day after ``start``, skipping the days ``pause`` says do not count.

    Without a calendar nothing can be skipped: the plain count is returned and the engine says
    that breaks were unknown.
    """
    if pause is None or calendar is None:
        return Count(start + timedelta(days=n))
    _check_start(start, calendar)
    long_breaks = (
        calendar.long_break_days(pause.breaks_longer_than_school_days)
        if pause.breaks_longer_than_school_days is not None
        else frozenset()
    )
    day = start
    counted = paused = 0
    summer_seen = False
    resumes_on: date | None = None
    while counted < n:
        day += timedelta(days=1)
        if pause.summer and calendar.in_summer(day):
            if day > calendar.last_day and calendar.next_first_day is None:
                raise _past_the_year(start, n, "counted", calendar)
            paused += 1
            summer_seen = True
            continue
        if day in long_breaks:
            paused += 1
            continue
        counted += 1
        if summer_seen and resumes_on is None:
            resumes_on = day
    return Count(day, resumes_on=resumes_on, paused_days=paused)
