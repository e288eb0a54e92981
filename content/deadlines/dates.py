"""Date helpers where the law's wording decides the arithmetic.

"At least once every 12 months" must never run past the anniversary, so month arithmetic clamps
to the last day of a shorter month (29 February -> 28 February) instead of rolling forward.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from content.deadlines.errors import DeadlineInputError
from content.i18n import N_

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def parse_date(text: str, what: str = "date") -> date:
    """Strict YYYY-MM-DD; a non-existent day (2026-02-31) gets a message saying why."""
    cleaned = text.strip()
    match = _ISO.match(cleaned)
    if not match:
        shown = cleaned if len(cleaned) <= 30 else cleaned[:29] + "…"
        raise DeadlineInputError(
            N_("{what} '{shown}' is not a date; write it as YYYY-MM-DD"), what=what, shown=shown
        )
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise DeadlineInputError(
            N_("{what} {date} does not exist: there is no month {month}"),
            what=what,
            date=cleaned,
            month=month,
        )
    if year < 1:
        raise DeadlineInputError(
            N_("{what} {date} does not exist: there is no year 0"), what=what, date=cleaned
        )
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        # The month is passed as a number too: the Spanish message names it in Spanish.
        raise DeadlineInputError(
            N_("{what} {date} does not exist: {month_name} {year} has {last} days"),
            what=what,
            date=cleaned,
            month_name=MONTHS[month - 1],
            month_es=_MESES[month - 1],
            year=year,
            last=last,
        )
    return date(year, month, day)


_MESES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
)  # fmt: skip


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
            N_("a deadline {months} months from {date} is out of range"),
            months=months,
            date=start.isoformat(),
        )
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last)), start.day > last


def weekday_name(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5
