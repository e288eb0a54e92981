"""The count behind a date, step by step, so a coordinator can check it by hand (--explain).

Every day from the day after the start to the due date is classed as counted or skipped (and
why: weekend, a closure from the calendar, summer, a long break), then runs of the same kind
are joined: "days 1-3: Wed 2026-09-16 to Fri 2026-09-18", "not counted: Sat 2026-09-19 to Sun
2026-09-20 (weekend)". The classes are worked out here again from the calendar, not copied from
the counter, so the explanation is a second reading of the same rule.
"""

from __future__ import annotations

from datetime import date, timedelta

from content.deadlines.dates import is_weekend
from content.deadlines.rules import Pause
from content.deadlines.school_calendar import SchoolCalendar
from content.i18n import tr


def _short(day: date, lang: str) -> str:
    if lang == "en":
        return f"{day:%a} {day.isoformat()}"
    from babel.dates import format_date

    return f"{format_date(day, 'EEE', locale=lang)} {day.isoformat()}"


def _classify(
    day: date, unit: str, calendar: SchoolCalendar | None, pause: Pause | None, lang: str
) -> str | None:
    """None when the day counts, else the reason it does not."""
    if unit == "school":
        if calendar is not None and calendar.in_summer(day):
            return tr(lang, "summer")
        if is_weekend(day):
            return tr(lang, "weekend")
        if calendar is not None:
            closure = calendar.closure_name(day)
            if closure:
                return closure
        return None
    if pause is None or calendar is None:
        return None
    if pause.summer and calendar.in_summer(day):
        return tr(lang, "summer: the clock stops")
    if pause.breaks_longer_than_school_days is not None and day in calendar.long_break_days(
        pause.breaks_longer_than_school_days
    ):
        name = calendar.closure_name(day)
        return tr(lang, "break: the clock stops") + (f" ({name})" if name else "")
    return None


def explain_count(
    start: date,
    due: date,
    unit: str,
    calendar: SchoolCalendar | None,
    pause: Pause | None,
    lang: str = "en",
) -> list[str]:
    """Lines that walk from ``start`` to ``due``: day 1, runs of counted days, skipped days."""
    lines = [
        tr(
            lang,
            "Start: {date}; day 1 is the next day that counts.",
            date=_short(start, lang),
        )
    ]
    if unit == "school":
        if calendar is None:
            lines.append(tr(lang, "Counted: Monday to Friday (no school calendar given)."))
        else:
            lines.append(
                tr(
                    lang,
                    "Counted: school days of {name} (weekdays in the school year, not closed).",
                    name=calendar.name,
                )
            )
    elif pause is None or calendar is None:
        lines.append(tr(lang, "Counted: every calendar day, weekends and holidays included."))
    else:
        lines.append(tr(lang, "Counted: calendar days, except when the clock stops."))
    runs: list[tuple[str | None, date, date, int, int]] = []
    counted = 0
    day = start
    while day < due:
        day += timedelta(days=1)
        reason = _classify(day, unit, calendar, pause, lang)
        if reason is None:
            counted += 1
        last = runs[-1] if runs else None
        if last is not None and last[0] == reason and last[2] + timedelta(days=1) == day:
            runs[-1] = (reason, last[1], day, last[3], counted)
        else:
            runs.append((reason, day, day, counted, counted))
    for reason, first, last_day, n_first, n_last in runs:
        span = (
            _short(first, lang)
            if first == last_day
            else (f"{_short(first, lang)} – {_short(last_day, lang)}")
        )
        if reason is None:
            numbers = str(n_first) if n_first == n_last else f"{n_first}-{n_last}"
            lines.append(tr(lang, "days {numbers}: {span}", numbers=numbers, span=span))
        else:
            lines.append(tr(lang, "not counted: {span} ({reason})", span=span, reason=reason))
    lines.append(tr(lang, "Due: day {n}, {date}.", n=counted, date=_short(due, lang)))
    return lines
