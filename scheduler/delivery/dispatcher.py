"""Send messages without breaking platform rate limits and without losing or repeating one.

Messages queue per destination (one channel or one DM): each destination sends one message at
a time, paced by the platform's published limits where its notifier declares them (token
buckets per destination and per platform, see limits.py), else at most one per ``pace``
seconds, while different destinations proceed in parallel up to ``concurrency``. A send holds
its destination's and its platform's limiter from its start until its answer, so pacing counts
from when the platform could have seen it. What the platform says about its limits overrides
the published figures: a 429 holds that destination (or the whole platform, for a global
limit, or when two destinations are refused at once) for exactly the Retry-After given, and a
notifier's ``LimitReport`` (Discord's bucket headers) holds a destination whose bucket is
empty until it resets. 5xx and timeouts back off exponentially. Every
reminder send is bracketed in the ledger: "sending" just before the platform call, then "sent"
or "failed", so a crash in between is visible on restart as "uncertain", never resent blindly.

With several replicas the "sending" step is fenced by the leader's term (``epoch``): a replica
that has lost leadership is refused by the database and drops the message instead of sending it,
so only the new leader, after its recovery, decides what happens to the row.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from scheduler.delivery.batching import LedgerBatcher
from scheduler.delivery.limits import Limit, Limiter, LimitReport, PlatformLimits
from scheduler.delivery.messages import (
    Notifier,
    Outgoing,
    PermanentSendError,
    RateLimited,
    SendError,
    TransientSendError,
    UncertainSendError,
)
from scheduler.store.errors import FencedOut, StoreError
from scheduler.store.records import LedgerMark

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
PRUNE_EVERY = 1000  # submits between sweeps of refilled destination buckets
_T = TypeVar("_T")


class Ledger(Protocol):
    """The part of the store the dispatcher writes to."""

    def mark_delivery(
        self,
        reminder_id: int,
        fire_at: datetime,
        status: str,
        *,
        late: bool | None = None,
        error: str | None = None,
        attempts: int | None = None,
    ) -> None: ...


class DeliveryObserver(Protocol):
    """Where counts go for monitoring (Prometheus in `iepbot run`); never given message text."""

    def sent(self, platform: str, late: bool, lateness: float | None) -> None: ...

    def retried(self, platform: str, reason: str) -> None: ...

    def failed(self, platform: str) -> None: ...


@dataclass
class DispatchPolicy:
    """Tunable limits. Defaults suit Slack (about one message per second per channel)."""

    pace: float = 1.0
    # Platform calls in flight at once, across destinations. Their ledger writes share
    # transactions (see batching.py), so this also sets how many sends one commit covers.
    concurrency: int = 128
    max_attempts: int = 6
    max_rate_limited: int = 20
    backoff: float = 1.0
    max_backoff: float = 120.0
    send_timeout: float = 45.0  # above discord.py's own 30 s wait on a 429


@dataclass
class DispatchStats:
    """Counts for benchmarks, tests and (later) metrics."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    rate_limited: int = 0
    late: int = 0
    waits: list[float] = field(default_factory=list)


FailureHook = Callable[[Outgoing, SendError], Awaitable[None]]


@dataclass
class _Attempt:
    """One platform call under way, and the limiters it counts against until answered."""

    message: Outgoing
    limiters: tuple[Limiter, Limiter]
    answered: bool = False


_current_attempt: contextvars.ContextVar[_Attempt | None] = contextvars.ContextVar(
    "iepbot_delivery_attempt", default=None
)


