"""Group commit for the ledger writes around each send.

Every reminder send is bracketed in the ledger ("sending" just before the platform call, then
"sent" or "failed"). One transaction per step is what made a burst of 10,000 reminders take
20 seconds on SQLite's single writer. Here the steps of all sends that reach the same point
together share one transaction: the first request starts a flush, which lets the event loop
run once (so every worker ready at that moment adds its own), then writes them all; requests
made while that transaction runs go in the next one. A lone send still costs one transaction
per step and waits for nothing extra.

The bracket keeps its meaning: a message goes to the platform only after its "sending" row has
committed, and a crash can strand at most the rows of the sends then in flight (bounded by the
dispatcher's concurrency) as "sending", which recovery reports as uncertain, never resends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from scheduler.store.errors import FencedOut
from scheduler.store.records import LedgerMark

log = logging.getLogger(__name__)

MAX_BATCH = 500


class BatchLedger(Protocol):
    """The store's batched ledger write (``scheduler.store.ledger.Ledger.apply_ledger``)."""

    def apply_ledger(
        self,
        begins: Sequence[tuple[int, datetime, int]],
        marks: Sequence[LedgerMark],
        *,
        epoch: int | None = None,
    ) -> set[tuple[int, datetime]]: ...


class LedgerBatcher:
    """Collects "sending" and final marks from many send workers into few transactions."""

    def __init__(
        self, ledger: BatchLedger, epoch: Callable[[], int | None], max_batch: int = MAX_BATCH
    ) -> None:
        self._ledger = ledger
        self._epoch = epoch
        self._max = max_batch
        self._begins: list[tuple[tuple[int, datetime, int], asyncio.Future[bool]]] = []
        self._marks: list[tuple[LedgerMark, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.transactions = 0  # for benchmarks and tests

    async def begin(self, reminder_id: int, fire_at: datetime, attempts: int) -> bool:
        """Move the row to "sending"; False when it is no longer ours to send. Raises
        FencedOut once this replica's leader term has ended."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._begins.append(((reminder_id, fire_at, attempts), future))
        self._start()
        return await future

    async def mark(self, mark: LedgerMark) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks.append((mark, future))
        self._start()
        await future

    def _start(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_all())

    async def _flush_all(self) -> None:
        while self._begins or self._marks:
            await asyncio.sleep(0)  # let every worker that is ready add its request
            begins, self._begins = self._begins[: self._max], self._begins[self._max :]
            marks, self._marks = self._marks[: self._max], self._marks[self._max :]
            await self._flush(begins, marks)

    async def _flush(
        self,
        begins: list[tuple[tuple[int, datetime, int], asyncio.Future[bool]]],
        marks: list[tuple[LedgerMark, asyncio.Future[None]]],
    ) -> None:
        rows = [row for row, _ in begins]
        moves = [m for m, _ in marks]
        try:
            self.transactions += 1
            ours = await asyncio.to_thread(
                self._ledger.apply_ledger, rows, moves, epoch=self._epoch()
            )
        except FencedOut as exc:
            _fail(begins, exc)
            if not marks:
                return
            try:  # what was sent is still recorded: marks are not fenced
                self.transactions += 1
                await asyncio.to_thread(self._ledger.apply_ledger, [], moves)
            except Exception as again:
                _fail(marks, again)
            else:
                _done(marks)
        except Exception as exc:
            _fail(begins, exc)
            _fail(marks, exc)
        else:
            for (reminder_id, fire_at, _), future in begins:
                if not future.done():
                    future.set_result((reminder_id, fire_at) in ours)
            _done(marks)


def _fail(
    waiting: Sequence[tuple[object, asyncio.Future[bool] | asyncio.Future[None]]],
    exc: BaseException,
) -> None:
    for _, future in waiting:
        if not future.done():
            future.set_exception(exc)


def _done(waiting: Sequence[tuple[LedgerMark, asyncio.Future[None]]]) -> None:
    for _, future in waiting:
        if not future.done():
            future.set_result(None)
