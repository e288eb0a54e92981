"""The reminder scheduler: the reminders table is the queue, APScheduler is only the alarm clock.

Each active reminder is a row with an indexed next fire time; nothing about it lives anywhere
else. APScheduler holds one date job, armed for the earliest next fire time in the store (and
re-armed after every wake-up, or sooner when a reminder due earlier is set). A wake-up claims
every due reminder in chunks of ``CLAIM_CHUNK``: one transaction per chunk locks the rows
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL), advances repeats to their next wall-clock
occurrence, and inserts the ledger rows (reminder, fire time) as "claimed" -- or "missed" when
older than the grace window. The claimed occurrences go to the dispatcher, which sends them
concurrently and brackets each send in the ledger ("sending", then "sent" or "failed") in
batched transactions.

Guarantees, as before: an occurrence is claimed once (the ledger's UNIQUE key), so a second
firing sends nothing; a crash after a claim leaves "claimed" rows that the next start sends
(late, marked); a crash during a send leaves "sending" rows, settled by asking the platform or
reported to the owner as "may not have gone out", never resent blindly. Missed repeats after
downtime are delivered late, marked; older than the grace window, the owner is told instead.

Several replicas on one PostgreSQL: only the leader (see ``scheduler.leadership``) runs the
wake-ups; ``start(epoch)`` fences its claims and sends with its term, so a replica that lost
leadership is refused by the database. Reminders set on a standby are rows like any other; the
leader re-reads the store's next fire time every ``poll`` seconds to notice them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from scheduler.delivery.dispatcher import Dispatcher
from scheduler.delivery.messages import Outgoing, SendError, UncertainSendError
from scheduler.reminders.texts import failed_notice, missed_notice, reminder_text, uncertain_notice
from scheduler.store.errors import FencedOut
from scheduler.store.ledger import Claimed
from scheduler.store.records import DeliveryRecord, ReminderRecord
from scheduler.store.store import Store
from scheduler.timing.recurrence import Recurrence, next_fire

log = logging.getLogger(__name__)

WAKE_JOB = "wake"
DEFAULT_GRACE = timedelta(hours=24)
LATE_AFTER = timedelta(seconds=60)
MAX_CATCH_UP = 500
# Reminders claimed per transaction: big enough that a burst costs a few dozen transactions,
# small enough that a crash strands few rows and a standby's SKIP LOCKED finds work quickly.
CLAIM_CHUNK = 500
POLL_SECONDS = 1.0
# Before asking a platform whether a send cut short by a crash landed, let a request the dead
# process had already written reach the platform and show up there.
PROBE_SETTLE_SECONDS = 2.0
PROBE_TIMEOUT_SECONDS = 15.0


def utcnow() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=4096)
def _rule(recurrence: str) -> Recurrence:
    """Parsed once per distinct rule: a burst of 10,000 daily reminders shares a handful."""
    return Recurrence.from_json(recurrence)


def occurrences(reminder: ReminderRecord, now: datetime) -> tuple[list[datetime], datetime | None]:
    """The occurrences of ``reminder`` to deliver now and its next fire time (None: done).

    The due one, plus every repeat that also fell due while the bot was down (up to
    ``MAX_CATCH_UP``): each is delivered late and marked, not skipped. Repeats are computed
    in the rule's own zone, so 8:00 stays 8:00 across the DST changes.
    """
    first = reminder.next_fire_at
    assert first is not None
    if reminder.recurrence is None:
        return [first], None
    try:
        rule = _rule(reminder.recurrence)
    except ValueError:
        # A stored rule this version cannot read: deliver the due one, stop the series, and
        # do not let one bad row block the whole chunk it was claimed with.
        log.error("reminder %d has an unreadable repeat rule; sent once", reminder.id)
        return [first], None
    fires = [first]
    nxt = next_fire(rule, first)
    while nxt is not None and nxt <= now and len(fires) <= MAX_CATCH_UP:
        fires.append(nxt)
        nxt = next_fire(rule, nxt)
    return fires, nxt


_heap_settled = False


def _settle_heap() -> None:
    """Once per process, at the first start: what is alive by now (modules, the content
    library, the store's compiled statements) lives as long as the process, so it is moved out
    of the garbage collector's sight (``gc.freeze``, after a collection so no garbage is kept).

    A burst of 10,000 reminders allocates a few hundred thousand short-lived objects (tasks,
    futures, messages); every full collection they set off walked the whole heap again, which
    was about a third of the dispatcher's time in a burst."""
    global _heap_settled
    if _heap_settled:
        return
    _heap_settled = True
    gc.collect()
    gc.freeze()


class ReminderEngine:
    """Wakes at the next due time, claims what is due and hands it to the dispatcher."""

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
        self.epoch: int | None = None
        self.poll = POLL_SECONDS
        self.probe_settle = PROBE_SETTLE_SECONDS
        self.claim_chunk = CLAIM_CHUNK
        self._started_at = 0.0
        self._poller: asyncio.Task[None] | None = None
        self._runner: asyncio.Task[None] | None = None
        self._recovery: asyncio.Task[None] | None = None
        # How recovery waits out ``probe_settle``; a test passes a clock it moves itself.
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._kicked = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        # The time the wake job is armed for (None: none pending). Guarded by the lock, since
        # a reminder may be set from a worker thread while the loop re-arms.
        self._armed: datetime | None = None
        self._arm_lock = threading.Lock()
        dispatcher.on_failure = self._tell_owner_failed

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    def alive(self) -> bool:
        """For supervision: the scheduler runs and so does the loop that claims due reminders."""
        return self.running and self._runner is not None and not self._runner.done()

    @property
    def next_wake(self) -> datetime | None:
        """When the wake job is armed for (None: nothing is due, or not running)."""
        return self._armed

    async def start(self, epoch: int | None = None) -> None:
        """Finish interrupted sends, then start waking at due times.

        ``epoch`` is the leader term when several replicas share the database (None: this
        process is the only one)."""
        self.epoch = epoch
        self._started_at = time.monotonic()
        self._loop = asyncio.get_running_loop()
        self.dispatcher.reopen(epoch)
        self.scheduler = AsyncIOScheduler(
            executors={"default": AsyncIOExecutor()},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=UTC,
        )
        self.scheduler.start()
        # What recovery must settle is read before the first wake-up, and recovery settles
        # exactly those rows: every row a wake-up claims from here on is a new ledger row (the
        # unique key refuses an occurrence already in the ledger, and its reminder was moved
        # past it in the transaction that claimed it), so recovery never mistakes one of this
        # run's sends for one a crash left behind, and a wake-up never takes one recovery is
        # settling. Claimed-but-unsent rows are queued at once, ahead of anything new; rows cut
        # short mid-send are checked beside the wake-ups, since checking one first waits
        # ``probe_settle`` seconds, which must not make everything due meanwhile late.
        if self._recovery is not None:  # started again without a stop: one recovery only
            self._recovery.cancel()
            self._recovery = None
        unfinished = await asyncio.to_thread(self.store.unfinished_deliveries)
        reminders = await asyncio.to_thread(
            self.store.get_reminders, [row.reminder_id for row in unfinished]
        )
        queued, cut_short = deque[DeliveryRecord](), deque[DeliveryRecord]()
        for row in unfinished:
            checked = row.status != "claimed" and row.reminder_id in reminders
            (cut_short if checked else queued).append(row)
        await self.recover(queued, reminders)
        _settle_heap()
        self._kicked = asyncio.Event()
        self._kicked.set()  # whatever fell due while the bot was down, at once
        self._runner = self._loop.create_task(self._run())
        if cut_short:
            self._recovery = self._loop.create_task(
                self._recover_in_background(cut_short, reminders)
            )
        if epoch is not None:
            self._poller = self._loop.create_task(self._poll_store())

    async def recovered(self) -> None:
        """Wait until the rows a crash left behind at the last start are settled (tests, and
        anything that must not overlap recovery)."""
        task = self._recovery
        if task is not None:
            await asyncio.shield(task)

    async def _poll_store(self) -> None:
        """Reminders set on a standby replica are only rows in the store: look for an earlier
        next fire time than the one armed."""
        while self.running:
            await asyncio.sleep(self.poll)
            try:
                when = await asyncio.to_thread(self.store.next_due)
            except Exception:
                log.exception("could not read the next due time")
                continue
            if when is not None:
                self._arm(when)

    def _stop_timer(self) -> None:
        for task in (self._poller, self._runner, self._recovery):
            if task is not None:
                task.cancel()
        self._poller = self._runner = self._recovery = None
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None
        with self._arm_lock:
            self._armed = None

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

    # --- the alarm clock -------------------------------------------------------------------

    def _arm(self, when: datetime) -> None:
        """Make sure a wake-up happens at ``when`` or earlier. Safe from any thread: an
        earlier time always wins, so a later re-arm never hides a reminder due sooner."""
        scheduler = self.scheduler
        if scheduler is None or not scheduler.running:
            return
        with self._arm_lock:
            if self._armed is not None and self._armed <= when:
                return
            self._armed = when
            scheduler.add_job(
                self._wake,
                DateTrigger(run_date=when, timezone=UTC),
                id=WAKE_JOB,
                replace_existing=True,
            )

    async def _wake(self) -> None:
        """The APScheduler job: only rings the bell, so the job itself never overlaps a
        wake-up still claiming (APScheduler would skip a second instance). A coroutine, so
        APScheduler runs it on the event loop, not in a worker thread."""
        with self._arm_lock:
            self._armed = None
        self._kicked.set()

    def _kick(self) -> None:
        """Wake now, from any thread."""
        loop = self._loop
        if loop is None or not self.running:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed: nothing to wake
            loop.call_soon_threadsafe(self._kicked.set)

    def schedule(self, reminder: ReminderRecord) -> None:
        """A reminder was set or moved: wake by its next fire time. Safe from any thread."""
        self.arm_many([reminder])

    def arm_many(self, reminders: Iterable[ReminderRecord]) -> int:
        """New or moved reminders are already in the store (the queue); this only brings the
        next wake-up forward when one of them is due before it. Returns how many are active.
        On a standby (not running) nothing is needed: the leader polls the store."""
        times = [r.next_fire_at for r in reminders if r.next_fire_at is not None]
        if times and self.running:
            earliest = min(times)
            if earliest <= self.now():
                self._kick()
            else:
                self._arm(earliest)
        return len(times)

    def unschedule(self, reminder: ReminderRecord) -> None:
        """Nothing to undo: a cancelled or moved reminder is simply no longer due in the store
        (a wake-up armed for it finds nothing and re-arms for the next one)."""

    # --- firing ----------------------------------------------------------------------------

    async def _run(self) -> None:
        """One wake-up at a time: claim and hand over everything due, then re-arm."""
        while True:
            await self._kicked.wait()
            self._kicked.clear()
            try:
                taken = await self._claim_due()
                when = await asyncio.to_thread(self.store.next_due)
            except FencedOut:
                log.warning("not the scheduler leader any more: due reminders left to the new one")
                return
            except Exception:
                # A database hiccup must not stop the clock: try again shortly.
                log.exception("reminder wake-up failed; retrying")
                self._arm(self.now() + timedelta(seconds=self.poll))
                continue
            if when is not None:
                now = self.now()
                if when <= now and not taken:
                    # Due but not ours to take yet (rows another transaction holds, SKIP
                    # LOCKED): look again shortly instead of spinning.
                    when = now + timedelta(seconds=min(self.poll, 0.2))
                self._arm(when)

    async def _claim_due(self) -> int:
        """Claim chunk after chunk until nothing due is left; returns how many were taken."""
        total = 0
        while self.dispatcher.accepting:
            now = self.now()
            claimed, taken = await asyncio.to_thread(
                self.store.claim_due,
                now,
                partial(occurrences, now=now),
                limit=self.claim_chunk,
                missed_before=now - self.grace,
                epoch=self.epoch,
            )
            self._hand_over(claimed, now)
            total += taken
            if taken < self.claim_chunk:
                break
            await asyncio.sleep(0)  # let sends start between chunks
        return total

    def _hand_over(self, claimed: Sequence[Claimed], now: datetime) -> None:
        """Claimed occurrences to the dispatcher; missed ones (already final) to their owner."""
        for item in claimed:
            if item.missed:
                self._notice(item.reminder, missed_notice(item.reminder, item.fire_at))
            else:
                self._deliver(item.reminder, item.fire_at, now)

    async def fire(self, reminder_id: int, fire_at: datetime) -> None:
        """Fire one reminder's occurrence now, if it is still due at ``fire_at`` (tests, and a
        manual "send it now"). A second call for the same time finds the claim and sends
        nothing."""
        now = self.now()
        try:
            claimed, _ = await asyncio.to_thread(
                self.store.claim_due,
                now,
                partial(occurrences, now=now),
                limit=1,
                missed_before=now - self.grace,
                epoch=self.epoch,
                only=(reminder_id, fire_at),
            )
        except FencedOut:
            log.warning("reminder %d left to the new scheduler leader", reminder_id)
            return
        self._hand_over(claimed, now)

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
        self._deliver(reminder, fire_at, now)

    def _deliver(self, reminder: ReminderRecord, fire_at: datetime, now: datetime) -> None:
        """Queue a claimed occurrence; one late by more than ``late_after`` says so."""
        if not self.dispatcher.accepting:
            return  # stepping down: the "claimed" row is the next leader's to send
        lateness = now - fire_at
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
            # A scheduled push has no person to press anything.
            actionable=reminder.kind != "push",
            repeating=reminder.recurrence is not None,
            set_by=(
                reminder.owner_id
                if reminder.target_kind == "user" and reminder.target_id != reminder.owner_id
                else None
            ),
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
        if message.reminder_id is None:
            return
        own_dm = message.target_kind == "user" and message.target_id == message.owner_id
        if own_dm and not isinstance(error, UncertainSendError):
            return  # the owner's own DM was refused: a notice would fail the same way
        # An uncertain send is not a refused DM: it may well have landed, and the owner must
        # hear that it may not have (found by the chaos run: a silent "uncertain" DM reminder).
        reminder = await asyncio.to_thread(self.store.get_reminder, message.reminder_id)
        if reminder is None:
            return
        if isinstance(error, UncertainSendError) and message.fire_at is not None:
            self._notice(reminder, uncertain_notice(reminder, message.fire_at, stopped=False))
        else:
            self._notice(reminder, failed_notice(reminder, error.code))

    # --- recovery --------------------------------------------------------------------------

    async def _recover_in_background(
        self, unfinished: deque[DeliveryRecord], reminders: dict[int, ReminderRecord]
    ) -> None:
        """Recovery as a task beside the wake-ups: a database hiccup is retried (from the row
        it stopped at) rather than leaving rows unsettled until the next start."""
        while True:
            try:
                await self.recover(unfinished, reminders)
                return
            except Exception:
                log.exception("recovery of interrupted sends failed; retrying")
                await asyncio.sleep(self.poll)

    async def recover(
        self, unfinished: deque[DeliveryRecord], reminders: dict[int, ReminderRecord]
    ) -> None:
        """Finish what a crash (or a leader that died) interrupted: claimed-but-unsent rows
        are sent (late if so). A row caught mid-send is settled by asking the platform whether
        the message landed, where its notifier can tell; otherwise it is reported as uncertain
        rather than sent a second time. Each row leaves ``unfinished`` once settled;
        ``reminders`` holds their reminders by id (a row whose reminder is gone fails)."""
        now = self.now()
        outcome: Counter[str] = Counter()
        while unfinished:
            row = unfinished[0]
            reminder = reminders.get(row.reminder_id)
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
                        partial(self.store.mark_delivery, expect=row.status),
                        row.reminder_id,
                        row.fire_at,
                        "sent",
                    )
                elif landed is False:
                    await self._deliver_or_report(reminder, row.fire_at, now)
                else:
                    # Only from the status read at start: if another replica's recovery
                    # settled the row meanwhile, its owner has had the notice once already.
                    moved = await asyncio.to_thread(
                        partial(self.store.mark_delivery, expect=row.status),
                        row.reminder_id,
                        row.fire_at,
                        "uncertain",
                    )
                    if moved:
                        self._notice(reminder, uncertain_notice(reminder, row.fire_at))
            unfinished.popleft()
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
            await self.sleep(settle)
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
