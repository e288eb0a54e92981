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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
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
from scheduler.store.records import DeliveryRecord, ReminderRecord
from scheduler.store.store import Store
from scheduler.timing.recurrence import Recurrence, next_fire

log = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"
DEFAULT_GRACE = timedelta(hours=24)
LATE_AFTER = timedelta(seconds=60)
MAX_CATCH_UP = 500
ARM_CHUNK = 5000

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
        dispatcher.on_failure = self._tell_owner_failed

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the timer, re-arm anything without a job, and finish interrupted sends."""
        global _active
        if _active is not None and _active is not self:
            raise RuntimeError("another reminder engine is running in this process")
        _active = self
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

    async def shutdown(self) -> None:
        global _active
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.dispatcher.close()
        if _active is self:
            _active = None

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
        if self.scheduler is None or reminder.next_fire_at is None:
            return
        self.scheduler.add_job(**self._job_fields(reminder), replace_existing=True)

    def arm_many(self, reminders: Iterable[ReminderRecord]) -> int:
        """Arm many new jobs in a few INSERTs instead of one transaction per job.

        ``add_job`` costs about a millisecond and a commit each, so a track command, a restart
        after a bulk import, or 100,000 reminders would crawl. The rows are exactly what the
        job store itself writes: APScheduler's own Job, pickled with the store's protocol. Only
        for jobs that do not exist yet (reconcile checks that).
        """
        if self.scheduler is None or self._jobstore is None:
            return 0
        jobstore = self._jobstore
        rows: list[dict[str, Any]] = []
        for reminder in reminders:
            if reminder.next_fire_at is None:
                continue
            job = Job(
                self.scheduler,
                **self._job_fields(reminder),
                kwargs={},
                name="fire_job",
                executor="default",
                misfire_grace_time=None,
                coalesce=True,
                max_instances=1,
                next_run_time=reminder.next_fire_at,
            )
            rows.append(
                {
                    "id": job.id,
                    "next_run_time": datetime_to_utc_timestamp(job.next_run_time),
                    "job_state": pickle.dumps(job.__getstate__(), jobstore.pickle_protocol),
                }
            )
        for start in range(0, len(rows), ARM_CHUNK):
            with jobstore.engine.begin() as conn:
                conn.execute(jobstore.jobs_t.insert(), rows[start : start + ARM_CHUNK])
        if rows:
            self.scheduler.wakeup()
        return len(rows)

    def unschedule(self, reminder: ReminderRecord) -> None:
        if self.scheduler is None or reminder.next_fire_at is None:
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
        claimed = await asyncio.to_thread(self.store.claim_delivery, reminder_id, fire_at)
        now = self.now()
        due = await asyncio.to_thread(self._advance, reminder, fire_at, now)
        if claimed:
            await self._deliver_or_report(reminder, fire_at, now)
        for extra in due:
            if await asyncio.to_thread(self.store.claim_delivery, reminder_id, extra):
                await self._deliver_or_report(reminder, extra, now)

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
        lateness = now - fire_at
        if lateness > self.grace:
            await asyncio.to_thread(
                self.store.mark_delivery, reminder.id, fire_at, "missed", late=True
            )
            self._notice(reminder, missed_notice(reminder, fire_at))
            return
        late_by = lateness if lateness > self.late_after else None
        self.dispatcher.submit(
            Outgoing(
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
        """Finish what a crash interrupted: claimed-but-unsent rows are sent (late if so),
        rows caught mid-send are reported as uncertain rather than sent a second time."""
        unfinished: list[DeliveryRecord] = await asyncio.to_thread(self.store.unfinished_deliveries)
        now = self.now()
        for row in unfinished:
            reminder = await asyncio.to_thread(self.store.get_reminder, row.reminder_id)
            if reminder is None:
                await asyncio.to_thread(
                    self.store.mark_delivery, row.reminder_id, row.fire_at, "failed", error="gone"
                )
            elif row.status == "claimed":
                await self._deliver_or_report(reminder, row.fire_at, now)
            else:
                await asyncio.to_thread(
                    self.store.mark_delivery, row.reminder_id, row.fire_at, "uncertain"
                )
                self._notice(reminder, uncertain_notice(reminder, row.fire_at))
