"""Tracked cases: one transaction for case, deadlines and reminders; duplicates refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from scheduler.store import (
    CaseDraft,
    DuplicateCaseError,
    Store,
    StoreError,
    TrackedDeadlineDraft,
)
from tests.store.helpers import draft

T0 = datetime(2026, 10, 30, 14, 0, tzinfo=UTC)


def case(label: str = "AB-7", owner: str = "U1", event: str = "consent") -> CaseDraft:
    return CaseDraft(
        platform="slack",
        workspace_id="T1",
        owner_id=owner,
        channel_id=None,
        label=label,
        event=event,
        event_date=date(2026, 9, 15),
        state="TX",
    )


DEADLINES = [
    TrackedDeadlineDraft(
        deadline_id="iep_meeting",
        title="IEP meeting",
        due=date(2026, 12, 14),
        citation="34 CFR 300.323(c)(1)",
        basis="30 calendar days",
    ),
    TrackedDeadlineDraft(
        deadline_id="initial_evaluation",
        title="Initial evaluation",
        due=date(2026, 11, 14),
        citation="34 CFR 300.301(c)(1)",
        basis="60 calendar days",
    ),
]


def reminders_for(owner: str = "U1") -> list:
    return [
        draft(owner, kind="deadline", deadline_id="initial_evaluation", when=T0 + timedelta(days=d))
        for d in (0, 7, 13)
    ]


def test_add_case_links_everything(store: Store) -> None:
    rec, reminders = store.add_case(case(), DEADLINES, reminders_for())
    assert rec.id > 0 and rec.label == "AB-7" and rec.created_at.tzinfo is UTC
    assert len(reminders) == 3
    assert {r.case_id for r in reminders} == {rec.id}
    assert all(r.kind == "deadline" for r in reminders)

    [(listed, deadlines)] = store.list_cases("slack", "U1")
    assert listed == rec
    assert [d.deadline_id for d in deadlines] == ["initial_evaluation", "iep_meeting"]  # by due
    assert all(d.case_id == rec.id for d in deadlines)
    assert store.list_cases("slack", "U2") == []


def test_failing_reminder_rolls_back_the_case(store: Store) -> None:
    broken = replace(draft(), platform=None)  # NOT NULL violated inside the transaction
    with pytest.raises(StoreError):
        store.add_case(case(), DEADLINES, [*reminders_for(), broken])
    assert store.list_cases("slack", "U1") == []
    assert store.list_reminders_for_owner("slack", "U1", active_only=False) == []
    # And the same case can then be added cleanly.
    rec, _ = store.add_case(case(), DEADLINES, reminders_for())
    assert store.list_cases("slack", "U1")[0][0] == rec


def test_invalid_reminder_is_refused_before_anything_is_written(store: Store) -> None:
    with pytest.raises(ValueError):
        store.add_case(case(), DEADLINES, [draft(text="x" * 2001)])
    assert store.list_cases("slack", "U1") == []


def test_duplicate_case(store: Store) -> None:
    first, _ = store.add_case(case(), DEADLINES, reminders_for())
    with pytest.raises(DuplicateCaseError) as info:
        store.add_case(case(), DEADLINES, reminders_for())
    assert isinstance(info.value, StoreError)
    assert "\n" not in str(info.value)
    cases = store.list_cases("slack", "U1")
    assert [c.id for c, _ in cases] == [first.id]
    assert len(cases[0][1]) == 2
    assert len(store.list_reminders_for_owner("slack", "U1")) == 3
    # Same label for another event, or another owner, is a different case.
    store.add_case(case(event="eligibility"), [], [])
    store.add_case(case(owner="U2"), [], [])
    assert len(store.list_cases("slack", "U1")) == 2


def test_delete_case_cascades(store: Store) -> None:
    rec, reminders = store.add_case(case(), DEADLINES, reminders_for())
    other = store.add_reminder(draft())
    assert store.claim_delivery(reminders[0].id, reminders[0].next_fire_at)
    assert store.delete_case(rec.id) is True
    assert store.delete_case(rec.id) is False
    assert store.list_cases("slack", "U1") == []
    assert all(store.get_reminder(r.id) is None for r in reminders)
    assert store.get_delivery(reminders[0].id, reminders[0].next_fire_at) is None
    assert store.get_reminder(other.id) == other
