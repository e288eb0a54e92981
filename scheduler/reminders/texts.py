"""The words of a delivered reminder and of the notices its owner may get.

Plain text only: each adapter escapes it for its platform (user text is inside) and sends it
with mentions disabled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler.store.records import ReminderRecord
from scheduler.timing.zones import format_local, resolve_timezone


def _local(reminder: ReminderRecord, when: datetime) -> str:
    return format_local(when, resolve_timezone(reminder.timezone), reminder.lang)


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours = minutes // 60
    return f"{hours} h {minutes % 60} min" if hours < 24 else f"{hours // 24} d {hours % 24} h"


def reminder_text(reminder: ReminderRecord, fire_at: datetime, late_by: timedelta | None) -> str:
    head = "Reminder" if reminder.kind != "deadline" else "Deadline reminder"
    line = f"⏰ {head} (#{reminder.id}): {reminder.text}"
    if late_by is not None:
        line += (
            f"\n(late by {_ago(late_by)}: it was due {_local(reminder, fire_at)}, "
            "while the bot was offline)"
        )
    return line


def missed_notice(reminder: ReminderRecord, fire_at: datetime) -> str:
    return (
        f"You missed reminder #{reminder.id}, due {_local(reminder, fire_at)}: the bot was "
        f"offline for longer than the catch-up window, so it was not posted. It said: "
        f"{reminder.text}"
    )


def failed_notice(reminder: ReminderRecord, code: str) -> str:
    return (
        f"I could not deliver reminder #{reminder.id} ({code}). It is kept: check that I can "
        f"post there, or type `/iep reminders` to change it."
    )


def uncertain_notice(reminder: ReminderRecord, fire_at: datetime) -> str:
    return (
        f"Reminder #{reminder.id}, due {_local(reminder, fire_at)}, may not have gone out: the "
        f"bot stopped while sending it. It said: {reminder.text}"
    )
