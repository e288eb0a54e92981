"""Legal deadlines of the IEP process: federal IDEA rules, state rules, school calendars.

Public API (used by the CLI, the chat verbs and the reminder service)::

    compute_deadlines(event, on, state=None, calendar=None, today=None) -> DeadlineReport
    load_school_calendar(path) -> SchoolCalendar
    EVENTS, known_states(), parse_date(text), DeadlineInputError

Rules live in ``data/*.yaml``, not in code, each with its citation and a link to its text.
No platform SDK is imported here: this package must run the same under Slack, Discord or a CLI.
"""

from __future__ import annotations

from content.deadlines.dates import parse_date
from content.deadlines.engine import (
    Deadline,
    DeadlineReport,
    compute_deadlines,
    normalise_event,
    normalise_state,
)
from content.deadlines.errors import DeadlineInputError, RuleDataError
from content.deadlines.rules import EVENTS, known_states
from content.deadlines.school_calendar import SchoolCalendar, load_school_calendar

__all__ = [
    "EVENTS",
    "Deadline",
    "DeadlineInputError",
    "DeadlineReport",
    "RuleDataError",
    "SchoolCalendar",
    "compute_deadlines",
    "known_states",
    "load_school_calendar",
    "normalise_event",
    "normalise_state",
    "parse_date",
]
