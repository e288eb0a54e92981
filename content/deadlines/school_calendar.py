"""A district's school year: which days are school days, and which breaks stop a clock.

Weekends are never school days. Days before the first day or between the last day and the next
year's first day are summer. Closures (holidays, breaks, snow days) are single dates or ranges.
A calendar only knows what its file says: past the last day with no ``next_first_day`` the
engine refuses to guess (see ``clock.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from content.deadlines.dates import is_weekend, parse_date
from content.deadlines.errors import DeadlineInputError
from content.deadlines.yaml_io import YamlReadError, read_yaml

CALENDAR_FIELDS = ("name", "first_day", "last_day", "next_first_day", "closures")
CLOSURE_FIELDS = ("name", "date", "start", "end")
MAX_YEAR_DAYS = 400


@dataclass(frozen=True)
class Closure:
    """A day or an inclusive range of days with no school, e.g. winter break."""

    name: str
    start: date
    end: date

    def days(self) -> list[date]:
        return [self.start + timedelta(n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class SchoolCalendar:
    """One school year (plus, optionally, when the next one starts) and its closures."""

    name: str
    first_day: date
    last_day: date
    next_first_day: date | None = None
    closures: tuple[Closure, ...] = field(default_factory=tuple)

    @cached_property
    def _closure_names(self) -> dict[date, str]:
        names: dict[date, str] = {}
        for closure in self.closures:
            for day in closure.days():
                names.setdefault(day, closure.name)
        return names

    def closure_name(self, day: date) -> str | None:
        return self._closure_names.get(day)

    def in_session(self, day: date) -> bool:
        """Inside a school year the calendar describes (closures and weekends included)."""
        if self.first_day <= day <= self.last_day:
            return True
        return self.next_first_day is not None and day >= self.next_first_day

    def is_school_day(self, day: date) -> bool:
        return self.in_session(day) and not is_weekend(day) and day not in self._closure_names

    def in_summer(self, day: date) -> bool:
        """Between school years: before the first day, or after the last day and before the next."""
        return not self.in_session(day)

    def long_break_days(self, over_weekdays: int) -> frozenset[date]:
        """Days of closures that, with the weekends inside them, span more than ``over_weekdays``
        weekdays: the breaks that stop a clock such as California's "vacation in excess of five
        schooldays". A weekend joins two closures; weekends at a break's edges are not part of it.
        """
        cache: dict[int, frozenset[date]] = self.__dict__.setdefault("_break_cache", {})
        if over_weekdays in cache:
            return cache[over_weekdays]
        result: set[date] = set()
        for run in self._break_runs:
            if sum(1 for day in run if not is_weekend(day)) > over_weekdays:
                result.update(run)
        cache[over_weekdays] = frozenset(result)
        return cache[over_weekdays]

    @cached_property
    def _break_runs(self) -> list[list[date]]:
        """Closure days grouped into breaks: consecutive days, bridged over weekends only."""
        runs: list[list[date]] = []
        for day in sorted(self._closure_names):
            if runs:
                gap = [runs[-1][-1] + timedelta(n) for n in range(1, (day - runs[-1][-1]).days)]
                if all(is_weekend(between) for between in gap):
                    runs[-1].extend(gap)
                    runs[-1].append(day)
                    continue
            runs.append([day])
        return runs


def load_school_calendar(path: str | Path) -> SchoolCalendar:
    """Read and check a calendar file; any problem is one DeadlineInputError line naming it."""
    path = Path(path)
    label = f"calendar file {path.name}"
    try:
        raw = read_yaml(path)
    except YamlReadError as exc:
        raise DeadlineInputError(f"{label} {exc}") from exc
    return calendar_from_mapping(raw, label)


def calendar_from_mapping(raw: Any, label: str = "calendar") -> SchoolCalendar:
    """Build a calendar from parsed YAML; errors say ``label: where: what``."""
    if not isinstance(raw, Mapping):
        raise DeadlineInputError(
            f"{label}: expected keys first_day, last_day and closures at the top level"
        )
    unknown = sorted(str(key) for key in raw if key not in CALENDAR_FIELDS)
    if unknown:
        raise DeadlineInputError(
            f"{label}: unknown field '{unknown[0]}' (allowed: {', '.join(CALENDAR_FIELDS)})"
        )
    name = raw.get("name", "school calendar")
    if not isinstance(name, str) or not name.strip():
        raise DeadlineInputError(f"{label}: name must be text")
    first_day = _required_date(raw, "first_day", label)
    last_day = _required_date(raw, "last_day", label)
    if last_day <= first_day:
        raise DeadlineInputError(f"{label}: last_day {last_day} is not after first_day {first_day}")
    if (last_day - first_day).days > MAX_YEAR_DAYS:
        raise DeadlineInputError(
            f"{label}: first_day {first_day} to last_day {last_day} is longer than a school year;"
            " use one calendar per school year"
        )
    next_first_day = None
    if raw.get("next_first_day") is not None:
        next_first_day = _date_value(raw["next_first_day"], f"{label}: next_first_day")
        if next_first_day <= last_day:
            raise DeadlineInputError(
                f"{label}: next_first_day {next_first_day} is not after last_day {last_day}"
            )
    closures_raw = raw.get("closures") or []
    if not isinstance(closures_raw, list):
        raise DeadlineInputError(f"{label}: closures must be a list of entries")
    calendar = SchoolCalendar(name.strip(), first_day, last_day, next_first_day, ())
    closures = tuple(
        _closure(item, index, label, calendar) for index, item in enumerate(closures_raw)
    )
    return SchoolCalendar(name.strip(), first_day, last_day, next_first_day, closures)


def _required_date(raw: Mapping[str, Any], key: str, label: str) -> date:
    if raw.get(key) is None:
        raise DeadlineInputError(f"{label}: missing {key} (a date as YYYY-MM-DD)")
    return _date_value(raw[key], f"{label}: {key}")


def _date_value(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise DeadlineInputError(f"{where} must be a date as YYYY-MM-DD, not {value!r}")
    try:
        return parse_date(value, "date")
    except DeadlineInputError as exc:
        raise DeadlineInputError(f"{where}: {exc}") from exc


def _closure(item: Any, index: int, label: str, calendar: SchoolCalendar) -> Closure:
    where = f"{label}: closures[{index + 1}]"
    if not isinstance(item, Mapping):
        raise DeadlineInputError(f"{where} must have a name and a date (or start and end)")
    unknown = sorted(str(key) for key in item if key not in CLOSURE_FIELDS)
    if unknown:
        raise DeadlineInputError(
            f"{where}: unknown field '{unknown[0]}' (allowed: {', '.join(CLOSURE_FIELDS)})"
        )
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DeadlineInputError(f"{where}: missing name (e.g. name: Winter break)")
    where = f"{where} ({name.strip()})"
    if "date" in item and ("start" in item or "end" in item):
        raise DeadlineInputError(f"{where}: give either date, or start and end, not both")
    if "date" in item:
        start = end = _date_value(item["date"], f"{where}: date")
    elif "start" in item and "end" in item:
        start = _date_value(item["start"], f"{where}: start")
        end = _date_value(item["end"], f"{where}: end")
        if end < start:
            raise DeadlineInputError(f"{where}: end {end} is before start {start}")
    else:
        missing = "end" if "start" in item else "start" if "end" in item else "date"
        raise DeadlineInputError(f"{where}: missing {missing}")
    for day in (start, end):
        if not calendar.in_session(day):
            raise DeadlineInputError(
                f"{where}: {day} is outside the school year"
                f" {calendar.first_day} to {calendar.last_day}"
            )
    return Closure(name.strip(), start, end)
