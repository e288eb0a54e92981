"""The store as the queue: chunked claims, repeats advanced in the claim, batched ledger
writes, and a standby that can never take a row another scheduler holds."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import event

from scheduler.delivery.dispatcher import Dispatcher, DispatchPolicy
from scheduler.reminders.jobs import ReminderEngine, occurrences
from scheduler.store.database import open_store
from scheduler.store.errors import FencedOut
from scheduler.store.records import LedgerMark, ReminderDraft
from scheduler.timing.recurrence import Recurrence
from tests.store.pg_helpers import postgres_schema

T0 = datetime(2026, 3, 6, 14, 0, tzinfo=UTC)  # a Friday, before the March DST change


def draft(when: datetime, target: str = "C1", **extra) -> ReminderDraft:
    fields = dict(
        platform="console",
        workspace_id="local",
        owner_id="U1",
        target_kind="channel",
        target_id=target,
        text=f"note for {target}",
        lang="en",
        timezone="America/Chicago",
        next_fire_at=when,
    )
    fields.update(extra)
    return ReminderDraft(**fields)


def claim(store, now, *, limit=500, grace=timedelta(hours=24), epoch=None):
    return store.claim_due(
        now, partial(occurrences, now=now), limit=limit, missed_before=now - grace, epoch=epoch
    )


def test_a_chunk_claims_advances_and_records_in_one_go(db_url) -> None:
    store = open_store(db_url)
    try:
        rule = Recurrence.daily(8, 0, "America/Chicago")
        one_off = store.add_reminder(draft(T0))
        daily = store.add_reminder(
            draft(datetime(2026, 3, 6, 14, 0, tzinfo=UTC), recurrence=rule.to_json())
        )
        later = store.add_reminder(draft(T0 + timedelta(hours=1)))
        # Three days later (across the March change): the daily one has three more due.
        now = datetime(2026, 3, 9, 13, 30, tzinfo=UTC)
        claimed, taken = claim(store, now, grace=timedelta(days=30))
        assert taken == 3
        got = sorted((c.reminder.id, c.fire_at) for c in claimed)
        assert (one_off.id, T0) in got and (later.id, later.next_fire_at) in got
        daily_fires = [f for rid, f in got if rid == daily.id]
        local = [f.astimezone(rule.zone).strftime("%a %H:%M") for f in daily_fires]
        assert local == ["Fri 08:00", "Sat 08:00", "Sun 08:00", "Mon 08:00"]
        # DST began on Sunday 8 March: 08:00 is 14:00 UTC before and 13:00 UTC after.
        assert daily_fires[-1] == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
        assert store.get_reminder(one_off.id).status == "done"
        nxt = store.get_reminder(daily.id)
        assert nxt.status == "active" and nxt.next_fire_at == datetime(
            2026, 3, 10, 13, 0, tzinfo=UTC
        )
        assert {store.get_delivery(rid, f).status for rid, f in got} == {"claimed"}
        # Nothing is due any more: a second wake-up claims nothing and sends nothing.
        assert claim(store, now) == ([], 0)
        assert store.next_due() == nxt.next_fire_at
    finally:
        store.close()


def test_older_than_the_grace_window_goes_in_as_missed(db_url) -> None:
    store = open_store(db_url)
    try:
        rec = store.add_reminder(draft(T0))
        claimed, _ = claim(store, T0 + timedelta(days=3))
        assert [(c.reminder.id, c.missed) for c in claimed] == [(rec.id, True)]
        row = store.get_delivery(rec.id, T0)
        assert row.status == "missed" and row.late
    finally:
        store.close()


def test_claims_come_in_chunks_and_a_claimed_time_is_never_claimed_again(db_url) -> None:
    store = open_store(db_url)
    try:
        recs = store.add_reminders([draft(T0, f"C{i}") for i in range(25)])
        # A crash after a claim: the row is in the ledger but the reminder was not advanced.
        store.claim_delivery(recs[0].id, T0)
        first, taken = claim(store, T0, limit=10)
        assert taken == 10
        rest, taken_rest = claim(store, T0, limit=100)
        assert taken_rest == 15
        ids = [c.reminder.id for c in first + rest]
        assert sorted(ids) == sorted(r.id for r in recs[1:])  # recs[0] was already claimed
        assert store.get_reminder(recs[0].id).status == "done"  # advanced all the same
    finally:
        store.close()


def test_ledger_batches_move_rows_and_refuse_a_deposed_term(db_url) -> None:
    store = open_store(db_url)
    try:
        a, b = store.add_reminders([draft(T0, "C1"), draft(T0, "C2")])
        claim(store, T0)
        store.mark_delivery(b.id, T0, "sent")
        ours = store.apply_ledger([(a.id, T0, 1), (b.id, T0, 1)], [])
        assert ours == {(a.id, T0)}  # b was already settled: not ours to send again
        store.apply_ledger([], [LedgerMark(a.id, T0, "sent", late=False, attempts=1)])
        assert store.get_delivery(a.id, T0).status == "sent"
        assert store.get_delivery(a.id, T0).sent_at is not None
        with pytest.raises(ValueError):
            store.apply_ledger([], [LedgerMark(a.id, T0, "failed", error="no spaces allowed")])
    finally:
        store.close()


def test_one_batch_moves_each_row_by_its_own_fire_time_status_and_attempts(db_url) -> None:
    """The batch is written as one statement per (fire time, attempts) and per kind of move:
    rows that share a reminder id but not a fire time, or a fire time but not an id, must not
    be swept along."""
    store = open_store(db_url)
    try:
        t1 = T0 + timedelta(minutes=5)
        a, b, c = store.add_reminders([draft(T0, "C1"), draft(T0, "C2"), draft(T0, "C3")])
        claim(store, T0)
        for rec in (a, b, c):  # a second occurrence of each, claimed by an earlier run
            store.claim_delivery(rec.id, t1)
        ours = store.apply_ledger([(a.id, T0, 1), (b.id, T0, 2), (a.id, t1, 3)], [])
        assert ours == {(a.id, T0), (b.id, T0), (a.id, t1)}
        got = {
            (rid, at): (row.status, row.attempts)
            for rid, at in [(a.id, T0), (b.id, T0), (c.id, T0), (a.id, t1), (b.id, t1)]
            if (row := store.get_delivery(rid, at)) is not None
        }
        assert got == {
            (a.id, T0): ("sending", 1),
            (b.id, T0): ("sending", 2),
            (c.id, T0): ("claimed", 0),
            (a.id, t1): ("sending", 3),
            (b.id, t1): ("claimed", 0),
        }
        store.apply_ledger(
            [(c.id, T0, 1)],
            [
                LedgerMark(a.id, T0, "sent", late=False, attempts=1),
                LedgerMark(b.id, T0, "failed", error="http_404", attempts=2),
                LedgerMark(a.id, t1, "uncertain", error="KeyError", attempts=3),
            ],
        )
        sent, failed = store.get_delivery(a.id, T0), store.get_delivery(b.id, T0)
        assert (sent.status, sent.late, sent.sent_at is not None) == ("sent", False, True)
        assert (failed.status, failed.last_error, failed.sent_at) == ("failed", "http_404", None)
        assert store.get_delivery(a.id, t1).status == "uncertain"
        assert store.get_delivery(c.id, T0).status == "sending"
        assert store.get_delivery(b.id, t1).status == "claimed"  # same id, other time
        assert store.get_delivery(c.id, t1).status == "claimed"
        # Settled rows are no longer anyone's to send, whatever the batch asks.
        assert store.apply_ledger([(a.id, T0, 4), (b.id, T0, 4), (c.id, t1, 1)], []) == {(c.id, t1)}
    finally:
        store.close()


@pytest.fixture
def pg_url():
    with postgres_schema("iepbot_queue") as url:
        yield url


def test_a_deposed_leader_cannot_claim(pg_url) -> None:
    store = open_store(pg_url)
    try:
        rec = store.add_reminder(draft(T0))
        old = store.start_term("a")
        store.start_term("b")
        with pytest.raises(FencedOut):
            claim(store, T0, epoch=old)
        with pytest.raises(FencedOut):
            store.apply_ledger([(rec.id, T0, 1)], [], epoch=old)
        assert store.get_reminder(rec.id).status == "active"  # untouched
        assert store.get_delivery(rec.id, T0) is None
    finally:
        store.close()


def test_two_schedulers_claiming_at_once_never_take_the_same_row(pg_url) -> None:
    """SKIP LOCKED: each claims rows the other does not hold; together they take all."""
    store = open_store(pg_url)
    try:
        recs = store.add_reminders([draft(T0, f"C{i}") for i in range(2000)])
        results: list[list[tuple[int, datetime]]] = [[], []]
        barrier = threading.Barrier(2)

        def worker(n: int) -> None:
            barrier.wait()
            while True:
                claimed, taken = claim(store, T0, limit=100)
                results[n] += [(c.reminder.id, c.fire_at) for c in claimed]
                if not taken:
                    return

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        a, b = set(results[0]), set(results[1])
        assert not a & b
        assert len(results[0]) + len(results[1]) == len(recs) == len(a | b)
    finally:
        store.close()


class Accepting:
    platform = "console"

    def __init__(self) -> None:
        self.targets: list[str] = []

    async def deliver(self, message) -> None:
        self.targets.append(message.target_id)


async def test_a_burst_bigger_than_a_chunk_goes_out_once_each_in_few_transactions(db_url):
    store = open_store(db_url)
    notifier = Accepting()
    dispatcher = Dispatcher({"console": notifier}, ledger=store, policy=DispatchPolicy(pace=0))
    engine = ReminderEngine(store, dispatcher)
    engine.claim_chunk = 200
    count = 1200
    begun = [0]

    def counted(_conn) -> None:
        begun[0] += 1

    try:
        await engine.start()
        due = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
        recs = store.add_reminders([draft(due, f"C{i}") for i in range(count)])
        event.listen(store.engine, "begin", counted)
        engine.arm_many(recs)
        while len(notifier.targets) < count:
            await asyncio.sleep(0.05)  # polling the fake platform, not moving time
        await dispatcher.join()
        event.remove(store.engine, "begin", counted)
        assert sorted(notifier.targets) == sorted(f"C{i}" for i in range(count))
        assert {store.get_delivery(r.id, due).status for r in recs} == {"sent"}
        # Six or more per reminder before; now claims and ledger writes are shared.
        assert begun[0] / count <= 0.1, begun[0]
    finally:
        await engine.shutdown()
        store.close()
