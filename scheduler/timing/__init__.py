"""Understanding time in reminder commands: phrases, recurrences, durations and zones.

Pure functions without I/O or logging, so they are safe to call with user text and trivial to
test with a fixed `now`. Nothing here may import a chat platform library.
"""

from scheduler.timing.durations import DEFAULT_LEADS, parse_duration, parse_leads
from scheduler.timing.errors import TimeError
from scheduler.timing.phrases import (
    DEFAULT_TIME,
    MAX_AHEAD,
    ParsedReminder,
    parse_reminder,
)
from scheduler.timing.recurrence import (
    Recurrence,
    cron_recurrence,
    describe,
    next_fire,
)
from scheduler.timing.zones import format_local, resolve_timezone

__all__ = [
    "DEFAULT_LEADS",
    "DEFAULT_TIME",
    "MAX_AHEAD",
    "ParsedReminder",
    "Recurrence",
    "TimeError",
    "cron_recurrence",
    "describe",
    "format_local",
    "next_fire",
    "parse_duration",
    "parse_leads",
    "parse_reminder",
    "resolve_timezone",
]
