"""Actions on a delivered reminder in the ledger (migration 0003): applied once per delivery
and action, only on the latest delivery, together with the reminder's change."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from scheduler.store import Store
from scheduler.store.ledger import ACTED, ALREADY, NO_DELIVERY, STALE
from tests.store.helpers import draft

FIRE = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
LATER = FIRE + timedelta(minutes=20)


def test_an_action_is_recorded_once_with_the_reminders_change(store: Store) -> None:
    rec = store.add_reminder(draft(when=FIRE))
    assert store.act_on_delivery(rec.id, FIRE, "done", next_fire_at=None, status="done") == (
        NO_DELIVERY,
        None,
    )
    store.claim_delivery(rec.id, FIRE)
    store.mark_delivery(rec.id, FIRE, "sent")
    store.set_next_fire(rec.id, None, status="done")
    first = store.act_on_delivery(rec.id, FIRE, "snooze", next_fire_at=LATER, status="active")
    assert first == (ACTED, "snooze")
    again = store.act_on_delivery(
        rec.id, FIRE, "snooze", next_fire_at=LATER + timedelta(hours=1), status="active"
    )
    assert again == (ALREADY, "snooze")
    got = store.get_reminder(rec.id)
    assert got is not None and (got.status, got.next_fire_at) == ("active", LATER)
    row = store.latest_delivery(rec.id)
    assert row is not None and row.action == "snooze" and row.acted_at is not None
    # Another button on the same message still works.
    assert store.act_on_delivery(rec.id, FIRE, "stop", next_fire_at=None, status="cancelled")[
        0
    ] == (ACTED)
    assert store.get_reminder(rec.id).status == "cancelled"  # type: ignore[union-attr]


def test_an_older_delivery_is_stale(store: Store) -> None:
    rec = store.add_reminder(draft(when=FIRE))
    store.claim_delivery(rec.id, FIRE)
    store.claim_delivery(rec.id, FIRE + timedelta(days=1))
    assert store.act_on_delivery(rec.id, FIRE, "done", next_fire_at=FIRE, status="active") == (
        STALE,
        None,
    )
    assert store.get_delivery(rec.id, FIRE).action is None  # type: ignore[union-attr]


def test_racing_presses_act_once(store: Store) -> None:
    rec = store.add_reminder(draft(when=FIRE))
    store.claim_delivery(rec.id, FIRE)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def press(n: int) -> None:
        start.wait()
        when = LATER + timedelta(minutes=n)
        outcomes.append(
            store.act_on_delivery(rec.id, FIRE, "snooze", next_fire_at=when, status="active")[0]
        )

    threads = [threading.Thread(target=press, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [ACTED] + [ALREADY] * 7
