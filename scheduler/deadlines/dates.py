"""Date helpers where the law's wording decides the arithmetic.

"At least once every 12 months" must never run past the anniversary, so month arithmetic clamps
to the last day of a shorter month (29 February -> 28 February) instead of rolling forward.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from scheduler.deadlines.errors import DeadlineInputError

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_date(text: str, what: str = "date") -> date:
    """Strict YYYY-MM-DD; a non-existent day (2026-02-31) gets a message saying why."""
    cleaned = text.strip()
    match = _ISO.match(cleaned)
    if not match:
        shown = cleaned if len(cleaned) <= 30 else cleaned[:29] + "…"
        raise DeadlineInputError(f"{what} '{shown}' is not a date; write it as YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise DeadlineInputError(f"{what} {cleaned} does not exist: there is no month {month}")
    if year < 1:
        raise DeadlineInputError(f"{what} {cleaned} does not exist: there is no year 0")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        month_name = calendar.month_name[month]
        raise DeadlineInputError(
            f"{what} {cleaned} does not exist: {month_name} {year} has {last} days"
        )
    return date(year, month, day)


def add_months(start: date, months: int) -> tuple[date, bool]:
    """``start`` moved by whole months; True when the day was clamped to a shorter month's end.

    Clamping goes back, never forward: a deadline "within 12 months" of 29 February is due on
    28 February, not 1 March.
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise DeadlineInputError(
            f"a deadline {months} months from {start.isoformat()} is out of range"
        )
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last)), start.day > last


def weekday_name(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5
