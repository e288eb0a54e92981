"""Plain, frozen values that cross the store boundary.

Callers run in other threads and in asyncio tasks; ORM objects are bound to a session and a
thread, so nothing ORM-shaped ever leaves the store. Every datetime here is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

TARGET_KINDS: Final = frozenset({"user", "channel"})
REMINDER_STATUSES: Final = frozenset({"active", "cancelled", "done"})
REMINDER_KINDS: Final = frozenset({"reminder", "deadline", "push"})
SETTING_SCOPES: Final = frozenset({"user", "workspace"})
DELIVERY_STATUSES: Final = frozenset(
    {"claimed", "sending", "sent", "failed", "missed", "uncertain"}
)
UNFINISHED_DELIVERY_STATUSES: Final = ("claimed", "sending")


@dataclass(frozen=True, slots=True)
class ReminderDraft:
    """A reminder not yet stored; the store assigns id, created_at and status."""

    platform: str
    workspace_id: str | None
    owner_id: str
    target_kind: str
    target_id: str
    text: str
    lang: str
    timezone: str
    next_fire_at: datetime
    recurrence: str | None = None
    case_id: int | None = None
    deadline_id: str | None = None
    kind: str = "reminder"


@dataclass(frozen=True, slots=True)
class ReminderRecord:
    id: int
    platform: str
    workspace_id: str | None
    owner_id: str
    target_kind: str
    target_id: str
    text: str
    lang: str
    timezone: str
    created_at: datetime
    next_fire_at: datetime | None
    recurrence: str | None
    status: str
    case_id: int | None
    deadline_id: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class CaseDraft:
    """A tracked case; ``label`` is a case label such as "AB-7", never a student's name."""

    platform: str
    workspace_id: str | None
    owner_id: str
    channel_id: str | None
    label: str
    event: str
    event_date: date
    state: str | None = None


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: int
    platform: str
    workspace_id: str | None
    owner_id: str
    channel_id: str | None
    label: str
    event: str
    event_date: date
    state: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TrackedDeadlineDraft:
    deadline_id: str
    title: str
    due: date
    citation: str
    basis: str


@dataclass(frozen=True, slots=True)
class TrackedDeadlineRecord:
    id: int
    case_id: int
    deadline_id: str
    title: str
    due: date
    citation: str
    basis: str


@dataclass(frozen=True, slots=True)
class Settings:
    """Per-user or per-workspace preferences; ``None`` means "not set here, fall back"."""

    platform: str
    scope: str
    scope_id: str
    timezone: str | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One row of the delivery ledger: the proof that a (reminder, fire time) went out once."""

    id: int
    reminder_id: int
    fire_at: datetime
    status: str
    attempts: int
    late: bool
    claimed_at: datetime
    sent_at: datetime | None
    last_error: str | None
