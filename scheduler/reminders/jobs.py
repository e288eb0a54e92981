"""APScheduler wiring: each active reminder is one persistent job that fires it exactly once.

The reminders table is the truth; APScheduler's job store (in the same database) is the timer.
Each job is a one-off DateTrigger for the reminder's next fire time, with only ids and an ISO
time as arguments (APScheduler pickles them). When it fires, the ledger row (reminder, fire time)
is claimed first: a second firing of the same time, after a crash or a restart, finds the claim
and sends nothing. Recurring reminders compute their next wall-clock occurrence and arm a new
job before the send, so a crash mid-send never loses the series.

``misfire_grace_time=None`` hands every late job to us, however late, and we decide: within the
grace window it is delivered, marked late; older, its owner is told it was missed. APScheduler's
own 1-second default would drop it silently.

Several replicas on one PostgreSQL: only the leader (see ``scheduler.leadership``) runs the
APScheduler instance; ``start(epoch)`` fences its ledger writes with its term, so a replica that
lost leadership cannot claim or send any more. Standbys still arm jobs (a Slack command may land
on any replica) by writing the job rows straight into the shared job store; the leader polls
the store every ``poll`` seconds to notice them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy import text

from scheduler.delivery.dispatcher import Dispatcher
from scheduler.delivery.messages import Outgoing, SendError
from scheduler.reminders.texts import failed_notice, missed_notice, reminder_text, uncertain_notice
from scheduler.store.errors import FencedOut
from scheduler.store.records import DeliveryRecord, ReminderRecord
from scheduler.store.store import Store
from scheduler.timing.recurrence import Recurrence, next_fire

log = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"
DEFAULT_GRACE = timedelta(hours=24)
LATE_AFTER = timedelta(seconds=60)
MAX_CATCH_UP = 500
ARM_CHUNK = 5000
POLL_SECONDS = 1.0
# Before asking a platform whether a send cut short by a crash landed, let a request the dead
# process had already written reach the platform and show up there.
PROBE_SETTLE_SECONDS = 2.0
PROBE_TIMEOUT_SECONDS = 15.0

_active: ReminderEngine | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def job_id(reminder_id: int, fire_at: datetime) -> str:
    """One id per (reminder, fire time): re-arming never collides with the job now running."""
    return f"reminder-{reminder_id}-{int(fire_at.timestamp())}"


async def fire_job(reminder_id: int, fire_at_iso: str) -> None:
    """The APScheduler job body. Module-level so the job store can pickle a reference to it."""
    engine = _active
    if engine is None:
        log.error("reminder job ran with no engine started")
        return
    await engine.fire(reminder_id, datetime.fromisoformat(fire_at_iso))


class ReminderEngine:
    """Owns the APScheduler instance for one process and turns firings into deliveries."""

    def __init__(
        self,
        store: Store,
        dispatcher: Dispatcher,
        *,
        grace: timedelta = DEFAULT_GRACE,
        late_after: timedelta = LATE_AFTER,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.dispatcher = dispatcher
        self.grace = grace
        self.late_after = late_after
        self.now = now
        self.scheduler: AsyncIOScheduler | None = None
        self._jobstore: SQLAlchemyJobStore | None = None
        self.epoch: int | None = None
        self.poll = POLL_SECONDS
        self.probe_settle = PROBE_SETTLE_SECONDS
        self._started_at = 0.0
        self._poller: asyncio.Task[None] | None = None
        # Jobs armed while this replica is not the leader go straight into the shared store;
        # APScheduler needs a scheduler object (for its timezone) to build a Job, not a running one.
        self._offline_store = SQLAlchemyJobStore(engine=store.engine, tablename=JOBSTORE_TABLE)
        self._offline_scheduler = AsyncIOScheduler(timezone=UTC)
        self._offline_ready = False
        dispatcher.on_failure = self._tell_owner_failed

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    async def start(self, epoch: int | None = None) -> None:
        """Start the timer, re-arm anything without a job, and finish interrupted sends.

        ``epoch`` is the leader term when several replicas share the database (None: this
        process is the only one)."""
        global _active
        if _active is not None and _active is not self:
            raise RuntimeError("another reminder engine is running in this process")
        _active = self
        self.epoch = epoch
        self._started_at = time.monotonic()
        self.dispatcher.reopen(epoch)
        self._jobstore = SQLAlchemyJobStore(engine=self.store.engine, tablename=JOBSTORE_TABLE)
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": self._jobstore},
            executors={"default": AsyncIOExecutor()},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=UTC,
        )
        # Paused until recovery is done: a job firing meanwhile would claim a ledger row that
        # recovery could then mistake for one a crash left behind, and send it twice.
        self.scheduler.start(paused=True)
        await self.recover()
        await asyncio.to_thread(self.reconcile)
        self.scheduler.resume()
        if epoch is not None:
            self._poller = asyncio.get_running_loop().create_task(self._poll_jobstore())

    async def _poll_jobstore(self) -> None:
        """APScheduler only re-reads its store when it wakes up; jobs that standbys armed
        would otherwise wait for the next wake-up the leader itself planned."""
        while self.scheduler is not None and self.scheduler.running:
            await asyncio.sleep(self.poll)
            if self.scheduler is not None and self.scheduler.running:
                self.scheduler.wakeup()

    def _stop_timer(self) -> None:
        global _active
        if self._poller is not None:
            self._poller.cancel()
            self._poller = None
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None
        self._jobstore = None
        if _active is self:
            _active = None

    async def shutdown(self) -> None:
        """Stop the timer and let queued messages finish (one process, or the console)."""
        self._stop_timer()
        await self.dispatcher.close()

    def abdicate(self) -> None:
        """Leadership lost: stop firing and sending at once, since another replica may lead
        now. Whatever was claimed or cut short is in the ledger for the new leader."""
        self._stop_timer()
        self.dispatcher.abort()

    async def step_down(self, timeout: float) -> None:
        """Graceful stop before releasing leadership: no new firings, sends under way finish
        (up to ``timeout`` s), queued ones are handed back as "claimed" rows."""
        self._stop_timer()
        await self.dispatcher.hand_back(timeout)

    # --- arming jobs -----------------------------------------------------------------------

    def _job_fields(self, reminder: ReminderRecord) -> dict[str, Any]:
        when = reminder.next_fire_at
        assert when is not None
        return {
            "id": job_id(reminder.id, when),
            "func": fire_job,
            "trigger": DateTrigger(run_date=when, timezone=UTC),
            "args": (reminder.id, when.isoformat()),
        }

    def schedule(self, reminder: ReminderRecord) -> None:
        """Arm the job for a reminder's next fire time. Safe from any thread."""
        if reminder.next_fire_at is None:
            return
        if self.scheduler is None:
            self._write_offline([reminder], replace=True)
            return
        self.scheduler.add_job(**self._job_fields(reminder), replace_existing=True)

    def _job_row(self, scheduler: AsyncIOScheduler, reminder: ReminderRecord) -> dict[str, Any]:
        """The row APScheduler's job store itself writes: its own Job, pickled its way."""
        job = Job(
            scheduler,
            **self._job_fields(reminder),
            kwargs={},
            name="fire_job",
            executor="default",
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
            next_run_time=reminder.next_fire_at,
        )
        return {
            "id": job.id,
            "next_run_time": datetime_to_utc_timestamp(job.next_run_time),
            "job_state": pickle.dumps(job.__getstate__(), self._offline_store.pickle_protocol),
        }

    def _write_offline(self, reminders: Iterable[ReminderRecord], *, replace: bool) -> int:
        """Arm jobs on a standby: the leader's scheduler finds them at its next poll."""
        table = self._offline_store.jobs_t
        rows = [self._job_row(self._offline_scheduler, r) for r in reminders if r.next_fire_at]
        if not rows:
            return 0
        if not self._offline_ready:
            table.create(self.store.engine, checkfirst=True)
            self._offline_ready = True
        for start in range(0, len(rows), ARM_CHUNK):
            chunk = rows[start : start + ARM_CHUNK]
            with self.store.engine.begin() as conn:
                if replace:
                    conn.execute(table.delete().where(table.c.id.in_([r["id"] for r in chunk])))
                conn.execute(table.insert(), chunk)
        return len(rows)

    def arm_many(self, reminders: Iterable[ReminderRecord]) -> int:
        """Arm many new jobs in a few INSERTs instead of one transaction per job.

        ``add_job`` costs about a millisecond and a commit each, so a track command, a restart
        after a bulk import, or 100,000 reminders would crawl. The rows are exactly what the
        job store itself writes: APScheduler's own Job, pickled with the store's protocol. Only
        for jobs that do not exist yet (reconcile checks that).
        """
        if self.scheduler is None or self._jobstore is None:
            return self._write_offline(reminders, replace=False)
        jobstore = self._jobstore
        scheduler = self.scheduler
        rows = [self._job_row(scheduler, r) for r in reminders if r.next_fire_at is not None]
        for start in range(0, len(rows), ARM_CHUNK):
            with jobstore.engine.begin() as conn:
                conn.execute(jobstore.jobs_t.insert(), rows[start : start + ARM_CHUNK])
        if rows:
            self.scheduler.wakeup()
        return len(rows)

    def unschedule(self, reminder: ReminderRecord) -> None:
        if reminder.next_fire_at is None:
            return
        if self.scheduler is None:
            # A stale job would only find its reminder changed and do nothing; removing it
            # keeps the store small.
            table = self._offline_store.jobs_t
            with contextlib.suppress(Exception), self.store.engine.begin() as conn:
                conn.execute(
                    table.delete().where(table.c.id == job_id(reminder.id, reminder.next_fire_at))
                )
            return
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(job_id(reminder.id, reminder.next_fire_at))

    def reconcile(self) -> int:
        """Arm every active reminder that has no job (made while the bot was off, or a crash
        between the reminder's commit and its job's). Returns how many were armed."""
        with self.store.engine.connect() as conn:
            armed = {row[0] for row in conn.execute(text(f"SELECT id FROM {JOBSTORE_TABLE}"))}
        far = datetime.max.replace(tzinfo=UTC)
        missing = [
            reminder
            for reminder in self.store.active_reminders_due_before(far, limit=10**9)
            if reminder.next_fire_at and job_id(reminder.id, reminder.next_fire_at) not in armed
        ]
        return self.arm_many(missing)

    # --- firing ----------------------------------------------------------------------------

    async def fire(self, reminder_id: int, fire_at: datetime) -> None:
        reminder = await asyncio.to_thread(self.store.get_reminder, reminder_id)
        if reminder is None or reminder.status != "active" or reminder.next_fire_at != fire_at:
            return  # cancelled, snoozed or already advanced: this job is stale
        try:
            claimed = await self._claim(reminder_id, fire_at)
            now = self.now()
            due = await asyncio.to_thread(self._advance, reminder, fire_at, now)
            if claimed:
                await self._deliver_or_report(reminder, fire_at, now)
            for extra in due:
                if await self._claim(reminder_id, extra):
                    await self._deliver_or_report(reminder, extra, now)
        except FencedOut:
            log.warning("reminder %d left to the new scheduler leader", reminder_id)

    async def _claim(self, reminder_id: int, fire_at: datetime) -> bool:
        if self.epoch is None:
            return await asyncio.to_thread(self.store.claim_delivery, reminder_id, fire_at)
        return await asyncio.to_thread(
            lambda: self.store.claim_delivery(reminder_id, fire_at, epoch=self.epoch)
        )

    def _advance(
        self, reminder: ReminderRecord, fire_at: datetime, now: datetime
    ) -> list[datetime]:
        """Move the reminder past ``fire_at`` and arm its next job. Idempotent, so a firing
        that finds its claim already taken (crash before this step) still advances it.
        Returns the occurrences between ``fire_at`` and now that also fell due meanwhile."""
        if reminder.recurrence is None:
            self.store.set_next_fire(reminder.id, None, status="done")
            return []
        rule = Recurrence.from_json(reminder.recurrence)
        caught_up: list[datetime] = []
        nxt = next_fire(rule, fire_at)
        while nxt is not None and nxt <= now and len(caught_up) < MAX_CATCH_UP:
            caught_up.append(nxt)
            nxt = next_fire(rule, nxt)
        if nxt is None:
            self.store.set_next_fire(reminder.id, None, status="done")
        else:
            self.store.set_next_fire(reminder.id, nxt)
            updated = self.store.get_reminder(reminder.id)
            if updated is not None and updated.status == "active":
                self.schedule(updated)
        return caught_up

    async def _deliver_or_report(
        self, reminder: ReminderRecord, fire_at: datetime, now: datetime
    ) -> None:
        """Send a claimed occurrence, or tell its owner it was missed if it is too old to
        matter to the channel any more. Runs on the event loop: it submits to the dispatcher."""
        if not self.dispatcher.accepting:
            return  # stepping down: the "claimed" row is the next leader's to send
        lateness = now - fire_at
        if lateness > self.grace:
            await asyncio.to_thread(
                self.store.mark_delivery, reminder.id, fire_at, "missed", late=True
            )
            self._notice(reminder, missed_notice(reminder, fire_at))
            return
        late_by = lateness if lateness > self.late_after else None
        self.dispatcher.submit(self._outgoing(reminder, fire_at, late_by))

    def _outgoing(
        self, reminder: ReminderRecord, fire_at: datetime, late_by: timedelta | None
    ) -> Outgoing:
        return Outgoing(
            platform=reminder.platform,
            target_kind=reminder.target_kind,
            target_id=reminder.target_id,
            text=reminder_text(reminder, fire_at, late_by),
            reminder_id=reminder.id,
            fire_at=fire_at,
            late_by=late_by,
            owner_id=reminder.owner_id,
            lang=reminder.lang,
            workspace_id=reminder.workspace_id,
        )

    def _notice(self, reminder: ReminderRecord, text_: str) -> None:
        """A best-effort DM to the reminder's owner about what happened to it."""
        if reminder.kind == "push" or reminder.platform not in self.dispatcher.notifiers:
            # A scheduled push has no person to tell; its fate is in the ledger and the log.
            log.warning("push reminder %d needs attention (see the delivery ledger)", reminder.id)
            return
        self.dispatcher.submit(
            Outgoing(
                platform=reminder.platform,
                target_kind="user",
                target_id=reminder.owner_id,
                text=text_,
                owner_id=reminder.owner_id,
                lang=reminder.lang,
                workspace_id=reminder.workspace_id,
            )
        )

    async def _tell_owner_failed(self, message: Outgoing, error: SendError) -> None:
        if (
            message.reminder_id is None
            or message.target_kind == "user"
            and (message.target_id == message.owner_id)
        ):
            return  # the owner's own DM failed: a notice would fail the same way
        reminder = await asyncio.to_thread(self.store.get_reminder, message.reminder_id)
        if reminder is not None:
            self._notice(reminder, failed_notice(reminder, error.code))

    # --- recovery --------------------------------------------------------------------------

    async def recover(self) -> None:
        """Finish what a crash (or a leader that died) interrupted: claimed-but-unsent rows
        are sent (late if so). A row caught mid-send is settled by asking the platform whether
        the message landed, where its notifier can tell; otherwise it is reported as uncertain
        rather than sent a second time."""
        unfinished: list[DeliveryRecord] = await asyncio.to_thread(self.store.unfinished_deliveries)
        now = self.now()
        outcome: Counter[str] = Counter()
        for row in unfinished:
            reminder = await asyncio.to_thread(self.store.get_reminder, row.reminder_id)
            if reminder is None:
                await asyncio.to_thread(
                    self.store.mark_delivery, row.reminder_id, row.fire_at, "failed", error="gone"
                )
            elif row.status == "claimed":
                outcome["claimed, sent now"] += 1
                await self._deliver_or_report(reminder, row.fire_at, now)
            else:
                landed = await self._probe(reminder, row)
                outcome[
                    {True: "cut short, had landed", False: "cut short, sent now"}.get(
                        landed, "cut short, uncertain"
                    )
                    if landed is not None
                    else "cut short, uncertain"
                ] += 1
                if landed is True:
                    await asyncio.to_thread(
                        self.store.mark_delivery, row.reminder_id, row.fire_at, "sent"
                    )
                elif landed is False:
                    await self._deliver_or_report(reminder, row.fire_at, now)
                else:
                    await asyncio.to_thread(
                        self.store.mark_delivery, row.reminder_id, row.fire_at, "uncertain"
                    )
                    self._notice(reminder, uncertain_notice(reminder, row.fire_at))
        if outcome:
            log.info("recovery: %s", ", ".join(f"{n} {what}" for what, n in outcome.items()))

    async def _probe(self, reminder: ReminderRecord, row: DeliveryRecord) -> bool | None:
        """Did a send cut short by a crash reach the platform? None when it cannot be told."""
        notifier = self.dispatcher.notifiers.get(reminder.platform)
        landed = getattr(notifier, "landed", None)
        if landed is None:
            return None
        settle = self.probe_settle - (time.monotonic() - self._started_at)
        if settle > 0:
            await asyncio.sleep(settle)
        message = self._outgoing(reminder, row.fire_at, None)
        try:
            verdict = await asyncio.wait_for(landed(message, row.claimed_at), PROBE_TIMEOUT_SECONDS)
        except Exception as exc:
            log.warning(
                "could not check reminder %d on %s: %s",
                reminder.id,
                reminder.platform,
                type(exc).__name__,
            )
            return None
        return verdict if isinstance(verdict, bool) else None
