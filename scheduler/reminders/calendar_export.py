"""Tracked deadlines as an .ics file that Google Calendar and Outlook both import.

All-day events (a legal deadline is a date, not a time), stable UIDs so that importing a newer
file updates events instead of doubling them, and no student data: only the case label.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

from scheduler.store.records import CaseRecord, TrackedDeadlineRecord

PRODID = "-//iepbot//IEP deadlines//EN"
ALARM_DAYS = (7, 1)


def build_ics(
    cases: Sequence[tuple[CaseRecord, Sequence[TrackedDeadlineRecord]]], *, stamp: datetime
) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "IEP deadlines")
    for case, deadlines in cases:
        for deadline in deadlines:
            event = Event()
            event.add("uid", f"case-{case.id}-{deadline.deadline_id}@iepbot")
            event.add("dtstamp", stamp)
            event.add("summary", f"{case.label}: {deadline.title}")
            event.add("dtstart", deadline.due)
            event.add("dtend", deadline.due + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
            event.add(
                "description",
                f"{deadline.basis}. {deadline.citation}. Tracked from {case.event} on "
                f"{case.event_date.isoformat()}" + (f" ({case.state})." if case.state else "."),
            )
            for days in ALARM_DAYS:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", f"{case.label}: {deadline.title} in {days} day(s)")
                alarm.add("trigger", timedelta(days=-days))
                event.add_component(alarm)
            cal.add_component(event)
    return bytes(cal.to_ical())
