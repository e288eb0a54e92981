"""The reminder engine on a real store: fires once, catches up after downtime, recovers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduler.delivery.dispatcher import Dispatcher, DispatchPolicy
from scheduler.reminders.jobs import ReminderEngine
from scheduler.store.database import open_store
from scheduler.store.records import ReminderDraft
from scheduler.timing.recurrence import Recurrence


def draft(when: datetime, text: str = "bring the draft", **extra) -> ReminderDraft:
    fields = dict(
        platform="console",
        workspace_id="local",
        owner_id="U1",
        target_kind="channel",
        target_id="sped-team",
        text=text,
        lang="en",
        timezone="America/Chicago",
        next_fire_at=when.replace(microsecond=0),
    )
    fields.update(extra)
    return ReminderDraft(**fields)


async def started(url: str, notifier, grace=timedelta(hours=24)) -> ReminderEngine:
    store = open_store(url)
    dispatcher = Dispatcher({"console": notifier}, ledger=store, policy=DispatchPolicy(pace=0))
    engine = ReminderEngine(store, dispatcher, grace=grace)
    await engine.start()
    return engine


async def stopped(engine: ReminderEngine) -> None:
    await engine.dispatcher.join()
    await engine.shutdown()
    engine.store.close()


def now() -> datetime:
    return datetime.now(UTC)


async def test_a_due_reminder_fires_once_and_is_done(db_url, notifier) -> None:
    store = open_store(db_url)
    rec = store.add_reminder(draft(now() + timedelta(seconds=1)))
    store.close()
    engine = await started(db_url, notifier)
    try:
        (sent,) = await notifier.wait_for(1)
        assert "bring the draft" in sent.text and sent.late_by is None
        assert sent.target_id == "sped-team"
        await engine.dispatcher.join()
        # Firing the same time again (a duplicate job after a crash) sends nothing.
        await engine.fire(rec.id, rec.next_fire_at)
        await engine.dispatcher.join()
        assert len(notifier.sent) == 1
        row = engine.store.get_delivery(rec.id, rec.next_fire_at)
        assert row.status == "sent" and not row.late
        assert engine.store.get_reminder(rec.id).status == "done"
    finally:
        await stopped(engine)


async def test_missed_while_down_is_delivered_late_and_marked(db_url, notifier) -> None:
    store = open_store(db_url)
    due = now() - timedelta(hours=2)
    rec = store.add_reminder(draft(due))
    store.close()
    engine = await started(db_url, notifier)
    try:
        (sent,) = await notifier.wait_for(1)
        assert sent.late_by is not None and sent.late_by >= timedelta(hours=2)
        assert "late by 2 h" in sent.text and "offline" in sent.text
        await engine.dispatcher.join()
        assert engine.store.get_delivery(rec.id, rec.next_fire_at).late is True
    finally:
        await stopped(engine)


async def test_too_old_is_reported_to_the_owner_not_posted(db_url, notifier) -> None:
    store = open_store(db_url)
    rec = store.add_reminder(draft(now() - timedelta(days=3)))
    store.close()
    engine = await started(db_url, notifier)
    try:
        (notice,) = await notifier.wait_for(1)
        assert notice.target_kind == "user" and notice.target_id == "U1"
        assert "missed" in notice.text and "bring the draft" in notice.text
        await engine.dispatcher.join()
        assert engine.store.get_delivery(rec.id, rec.next_fire_at).status == "missed"
    finally:
        await stopped(engine)


async def test_recurring_advances_and_arms_the_next_job(db_url, notifier) -> None:
    store = open_store(db_url)
    rule = Recurrence.daily(8, 0, "America/Chicago")
    first = now() + timedelta(seconds=1)
    rec = store.add_reminder(draft(first, recurrence=rule.to_json()))
    store.close()
    engine = await started(db_url, notifier)
    try:
        await notifier.wait_for(1)
        await engine.dispatcher.join()
        updated = engine.store.get_reminder(rec.id)
        assert updated.status == "active" and updated.next_fire_at > first
        local = updated.next_fire_at.astimezone(rule.zone)
        assert (local.hour, local.minute) == (8, 0)
        jobs = {job.id for job in engine.scheduler.get_jobs()}
        assert f"reminder-{rec.id}-{int(updated.next_fire_at.timestamp())}" in jobs
    finally:
        await stopped(engine)


async def test_restart_recovers_claimed_and_reports_uncertain(db_url, notifier) -> None:
    store = open_store(db_url)
    a = store.add_reminder(draft(now() - timedelta(minutes=5), text="claimed one"))
    b = store.add_reminder(draft(now() - timedelta(minutes=5), text="in flight one"))
    for r in (a, b):
        store.set_next_fire(r.id, None, status="done")
        assert store.claim_delivery(r.id, r.next_fire_at)
    store.mark_delivery(b.id, b.next_fire_at, "sending")
    store.close()
    engine = await started(db_url, notifier)
    try:
        sent = await notifier.wait_for(2)
        await engine.dispatcher.join()
        texts = sorted(m.text for m in sent)
        assert any("claimed one" in t and "late" in t for t in texts)
        uncertain = [m for m in sent if "may not have gone out" in m.text]
        assert len(uncertain) == 1 and uncertain[0].target_id == "U1"
        assert engine.store.get_delivery(a.id, a.next_fire_at).status == "sent"
        assert engine.store.get_delivery(b.id, b.next_fire_at).status == "uncertain"
    finally:
        await stopped(engine)


async def test_jobs_survive_a_restart_in_the_job_store(db_url, notifier) -> None:
    engine = await started(db_url, notifier)
    rec = engine.store.add_reminder(draft(now() + timedelta(seconds=2)))
    engine.schedule(rec)
    await stopped(engine)
    engine = await started(db_url, notifier)
    try:
        assert engine.reconcile() == 0  # the job was already in the database
        (sent,) = await notifier.wait_for(1)
        assert "bring the draft" in sent.text
    finally:
        await stopped(engine)
    assert len(notifier.sent) == 1