class _Slots:
    """At most ``size`` platform calls at once, handed out first come, first served.

    asyncio.Semaphore would do, but in Python 3.11 each release walks its waiters from the
    front past every one already woken: with a burst of 10,000 sends queued for 128 slots that
    was some 65 checks per send. Here a release hands its slot straight to the next waiter."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def __aenter__(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # the slot was handed over as this task was cancelled
            raise

    async def __aexit__(self, *_: object) -> None:
        self._release()

    def _release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


class Dispatcher:
    """Queues, paces and retries sends; the only path from the core to a platform."""

    def __init__(
        self,
        notifiers: Mapping[str, Notifier],
        ledger: Ledger | None = None,
        policy: DispatchPolicy | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_failure: FailureHook | None = None,
        observer: DeliveryObserver | None = None,
    ) -> None:
        self.notifiers = dict(notifiers)
        self.observer = observer
        self.epoch: int | None = None  # the leader term sends are fenced by (None: one process)
        self._calling: set[asyncio.Task[None]] = set()
        self.ledger = ledger
        apply = getattr(ledger, "apply_ledger", None)
        self._batcher = (
            LedgerBatcher(ledger, lambda: self.epoch)  # type: ignore[arg-type]
            if apply is not None
            else None
        )
        self.policy = policy or DispatchPolicy()
        self.stats = DispatchStats()
        self.on_failure = on_failure
        self._sleep = sleep
        self._clock = clock
        self._queues: dict[tuple[str, str, str], deque[Outgoing]] = {}
        self._workers: dict[tuple[str, str, str], asyncio.Task[None]] = {}
        self._destination_limiters: dict[tuple[str, str, str], Limiter] = {}
        self._platform_limiters: dict[str, Limiter] = {}
        self._platform_turns: dict[str, asyncio.Lock] = {}  # FIFO at a platform's limiter
        self._answered: dict[str, asyncio.Event] = {}  # a send of that platform answered
        # platform -> (destination, until): the last 429 for one destination, to tell a wider
        # limit (a second destination refused meanwhile) from one channel's.
        self._refused: dict[str, tuple[tuple[str, str, str], float]] = {}
        for notifier in self.notifiers.values():
            if hasattr(notifier, "limit_reports"):
                notifier.limit_reports = self._learn
        self._submitted = 0
        self._slots = _Slots(self.policy.concurrency)
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    def submit(self, message: Outgoing) -> None:
        """Queue a message; returns at once. Must be called from the event loop's thread."""
        if self._closed:
            raise RuntimeError("dispatcher is stopped")
        if message.platform not in self.notifiers:
            raise KeyError(f"no notifier for platform {message.platform!r}")
        key = message.destination
        self._submitted += 1
        if self._submitted % PRUNE_EVERY == 0:
            self._prune_buckets()
        queue = self._queues.setdefault(key, deque())
        queue.append(message)
        self._idle.clear()
        if key not in self._workers:
            self._workers[key] = asyncio.get_running_loop().create_task(self._drain(key))

    @property
    def accepting(self) -> bool:
        return not self._closed

    def reopen(self, epoch: int | None = None) -> None:
        """Take work again, for a new leader term of this process (after abort or hand_back)."""
        self._closed = False
        self.epoch = epoch
        self._platform_limiters.clear()
        self._refused.clear()

    def abort(self) -> None:
        """Leadership is lost: stop at once. Queued messages stay "claimed" in the ledger and
        a call cut short stays "sending"; the new leader's recovery decides about both."""
        self._closed = True
        for queue in self._queues.values():
            queue.clear()
        for task in list(self._workers.values()):
            task.cancel()

    async def hand_back(self, timeout: float) -> None:
        """Graceful stop: drop what has not started (its "claimed" row goes to the next leader)
        and let platform calls already under way finish, for at most ``timeout`` seconds."""
        self._closed = True
        for queue in self._queues.values():
            queue.clear()
        for task in list(self._workers.values()):
            if task not in self._calling:
                task.cancel()  # pacing or retry waits: nothing is on the wire
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            log.warning("hand-back: %d send(s) still under way, cut short", len(self._workers))
            self.abort()
        # Let cancelled workers run their cleanup before the caller releases leadership.
        await asyncio.gather(*self._workers.values(), return_exceptions=True)

    @property
    def pending(self) -> int:
        return sum(len(q) for q in self._queues.values()) + len(self._workers)

    async def join(self) -> None:
        """Wait until every queued message is sent or has finally failed."""
        await self._idle.wait()

    async def close(self) -> None:
        """Stop taking work and let queued messages finish."""
        self._closed = True
        await self.join()

    def _limits(self, platform: str) -> PlatformLimits | None:
        limits = getattr(self.notifiers[platform], "limits", None)
        return limits if isinstance(limits, PlatformLimits) else None

    def _limiter(self, limiters: dict[Any, Limiter], key: Any, limit: Limit | None) -> Limiter:
        limiter = limiters.get(key)
        if limiter is None:
            limiter = limiters[key] = Limiter(limit, self._clock())
        return limiter

    def _destination_limiter(self, message: Outgoing) -> Limiter:
        limits = self._limits(message.platform)
        limit = limits.destination if limits is not None else None
        return self._limiter(self._destination_limiters, message.destination, limit)

    def _platform_limiter(self, platform: str) -> Limiter:
        limits = self._limits(platform)
        limit = limits.platform if limits is not None else None
        return self._limiter(self._platform_limiters, platform, limit)

    async def _wait_on(self, limiter: Limiter, platform: str) -> None:
        deadline = -float("inf")
        while (wait := limiter.wait(now := self._clock())) != 0:
            if wait is None:  # every slot is on the wire: the next answer frees one
                answered = self._answered.setdefault(platform, asyncio.Event())
                answered.clear()
                await answered.wait()
                deadline = -float("inf")
                continue
            if now + wait <= deadline + 1e-6:
                return  # already slept until then (a clock that a test's sleep did not move)
            deadline = now + wait
            await self._sleep(wait)

    async def _gate(self, message: Outgoing) -> tuple[Limiter, Limiter]:
        """Wait until both this destination and its platform may send, then count the send
        as started on both. Senders pass the platform's limiter one at a time, in order; one
        whose destination got held meanwhile steps aside rather than block the others."""
        destination = self._destination_limiter(message)
        platform = self._platform_limiter(message.platform)
        turn = self._platform_turns.setdefault(message.platform, asyncio.Lock())
        while True:
            await self._wait_on(destination, message.platform)
            held = destination.held_until
            async with turn:
                await self._wait_on(platform, message.platform)
                if destination.held_until <= held:
                    now = self._clock()
                    destination.start(now)
                    platform.start(now)
                    return destination, platform

    def _answered_now(self, attempt: _Attempt) -> None:
        """The platform answered this attempt: its limiters count it from now. Once only: a
        notifier's report may say so before ``deliver`` returns (discord.py sleeps inside
        the call when a bucket is empty, and that time must not count as on the wire)."""
        if attempt.answered:
            return
        attempt.answered = True
        now = self._clock()
        for limiter in attempt.limiters:
            limiter.done(now)
        answered = self._answered.get(attempt.message.platform)
        if answered is not None:
            answered.set()

    def _learn(self, report: LimitReport) -> None:
        """A notifier's report of what the platform said about its limits, made from inside
        ``deliver`` (so the attempt under way is this task's)."""
        attempt = _current_attempt.get()
        if attempt is not None and attempt.message.destination == report.destination:
            self._answered_now(attempt)
        now = self._clock()
        platform = report.destination[0]
        if report.scope == "platform":
            self._platform_limiter(platform).learn(report, now)
            return
        limits = self._limits(platform)
        limiter = self._limiter(
            self._destination_limiters,
            report.destination,
            limits.destination if limits is not None else None,
        )
        limiter.learn(report, now)

    def _refused_for(self, message: Outgoing, retry_after: float, global_limit: bool) -> None:
        """Hold what a 429 names: the platform for a global limit, or when another destination
        was refused within its Retry-After too (a method- or workspace-wide limit, as Slack's
        429s do not say which); else this destination."""
        now = self._clock()
        before = self._refused.get(message.platform)
        wider = before is not None and before[0] != message.destination and before[1] > now
        self._refused[message.platform] = (message.destination, now + retry_after)
        if global_limit or wider:
            self._platform_limiter(message.platform).hold(retry_after, now)
        else:
            self._destination_limiter(message).hold(retry_after, now)

    def _prune_buckets(self) -> None:
        """Drop destination limiters that are as good as new."""
        now = self._clock()
        for key in [k for k, b in self._destination_limiters.items() if b.idle(now)]:
            if key not in self._workers:
                del self._destination_limiters[key]

    async def _drain(self, key: tuple[str, str, str]) -> None:
        queue = self._queues[key]
        last_sent: float | None = None
        limits = self._limits(key[0])
        try:
            while queue:
                message = queue.popleft()
                if limits is None and last_sent is not None:
                    wait = self.policy.pace - (self._clock() - last_sent)
                    if wait > 0:
                        await self._sleep(wait)
                try:
                    await self._send_with_retries(message)
                except Exception as exc:
                    # The ledger's database stayed away through every retry. This message's
                    # row stays "claimed" (or "sending"), which the leader's recovery settles
                    # after a restart or election, never resending blindly; the messages behind
                    # it in this queue must not wait for that.
                    log.error(
                        "delivery to %s: the ledger failed with %s; left to recovery",
                        message.platform,
                        type(exc).__name__,
                    )
                last_sent = self._clock()
        finally:
            del self._workers[key]
            if not queue:
                self._queues.pop(key, None)
            if not self._workers:
                self._idle.set()

    @property
    def ledger_transactions(self) -> int:
        """Ledger transactions the batched writes took (benchmarks)."""
        return 0 if self._batcher is None else self._batcher.transactions

    async def _ledger(
        self,
        message: Outgoing,
        status: str,
        *,
        late: bool | None = None,
        error: str | None = None,
        attempts: int | None = None,
    ) -> None:
        """Write a status, retrying with backoff while the database is away (a restart, a
        dropped connection): a send that went out must not be left looking unsent."""
        if self.ledger is None or message.reminder_id is None or message.fire_at is None:
            return
        batcher = self._batcher
        if batcher is not None:
            mark = LedgerMark(message.reminder_id, message.fire_at, status, late, error, attempts)
            try:  # the usual case awaited directly; the retry loop only once the store fails
                await batcher.mark(mark)
            except FencedOut:
                raise
            except StoreError as exc:
                await self._retrying(lambda: batcher.mark(mark), exc)
            return
        await self._retrying_ledger(
            self.ledger.mark_delivery,
            message.reminder_id,
            message.fire_at,
            status,
            late=late,
            error=error,
            attempts=attempts,
        )

    async def _retrying_ledger(self, call: Callable[..., _T], *args: object, **kw: object) -> _T:
        return await self._retrying(lambda: asyncio.to_thread(call, *args, **kw))

    async def _retrying(
        self, attempt: Callable[[], Awaitable[_T]], failed: StoreError | None = None
    ) -> _T:
        """Run a ledger write again, with backoff, while the database is unavailable; a
        fencing refusal (another replica leads now) is final. ``failed``: the first try,
        made by the caller, failed with it."""
        failures = 0
        error = failed
        while True:
            if error is not None:
                failures += 1
                if failures >= self.policy.max_attempts:
                    raise error
                log.warning("delivery ledger unavailable (%s); retrying", type(error).__name__)
                await self._sleep(self._backoff(failures))
            try:
                return await attempt()
            except FencedOut:
                raise
            except StoreError as exc:
                error = exc

    async def _begin_send(self, message: Outgoing, attempts: int) -> bool:
        """Mark "sending"; False when this message must not go out (not ours any more)."""
        if self.ledger is None or message.reminder_id is None or message.fire_at is None:
            return True
        begin = getattr(self.ledger, "begin_send", None)
        if begin is None:
            await self._ledger(message, "sending", attempts=attempts)
            return True
        try:
            batcher = self._batcher
            if batcher is not None:
                reminder_id, fire_at = message.reminder_id, message.fire_at
                try:  # as in _ledger: directly, the retry loop only after a failure
                    ours = await batcher.begin(reminder_id, fire_at, attempts)
                except FencedOut:
                    raise
                except StoreError as exc:
                    ours = await self._retrying(
                        lambda: batcher.begin(reminder_id, fire_at, attempts), exc
                    )
            else:
                ours = await self._retrying_ledger(
                    begin,
                    message.reminder_id,
                    message.fire_at,
                    attempts=attempts,
                    epoch=self.epoch,
                )
        except FencedOut:
            log.warning(
                "not the scheduler leader any more: reminder %d left to the new one",
                message.reminder_id,
            )
            return False
        if not ours:
            log.warning("reminder %d is no longer ours to send", message.reminder_id)
        return bool(ours)

    def _backoff(self, attempt: int) -> float:
        base = min(self.policy.max_backoff, self.policy.backoff * 2 ** (attempt - 1))
        return float(base * (0.5 + random.random() / 2))  # noqa: S311 - jitter, not security

    async def _send_with_retries(self, message: Outgoing) -> None:
        notifier = self.notifiers[message.platform]
        failures = 0
        limited = 0
        attempts = 0
        while True:
            attempts += 1
            attempt = _Attempt(message, await self._gate(message))
            current = _current_attempt.set(attempt)
            task = asyncio.current_task()
            try:
                # The slot first, then "sending": only sends actually about to go out are
                # marked, so a crash strands at most ``concurrency`` rows as uncertain.
                try:
                    async with self._slots:
                        if task is not None:
                            self._calling.add(task)
                        try:
                            if not await self._begin_send(message, attempts):
                                return
                            async with asyncio.timeout(
                                self.policy.send_timeout
                            ):  # no extra task per send
                                await notifier.deliver(message)
                        finally:
                            if task is not None:
                                self._calling.discard(task)
                finally:
                    self._answered_now(attempt)
                    _current_attempt.reset(current)
            except RateLimited as exc:
                limited += 1
                self.stats.rate_limited += 1
                self.stats.waits.append(exc.retry_after)
                if limited > self.policy.max_rate_limited:
                    await self._fail(message, exc, attempts)
                    return
                # The platform's word over the published rate; the next attempt's gate waits.
                self._refused_for(message, exc.retry_after, exc.global_limit)
                await self._ledger(message, "claimed", attempts=attempts)
                self._observe("retried", message.platform, "rate_limited")
            except (TransientSendError, TimeoutError, OSError) as exc:
                failures += 1
                name = type(exc).__name__
                error = exc if isinstance(exc, SendError) else TransientSendError(name)
                if failures >= self.policy.max_attempts:
                    await self._fail(message, error, attempts)
                    return
                self.stats.retried += 1
                self._observe("retried", message.platform, "transient")
                # The ledger stays at "sending": a 5xx or a timeout may have landed, so a crash
                # during this wait must surface as uncertain, not be resent blindly.
                await self._sleep(self._backoff(failures))
            except PermanentSendError as exc:
                await self._fail(message, exc, attempts)
                return
            except Exception as exc:  # a bug or an odd answer: settle it, never leave "sending"
                log.error(
                    "delivery to %s: unexpected %s from the notifier; reported as uncertain",
                    message.platform,
                    type(exc).__name__,
                )
                await self._fail(message, UncertainSendError(type(exc).__name__[:40]), attempts)
                return
            else:
                late = message.late_by is not None
                self.stats.sent += 1
                self.stats.late += int(late)
                await self._ledger(message, "sent", late=late, attempts=attempts)
                if message.fire_at is not None:
                    lateness = (datetime.now(UTC) - message.fire_at).total_seconds()
                    self._observe("sent", message.platform, late, max(0.0, lateness))
                return

    def _observe(self, what: str, *args: object) -> None:
        """Metrics must never cost a delivery: an observer's error is logged and dropped."""
        if self.observer is None:
            return
        try:
            getattr(self.observer, what)(*args)
        except Exception:
            log.exception("delivery observer failed")

    async def _fail(self, message: Outgoing, error: SendError, attempts: int) -> None:
        self.stats.failed += 1
        if message.reminder_id is not None:
            self._observe("failed", message.platform)
        log.warning(
            "delivery to %s failed after %d attempt(s): %s", message.platform, attempts, error.code
        )
        status = "uncertain" if isinstance(error, UncertainSendError) else "failed"
        await self._ledger(message, status, error=error.code[:60], attempts=attempts)
        if self.on_failure is not None and message.reminder_id is not None:
            try:
                await self.on_failure(message, error)
            except Exception:  # a notice about a failure must not crash the worker
                log.exception("could not tell the owner about a failed delivery")
