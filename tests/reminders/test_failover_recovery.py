"""After a crash mid-send, the new leader checks the send cut short only once the platform has
had time to show it (``probe_settle``); reminders due meanwhile must not wait for that check
(issue 18: failover p99 was over 2 s because every start waited out the settle time first)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from functools import partial

from scheduler.delivery.dispatcher import Dispatcher, DispatchPolicy
from scheduler.delivery.messages import Outgoing
from scheduler.reminders.jobs import DEFAULT_GRACE, ReminderEngine, occurrences
from scheduler.store.database import open_store
from scheduler.timing.recurrence import Recurrence
from tests.reminders.conftest import RecordingNotifier
from tests.reminders.test_engine import draft


class UnsureNotifier(RecordingNotifier):
    """A platform that cannot tell whether a send cut short landed; counts the questions."""

    def __init__(self) -> None:
        super().__init__()
        self.probed: list[int | None] = []

    async def landed(self, message: Outgoing, since: datetime) -> bool | None:
        self.probed.append(message.reminder_id)
        return None


class HeldClock:
    """Stands in for ``asyncio.sleep`` in recovery: the settle time passes when the test says."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.passed = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        await self.passed.wait()


async def test_a_reminder_due_after_a_crash_mid_send_does_not_wait_for_the_check(db_url) -> None:
    store = open_store(db_url)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    cut_at = now - timedelta(minutes=1)
    # A daily reminder the dead leader claimed (and so moved to tomorrow) and was sending.
    daily = Recurrence.daily(cut_at.hour, cut_at.minute, "UTC").to_json()
    cut = store.add_reminder(draft(cut_at, text="weekly review", recurrence=daily))
    claimed, _ = store.claim_due(
        now, partial(occurrences, now=now), limit=10, missed_before=now - DEFAULT_GRACE
    )
    assert [c.reminder.id for c in claimed] == [cut.id]
    assert store.apply_ledger([(cut.id, cut_at, 1)], []) == {(cut.id, cut_at)}
    # Due while the leader was being replaced.
    due = store.add_reminder(draft(now - timedelta(seconds=1), text="call the parent"))

    notifier = UnsureNotifier()
    dispatcher = Dispatcher({"console": notifier}, ledger=store, policy=DispatchPolicy(pace=0))
    engine = ReminderEngine(store, dispatcher)
    engine.probe_settle = 600.0  # far longer than the test would ever wait
    clock = HeldClock()
    engine.sleep = clock.sleep
    try:
        starting = asyncio.create_task(engine.start())
        (first,) = await notifier.wait_for(1, timeout=10)
        await asyncio.wait_for(starting, 10)
        # Delivered while recovery still waits out the settle time, before any probe.
        assert first.reminder_id == due.id and "call the parent" in first.text
        assert len(clock.asked) == 1 and clock.asked[0] > 500
        assert notifier.probed == []
        assert store.get_delivery(cut.id, cut_at).status == "sending"

        clock.passed.set()
        await asyncio.wait_for(engine.recovered(), 10)
        await dispatcher.join()
        # The cut-short occurrence is checked once, reported once, and never sent again.
        assert notifier.probed == [cut.id]
        assert store.get_delivery(cut.id, cut_at).status == "uncertain"
        notices = [m for m in notifier.sent if m.reminder_id is None]
        assert len(notices) == 1 and "may not have gone out" in notices[0].text
        assert notices[0].target_id == "U1"
        assert [m.reminder_id for m in notifier.sent if m.reminder_id is not None] == [due.id]
        assert store.get_delivery(due.id, due.next_fire_at).status == "sent"
        assert store.get_reminder(cut.id).next_fire_at == cut_at + timedelta(days=1)
    finally:
        await engine.shutdown()
        store.close()


async def test_a_send_another_replica_settled_meanwhile_gets_no_second_notice(db_url) -> None:
    """Two recoveries of the same cut-short send (a deposed leader's and its successor's):
    only the one that moves the row from "sending" tells the owner it may not have gone out."""
    store = open_store(db_url)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    cut_at = now - timedelta(minutes=1)
    cut = store.add_reminder(draft(cut_at, text="weekly review"))
    store.claim_due(now, partial(occurrences, now=now), limit=10, missed_before=now - DEFAULT_GRACE)
    assert store.apply_ledger([(cut.id, cut_at, 1)], []) == {(cut.id, cut_at)}

    notifier = UnsureNotifier()
    dispatcher = Dispatcher({"console": notifier}, ledger=store, policy=DispatchPolicy(pace=0))
    engine = ReminderEngine(store, dispatcher)
    engine.probe_settle = 600.0
    clock = HeldClock()
    engine.sleep = clock.sleep
    try:
        await asyncio.wait_for(engine.start(), 10)
        assert store.get_delivery(cut.id, cut_at).status == "sending"
        # The other replica's recovery settles the row (and tells the owner) first.
        assert store.mark_delivery(cut.id, cut_at, "uncertain", expect="sending")
        clock.passed.set()
        await asyncio.wait_for(engine.recovered(), 10)
        await dispatcher.join()
        assert notifier.probed == [cut.id]
        assert store.get_delivery(cut.id, cut_at).status == "uncertain"
        assert [m for m in notifier.sent if m.reminder_id is None] == []  # no second notice
        assert not store.mark_delivery(cut.id, cut_at, "sent", expect="sending")
        assert store.get_delivery(cut.id, cut_at).status == "uncertain"  # nothing changed
    finally:
        await engine.shutdown()
        store.close()
