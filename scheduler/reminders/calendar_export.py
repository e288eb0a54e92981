"""A person's reminders and tracked deadlines as one iCalendar file (RFC 5545).

The same bytes are the `/iep calendar` attachment and the body of the subscription feed, so an
imported file and a subscribed calendar always agree. Choices:

- a tracked deadline is an all-day event (a legal deadline is a date, not a time), with one
  alarm per lead time of its case (``lead=14d,7d,1d`` gives three), set at the hour the chat
  reminders go out;
- a reminder is a 15-minute event at its next time, in its own time zone (TZID plus the
  VTIMEZONE a calendar needs to read it); a repeating one is one event with an RRULE, not a
  list of occurrences, so it stays one entry when the calendar expands it;
- UIDs are stable (``reminder-42@iepbot``, ``case-7-…@iepbot``): importing a newer file or
  refreshing the feed updates events instead of doubling them, and a cancelled reminder simply
  is not in the next version;
- every word is in the person's language, and nothing but the case label and the reminder's
  own text (which its owner wrote) identifies anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, vDuration, vRecur

from content.deadlines.engine import EVENT_NOUNS
from content.i18n import N_, tr, trn
from scheduler.store.records import CaseRecord, ReminderRecord, TrackedDeadlineRecord
from scheduler.timing.durations import DEFAULT_LEADS
from scheduler.timing.recurrence import Recurrence, describe, to_rrule

PRODID = "-//iepbot//IEP deadlines and reminders//EN"
CALENDAR_NAME = N_("IEP deadlines and reminders")
REMINDER_LENGTH = timedelta(minutes=15)
# Subscribed calendars re-read the feed about this often when they honour these hints (Apple,
# Outlook); Google Calendar refreshes on its own schedule, typically within a day.
REFRESH = timedelta(hours=1)
# VTIMEZONE rules from a little before now to well after the furthest reminder: enough for any
# reader, and a few lines per zone instead of every transition since 1970.
ZONE_HISTORY = timedelta(days=366)
ZONE_FUTURE = timedelta(days=366 * 10)

Cases = Sequence[tuple[CaseRecord, Sequence[TrackedDeadlineRecord]]]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _before(lead: timedelta, lang: str) -> str:
    """ "in 7 days", "in 12 hours": how far ahead an alarm rings, in the person's language."""
    seconds = int(lead.total_seconds())
    if seconds % 86400 == 0:
        return trn(lang, "in {n} day", "in {n} days", seconds // 86400)
    hours = max(1, round(seconds / 3600))
    return trn(lang, "in {n} hour", "in {n} hours", hours)


def _deadline_event(
    case: CaseRecord,
    deadline: TrackedDeadlineRecord,
    *,
    stamp: datetime,
    lang: str,
    remind_at: time,
) -> Event:
    event = Event()
    event.add("uid", f"case-{case.id}-{deadline.deadline_id}@iepbot")
    event.add("dtstamp", stamp)
    event.add("summary", f"{case.label}: {deadline.title}")
    event.add("dtstart", deadline.due)
    event.add("dtend", deadline.due + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    noun = EVENT_NOUNS.get(case.event)
    counted = tr(
        lang,
        "Counted from {event} on {date}",
        event=tr(lang, noun) if noun else case.event,
        date=case.event_date.isoformat(),
    )
    if case.state:
        counted += f" ({case.state})"
    event.add("description", f"{deadline.basis}. {deadline.citation}. {counted}.")
    # An all-day event starts at midnight: the alarm moves forward to the chat reminders' hour.
    at = timedelta(hours=remind_at.hour, minutes=remind_at.minute)
    for lead in case.lead_times or DEFAULT_LEADS:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{case.label}: {deadline.title} {_before(lead, lang)}")
        alarm.add("trigger", at - lead)
        event.add_component(alarm)
    return event


def _reminder_event(reminder: ReminderRecord, *, stamp: datetime, lang: str) -> Event | None:
    if reminder.next_fire_at is None:
        return None
    recurrence = Recurrence.from_json(reminder.recurrence) if reminder.recurrence else None
    zone = _zone(recurrence.tz if recurrence else reminder.timezone)
    event = Event()
    event.add("uid", f"reminder-{reminder.id}@iepbot")
    event.add("dtstamp", stamp)
    event.add("summary", reminder.text)
    event.add("dtstart", reminder.next_fire_at.astimezone(zone))
    event.add("duration", REMINDER_LENGTH)
    rule = to_rrule(recurrence) if recurrence else None
    if rule is not None:
        event.add("rrule", vRecur(rule))
    details = [tr(lang, "Reminder #{id}", id=reminder.id)]
    if recurrence is not None:
        details.append(describe(recurrence, lang))
    if reminder.target_kind == "channel":
        details.append(tr(lang, "Posted in a channel"))
    event.add("description", ". ".join(details) + ".")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", reminder.text)
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event


def build_ics(
    cases: Cases,
    *,
    stamp: datetime,
    lang: str = "en",
    reminders: Sequence[ReminderRecord] = (),
    remind_at: time = time(9, 0),
) -> bytes:
    """``reminders`` are the person's own; only plain active reminders become events (deadline
    reminders are the deadlines' alarms, pushes are not a person's)."""
    stamp = stamp.astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = tr(lang, CALENDAR_NAME)
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    for case, deadlines in cases:
        for deadline in deadlines:
            cal.add_component(
                _deadline_event(case, deadline, stamp=stamp, lang=lang, remind_at=remind_at)
            )
    for reminder in reminders:
        if reminder.kind != "reminder" or reminder.status != "active":
            continue
        event = _reminder_event(reminder, stamp=stamp, lang=lang)
        if event is not None:
            cal.add_component(event)
    first: date = stamp.date() - ZONE_HISTORY
    cal.add_missing_timezones(first_date=first, last_date=stamp.date() + ZONE_FUTURE)
    return bytes(cal.to_ical())
