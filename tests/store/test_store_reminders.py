"""Reminders: add, list, cancel, snooze, bulk insert, UTC round-trips, index use."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, text

from scheduler.store import ReminderDraft, Store
from tests.store.helpers import draft

T0 = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


def test_add_and_get(store: Store) -> None:
    rec = store.add_reminder(draft(recurrence='{"every": "monday"}', deadline_id="iep_meeting"))
    assert rec.id > 0
    assert rec.status == "active"
    assert rec.kind == "reminder"
    assert rec.recurrence == '{"every": "monday"}'
    assert rec.created_at.tzinfo is UTC
    assert store.get_reminder(rec.id) == rec
    assert store.get_reminder(rec.id + 10_000) is None


def test_list_for_owner_and_target_ordered_by_next_fire(store: Store) -> None:
    late = store.add_reminder(draft("U1", when=T0 + timedelta(days=2)))
    soon = store.add_reminder(draft("U1", when=T0))
    chan = store.add_reminder(
        draft("U1", target_kind="channel", target="C9", when=T0 + timedelta(days=1))
    )
    store.add_reminder(draft("U2"))
    store.add_reminder(draft("U1", platform="discord"))

    assert [r.id for r in store.list_reminders_for_owner("slack", "U1")] == [
        soon.id,
        chan.id,
        late.id,
    ]
    assert [r.id for r in store.list_reminders_for_target("slack", "C9")] == [chan.id]
    assert [r.id for r in store.list_reminders_for_target("slack", "U1")] == [soon.id, late.id]


def test_cancel_and_active_only(store: Store) -> None:
    keep = store.add_reminder(draft())
    gone = store.add_reminder(draft(when=T0 + timedelta(hours=1)))
    assert store.cancel_reminder(gone.id) is True
    assert store.cancel_reminder(gone.id) is False  # already cancelled
    assert store.cancel_reminder(999_999) is False
    assert [r.id for r in store.list_reminders_for_owner("slack", "U1")] == [keep.id]
    every = store.list_reminders_for_owner("slack", "U1", active_only=False)
    assert [r.id for r in every] == [keep.id, gone.id]  # cancelled has no next fire: last
    cancelled = store.get_reminder(gone.id)
    assert cancelled is not None
    assert cancelled.status == "cancelled"
    assert cancelled.next_fire_at is None
    assert store.count_active() == 1


def test_set_next_fire_and_done(store: Store) -> None:
    rec = store.add_reminder(draft())
    assert store.set_next_fire(rec.id, T0 + timedelta(days=7))
    after = store.get_reminder(rec.id)
    assert after is not None and after.next_fire_at == T0 + timedelta(days=7)
    assert store.set_next_fire(rec.id, None, status="done")
    done = store.get_reminder(rec.id)
    assert done is not None and done.status == "done" and done.next_fire_at is None
    assert store.count_active() == 0
    with pytest.raises(ValueError):
        store.set_next_fire(rec.id, T0, status="paused")


def test_cancel_wins_over_scheduler_bookkeeping(store: Store) -> None:
    rec = store.add_reminder(draft())
    store.cancel_reminder(rec.id)
    assert store.set_next_fire(rec.id, None, status="done") is False
    assert store.reschedule(rec.id, T0) is False
    after = store.get_reminder(rec.id)
    assert after is not None and after.status == "cancelled"


def test_reschedule_snoozes_and_revives_done(store: Store) -> None:
    rec = store.add_reminder(draft())
    assert store.reschedule(rec.id, T0 + timedelta(days=2))
    snoozed = store.get_reminder(rec.id)
    assert snoozed is not None and snoozed.next_fire_at == T0 + timedelta(days=2)
    store.set_next_fire(rec.id, None, status="done")
    assert store.reschedule(rec.id, T0 + timedelta(hours=3))
    again = store.get_reminder(rec.id)
    assert again is not None and again.status == "active"
    assert store.reschedule(123_456, T0) is False


def test_due_before(store: Store) -> None:
    a = store.add_reminder(draft(when=T0))
    b = store.add_reminder(draft(when=T0 + timedelta(minutes=1)))
    store.add_reminder(draft(when=T0 + timedelta(minutes=2)))
    c = store.add_reminder(draft(when=T0 - timedelta(days=1)))
    store.cancel_reminder(c.id)
    cutoff = T0 + timedelta(minutes=2)
    assert [r.id for r in store.active_reminders_due_before(cutoff, 10)] == [a.id, b.id]
    assert [r.id for r in store.active_reminders_due_before(cutoff, 1)] == [a.id]
    # The same instant given in another zone selects the same rows.
    chicago = cutoff.astimezone(ZoneInfo("America/Chicago"))
    assert [r.id for r in store.active_reminders_due_before(chicago, 10)] == [a.id, b.id]


def test_aware_utc_round_trip(store: Store) -> None:
    local = datetime(2027, 11, 7, 1, 30, 15, 123456, tzinfo=ZoneInfo("America/Chicago"))
    odd = datetime(2027, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    r1 = store.add_reminder(draft(when=local))
    r2 = store.add_reminder(draft(when=odd))
    for rec, original in ((r1, local), (r2, odd)):
        got = store.get_reminder(rec.id)
        assert got is not None and got.next_fire_at is not None
        # Compare instants: Python never calls an ambiguous (DST fall-back) local time equal to
        # a time in another zone, and 01:30 on 2027-11-07 in Chicago is such a time.
        assert got.next_fire_at == original.astimezone(UTC)
        assert got.next_fire_at.timestamp() == original.timestamp()
        assert got.next_fire_at.tzinfo is UTC
        assert got.next_fire_at.utcoffset() == timedelta(0)
        assert got.created_at.tzinfo is UTC
    assert r1.next_fire_at == local.astimezone(UTC)


def test_naive_and_invalid_input_changes_nothing(store: Store) -> None:
    with pytest.raises(ValueError):
        store.add_reminder(draft(when=datetime(2027, 1, 1, 9, 0)))
    with pytest.raises(ValueError):
        store.add_reminder(draft(text="x" * 2001))
    with pytest.raises(ValueError):
        store.add_reminder(draft(target_kind="everyone"))
    with pytest.raises(ValueError):
        store.add_reminder(draft(kind="spam"))
    with pytest.raises(ValueError):
        store.add_reminders([draft(), _bad_zone()])
    with pytest.raises(ValueError):
        store.active_reminders_due_before(datetime(2027, 1, 1), 10)
    assert store.count_active() == 0
    assert store.add_reminder(draft(text="x" * 2000)).text == "x" * 2000


def _bad_zone() -> ReminderDraft:
    return replace(draft(), timezone="Mars/Olympus")


def test_bulk_insert_keeps_order_and_is_atomic(store: Store) -> None:
    drafts = [draft(f"U{i % 7}", when=T0 + timedelta(seconds=i)) for i in range(2500)]
    recs = store.add_reminders(drafts)
    assert len(recs) == 2500
    assert [r.next_fire_at for r in recs] == [d.next_fire_at for d in drafts]
    assert [r.owner_id for r in recs] == [d.owner_id for d in drafts]
    assert len({r.id for r in recs}) == 2500
    assert recs == sorted(recs, key=lambda r: r.id)
    assert store.get_reminder(recs[1234].id) == recs[1234]
    assert store.count_active() == 2500
    assert store.add_reminders([]) == []


def _plan(store: Store, call) -> str:
    """Run ``call`` and EXPLAIN QUERY PLAN the SELECT on reminders it sent."""
    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM reminders" in statement:
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    assert len(seen) == 1
    statement, parameters = seen[0]
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return " | ".join(str(row[-1]) for row in rows)


def test_list_queries_use_indexes(store: Store) -> None:
    """SQLite: EXPLAIN QUERY PLAN names the index. PostgreSQL: the answers are right."""
    store.add_reminders([draft(f"U{i}") for i in range(50)])
    if store.dialect != "sqlite":
        assert [r.owner_id for r in store.list_reminders_for_owner("slack", "U3")] == ["U3"]
        assert store.list_reminders_for_target("slack", "C1") == []
        assert len(store.active_reminders_due_before(T0 + timedelta(seconds=1), 100)) == 50
        return
    with store.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    owner = _plan(store, lambda: store.list_reminders_for_owner("slack", "U3"))
    assert "ix_reminders_owner" in owner
    owner_all = _plan(
        store, lambda: store.list_reminders_for_owner("slack", "U3", active_only=False)
    )
    assert "ix_reminders_owner" in owner_all
    target = _plan(store, lambda: store.list_reminders_for_target("slack", "C1"))
    assert "ix_reminders_target" in target
    due = _plan(store, lambda: store.active_reminders_due_before(T0, 10))
    assert "ix_reminders_due" in due
