"""Leader election, fencing and the recovery of sends cut short, in one process."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from scheduler.delivery.dispatcher import Dispatcher, DispatchPolicy
from scheduler.delivery.messages import Outgoing
from scheduler.leadership import LEADER, STANDBY, PgLeadership, SoleLeader, leadership_for
from scheduler.reminders.jobs import ReminderEngine
from scheduler.store.database import open_store
from scheduler.store.errors import FencedOut
from scheduler.store.records import ReminderDraft
from tests.store.pg_helpers import postgres_schema


@pytest.fixture
def pg_store():
    with postgres_schema("iepbot_lead") as url:
        store = open_store(url)
        try:
            yield store
        finally:
            store.close()


def draft(when: datetime, text_: str = "check the file") -> ReminderDraft:
    return ReminderDraft(
        platform="console",
        workspace_id=None,
        owner_id="U1",
        target_kind="channel",
        target_id="C1",
        text=text_,
        lang="en",
        timezone="UTC",
        next_fire_at=when,
    )


class Events:
    def __init__(self) -> None:
        self.log: list[tuple[str, int | None]] = []

    async def elected(self, epoch: int | None) -> None:
        self.log.append(("elected", epoch))

    async def deposed(self) -> None:
        self.log.append(("deposed", None))


async def wait_attempts(lead: PgLeadership, more: int, timeout: float = 10) -> None:
    target = lead.attempts + more

    async def until() -> None:
        while lead.attempts < target:
            await asyncio.sleep(0.02)  # polling a counter, not moving time

    await asyncio.wait_for(until(), timeout)


async def test_one_leader_and_failover_when_its_session_dies(pg_store):
    a_events, b_events = Events(), Events()
    a = PgLeadership(pg_store, a_events.elected, a_events.deposed, interval=0.1)
    b = PgLeadership(pg_store, b_events.elected, b_events.deposed, interval=0.1)
    await a.start()
    try:
        await a.wait_role(LEADER, 10)
        await b.start()
        await wait_attempts(b, 3)
        assert b.role == STANDBY and b_events.log == []
        # The leader's database session ends (as when its process dies): b takes over.
        with pg_store.engine.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": a._conn.info.backend_pid}
            )
        await b.wait_role(LEADER, 10)
        await a.wait_role(STANDBY, 10)
        assert b.epoch == a_events.log[0][1] + 1
        assert ("deposed", None) in a_events.log
        await wait_attempts(a, 3)
        assert a.role == STANDBY  # it reconnected, and stands by
    finally:
        await b.stop()
        await a.stop()


async def test_stop_releases_leadership_at_once_after_the_handover(pg_store):
    a_events, b_events = Events(), Events()
    a = PgLeadership(pg_store, a_events.elected, a_events.deposed, interval=0.1)
    b = PgLeadership(pg_store, b_events.elected, b_events.deposed, interval=0.1)
    await a.start()
    await a.wait_role(LEADER, 10)
    await b.start()
    handed: list[str] = []

    async def handover() -> None:
        handed.append("done")

    try:
        await a.stop(handover=handover)
        assert handed == ["done"]
        await b.wait_role(LEADER, 5)
    finally:
        await b.stop()


async def test_a_deposed_leader_can_neither_claim_nor_send(pg_store):
    reminder = pg_store.add_reminder(draft(datetime.now(UTC) + timedelta(hours=1)))
    fire = reminder.next_fire_at
    old = pg_store.start_term("a")
    assert pg_store.claim_delivery(reminder.id, fire, epoch=old)
    new = pg_store.start_term("b")
    with pytest.raises(FencedOut):
        pg_store.begin_send(reminder.id, fire, attempts=1, epoch=old)
    with pytest.raises(FencedOut):
        pg_store.claim_delivery(reminder.id, fire + timedelta(days=1), epoch=old)
    assert pg_store.begin_send(reminder.id, fire, attempts=1, epoch=new)
    pg_store.mark_delivery(reminder.id, fire, "sent")
    # A row already settled is nobody's to send again, whatever the term.
    assert not pg_store.begin_send(reminder.id, fire, attempts=2, epoch=new)


async def test_sqlite_has_a_sole_leader(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'one.sqlite3'}")
    try:
        events = Events()
        lead = leadership_for(store, events.elected, events.deposed)
        assert isinstance(lead, SoleLeader)
        await lead.start()
        assert lead.role == LEADER and events.log == [("elected", None)]
        await lead.stop()
    finally:
        store.close()


class ProbingNotifier:
    """Answers ``landed`` from a table; records what it sends."""

    platform = "console"

    def __init__(self, verdicts: dict[str, bool | None]) -> None:
        self.verdicts = verdicts
        self.sent: list[Outgoing] = []

    async def deliver(self, message: Outgoing) -> None:
        self.sent.append(message)

    async def landed(self, message: Outgoing, since: datetime) -> bool | None:
        return next(v for word, v in self.verdicts.items() if word in message.text)


async def test_recovery_asks_the_platform_about_sends_cut_short(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'probe.sqlite3'}")
    notifier = ProbingNotifier({"landed": True, "lost": False, "unknown": None})
    dispatcher = Dispatcher({"console": notifier}, ledger=store, policy=DispatchPolicy(pace=0))
    engine = ReminderEngine(store, dispatcher)
    engine.probe_settle = 0
    when = datetime.now(UTC) - timedelta(seconds=5)
    rows = {}
    for word in ("landed", "lost", "unknown"):
        r = store.add_reminder(draft(when, word))
        store.claim_delivery(r.id, when)
        store.mark_delivery(r.id, when, "sending", attempts=1)
        store.set_next_fire(r.id, None, status="done")
        rows[word] = r.id
    try:
        await engine.start()
        await engine.recovered()
        await dispatcher.join()
        status = {w: store.get_delivery(i, when).status for w, i in rows.items()}
        assert status == {"landed": "sent", "lost": "sent", "unknown": "uncertain"}
        reminder_texts = [m.text for m in notifier.sent if m.reminder_id is not None]
        assert len(reminder_texts) == 1 and "lost" in reminder_texts[0]
        # Only the row the platform could not vouch for is reported to its owner.
        assert [m.target_id for m in notifier.sent if m.reminder_id is None] == ["U1"]
    finally:
        await engine.shutdown()
        store.close()


async def test_hand_back_finishes_calls_under_way_and_returns_the_queue():
    release = asyncio.Event()
    started = asyncio.Event()

    class Slow:
        platform = "console"

        def __init__(self) -> None:
            self.sent: list[str] = []

        async def deliver(self, message: Outgoing) -> None:
            started.set()
            await release.wait()
            self.sent.append(message.text)

    slow = Slow()
    dispatcher = Dispatcher({"console": slow}, policy=DispatchPolicy(pace=0))
    for i in range(3):
        dispatcher.submit(Outgoing("console", "channel", "C1", f"m{i}"))
    await asyncio.wait_for(started.wait(), 5)
    task = asyncio.create_task(dispatcher.hand_back(timeout=5))
    await asyncio.sleep(0)
    release.set()
    await asyncio.wait_for(task, 5)
    assert slow.sent == ["m0"]  # the call under way finished; m1 and m2 were handed back
    assert not dispatcher.accepting


async def test_a_standby_told_to_stop_never_leads_even_if_its_cancel_is_swallowed(pg_store):
    """asyncio.wait_for in Python 3.11 can swallow a cancel that lands as the query it waits
    for completes; the loop must still end, without taking the lock the leader just gave up."""
    a_events, b_events = Events(), Events()
    a = PgLeadership(pg_store, a_events.elected, a_events.deposed, interval=0.1)
    b = PgLeadership(pg_store, b_events.elected, b_events.deposed, interval=0.1)
    await a.start()
    await a.wait_role(LEADER, 10)
    try_lock = b._try_lock
    in_flight, swallowed = asyncio.Event(), asyncio.Event()

    async def lock_attempt_that_swallows_the_cancel() -> bool:
        in_flight.set()
        try:
            await asyncio.Event().wait()  # the lock query, in flight when stop() arrives
        except asyncio.CancelledError:
            swallowed.set()
        await a.stop()  # the leader steps down at that moment: the lock is free...
        return await try_lock()  # ...and this attempt wins it

    b._try_lock = lock_attempt_that_swallows_the_cancel  # type: ignore[method-assign]
    await b.start()
    await asyncio.wait_for(in_flight.wait(), 10)
    await asyncio.wait_for(b.stop(), 10)
    assert swallowed.is_set()
    assert b.role == STANDBY and b_events.log == []


async def test_a_leader_that_steps_aside_lets_a_standby_lead_and_sits_out(pg_store):
    # issue 15: a leader whose Discord connection cannot recover within a minute hands over.
    a_events, b_events = Events(), Events()
    a = PgLeadership(pg_store, a_events.elected, a_events.deposed, interval=0.1)
    b = PgLeadership(pg_store, b_events.elected, b_events.deposed, interval=0.1)
    handed: list[str] = []

    async def handover() -> None:
        handed.append("handover")

    await a.start()
    try:
        await a.wait_role(LEADER, 10)
        await b.start()
        await wait_attempts(b, 3)
        assert b.role == STANDBY
        await a.step_aside(handover, pause=30)
        assert handed == ["handover"] and a.role == STANDBY
        await b.wait_role(LEADER, 10)
        await wait_attempts(a, 5)
        assert a.role == STANDBY  # sitting out, and b holds the lock anyway
        assert [kind for kind, _ in b_events.log] == ["elected"]
    finally:
        await a.stop()
        await b.stop()


async def test_a_standby_tries_for_the_lock_more_often_than_the_leader_pings(pg_store):
    """Most of a failover is the wait for a standby's next try: standbys try five times as
    often as the leader checks its session, and the first try after the leader's session
    ends wins."""
    a_events, b_events = Events(), Events()
    a = PgLeadership(pg_store, a_events.elected, a_events.deposed, interval=1.0)
    b = PgLeadership(pg_store, b_events.elected, b_events.deposed, interval=1.0)
    assert b.standby_interval == 0.2
    await a.start()
    try:
        await a.wait_role(LEADER, 10)
        await b.start()
        await wait_attempts(b, 1)
        pings = a.attempts
        await wait_attempts(b, 6)
        assert a.attempts - pings <= 3  # six tries by the standby, a ping or two by the leader
        with pg_store.engine.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": a._conn.info.backend_pid}
            )
        tries = b.attempts
        await b.wait_role(LEADER, 10)
        assert b.attempts - tries <= 2  # the next try (or the one under way) took the lock
    finally:
        await b.stop()
        await a.stop()
