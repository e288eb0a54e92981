"""The delivery ledger: one claim per (reminder, fire time), even under races."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.store import Store, open_store
from tests.store.helpers import draft

FIRE = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


def test_claim_twice(store: Store) -> None:
    rec = store.add_reminder(draft())
    assert store.claim_delivery(rec.id, FIRE) is True
    assert store.claim_delivery(rec.id, FIRE) is False
    # Same instant written in another zone is the same fire.
    assert store.claim_delivery(rec.id, FIRE.astimezone(ZoneInfo("Asia/Kolkata"))) is False
    assert store.claim_delivery(rec.id, FIRE + timedelta(days=7)) is True
    row = store.get_delivery(rec.id, FIRE)
    assert row is not None
    assert (row.status, row.attempts, row.late, row.sent_at) == ("claimed", 0, False, None)
    assert row.fire_at == FIRE and row.fire_at.tzinfo is UTC
    assert row.claimed_at.tzinfo is UTC


def test_claim_for_deleted_reminder_is_refused(store: Store) -> None:
    assert store.claim_delivery(987_654, FIRE) is False


def test_mark_and_unfinished(store: Store) -> None:
    a = store.add_reminder(draft())
    b = store.add_reminder(draft())
    c = store.add_reminder(draft())
    for r in (a, b, c):
        store.claim_delivery(r.id, FIRE)
    assert store.mark_delivery(a.id, FIRE, "sending", attempts=1)
    assert store.mark_delivery(b.id, FIRE, "sent", attempts=2, late=True, error="http_429")
    assert store.mark_delivery(c.id, FIRE + timedelta(hours=1), "sent") is False  # no such row

    sent = store.get_delivery(b.id, FIRE)
    assert sent is not None
    assert (sent.status, sent.attempts, sent.late, sent.last_error) == ("sent", 2, True, "http_429")
    assert sent.sent_at is not None and sent.sent_at.tzinfo is UTC

    unfinished = store.unfinished_deliveries()
    assert {(d.reminder_id, d.status) for d in unfinished} == {(a.id, "sending"), (c.id, "claimed")}

    with pytest.raises(ValueError):
        store.mark_delivery(a.id, FIRE, "lost")
    with pytest.raises(ValueError):
        store.mark_delivery(a.id, FIRE, "failed", error="Cannot send 'bring the draft' to U1")


def test_record_delivery_insert_or_ignore(store: Store) -> None:
    rec = store.add_reminder(draft())
    assert store.record_delivery(rec.id, FIRE, "missed", True) is True
    assert store.record_delivery(rec.id, FIRE, "missed", True) is False
    assert store.claim_delivery(rec.id, FIRE) is False
    row = store.get_delivery(rec.id, FIRE)
    assert row is not None and (row.status, row.late) == ("missed", True)
    assert store.unfinished_deliveries() == []


def _race(claimers: list[Store], reminder_id: int, fire_at: datetime) -> list[bool]:
    barrier = threading.Barrier(len(claimers))
    results: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(st: Store) -> None:
        barrier.wait()
        try:
            won = st.claim_delivery(reminder_id, fire_at)
        except BaseException as exc:  # pragma: no cover - surfaced by the assert below
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(won)

    threads = [threading.Thread(target=run, args=(st,)) for st in claimers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def test_claim_race_in_threads(store: Store) -> None:
    rec = store.add_reminder(draft())
    for minute in range(10):
        results = _race([store] * 4, rec.id, FIRE + timedelta(minutes=minute))
        assert sorted(results) == [False, False, False, True]


def test_claim_race_between_two_stores(store: Store, store_url: str) -> None:
    """Two stores on one database stand in for two bot processes."""
    other = open_store(store_url)
    try:
        rec = store.add_reminder(draft())
        for minute in range(5):
            results = _race([store, other], rec.id, FIRE + timedelta(minutes=minute))
            assert sorted(results) == [False, True]
    finally:
        other.close()
