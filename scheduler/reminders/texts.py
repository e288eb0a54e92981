"""The words of a delivered reminder and of the notices its owner may get.

Plain text only: each adapter escapes it for its platform (user text is inside) and sends it
with mentions disabled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from content.i18n import N_, tr
from scheduler.store.records import ReminderRecord
from scheduler.timing.zones import format_local, resolve_timezone


def _local(reminder: ReminderRecord, when: datetime) -> str:
    return format_local(when, resolve_timezone(reminder.timezone), reminder.lang)


def _ago(delta: timedelta, lang: str) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return tr(lang, "{minutes} min", minutes=max(minutes, 1))
    hours = minutes // 60
    if hours < 24:
        return tr(lang, "{hours} h {minutes} min", hours=hours, minutes=minutes % 60)
    return tr(lang, "{days} d {hours} h", days=hours // 24, hours=hours % 24)


def reminder_text(reminder: ReminderRecord, fire_at: datetime, late_by: timedelta | None) -> str:
    """In the language stored with the reminder: its owner chose it when setting it."""
    lang = reminder.lang
    if reminder.kind != "deadline":
        line = tr(lang, "⏰ Reminder (#{id}): {text}", id=reminder.id, text=reminder.text)
    else:
        line = tr(lang, "⏰ Deadline reminder (#{id}): {text}", id=reminder.id, text=reminder.text)
    if late_by is not None:
        line += "\n" + tr(
            lang,
            "(late by {late}: it was due {due}, while the bot was offline)",
            late=_ago(late_by, lang),
            due=_local(reminder, fire_at),
        )
    return line


def missed_notice(reminder: ReminderRecord, fire_at: datetime) -> str:
    return tr(
        reminder.lang,
        "You missed reminder #{id}, due {due}: the bot was offline for longer than the catch-up "
        "window, so it was not posted. It said: {text}",
        id=reminder.id,
        due=_local(reminder, fire_at),
        text=reminder.text,
    )


def failed_notice(reminder: ReminderRecord, code: str) -> str:
    return tr(
        reminder.lang,
        "I could not deliver reminder #{id} ({code}). It is kept: check that I can post there, "
        "or change it from your list of reminders.",
        id=reminder.id,
        code=code,
    )


def uncertain_notice(reminder: ReminderRecord, fire_at: datetime, *, stopped: bool = True) -> str:
    """``stopped``: the bot died mid-send (found at restart); otherwise the platform's answer
    was one nobody planned for. Either way the platform may have the message."""
    message = (
        N_(
            "Reminder #{id}, due {due}, may not have gone out: the bot stopped while sending it. "
            "It said: {text}"
        )
        if stopped
        else N_(
            "Reminder #{id}, due {due}, may not have gone out: something unexpected happened "
            "while sending it. It said: {text}"
        )
    )
    return tr(
        reminder.lang, message, id=reminder.id, due=_local(reminder, fire_at), text=reminder.text
    )
