"""Persistence for iepbot: reminders, tracked cases, settings and the delivery ledger.

Import from here; the submodules are free to move.
"""

from scheduler.store.database import default_database_url, open_store, run_migrations
from scheduler.store.errors import DuplicateCaseError, StoreError
from scheduler.store.records import (
    CaseDraft,
    CaseRecord,
    DeliveryRecord,
    ReminderDraft,
    ReminderRecord,
    Settings,
    TrackedDeadlineDraft,
    TrackedDeadlineRecord,
)
from scheduler.store.store import Store

__all__ = [
    "CaseDraft",
    "CaseRecord",
    "DeliveryRecord",
    "DuplicateCaseError",
    "ReminderDraft",
    "ReminderRecord",
    "Settings",
    "Store",
    "StoreError",
    "TrackedDeadlineDraft",
    "TrackedDeadlineRecord",
    "default_database_url",
    "open_store",
    "run_migrations",
]
