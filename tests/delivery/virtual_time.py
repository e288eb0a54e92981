"""A clock and a sleep for the dispatcher (and the enforcing fakes) that never wait for real.

Sleepers queue by deadline; ``run`` drives the awaited work, and whenever a moment of real time
(a couple of milliseconds, so HTTP calls to a local fake can complete) passes with sleepers
waiting, it moves the clock to the earliest deadline and wakes everyone due then.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        woken = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), woken))
        await woken

    async def run(self, work: Awaitable[T], real_timeout: float = 10.0) -> T:
        task = asyncio.ensure_future(work)
        give_up = time.monotonic() + real_timeout
        while not task.done():
            await asyncio.sleep(0.002)
            if self._sleepers and not task.done():
                due = self._sleepers[0][0]
                self.now = max(self.now, due)
                while self._sleepers and self._sleepers[0][0] <= self.now:
                    woken = heapq.heappop(self._sleepers)[2]
                    if not woken.done():
                        woken.set_result(None)
            if time.monotonic() > give_up:
                task.cancel()
                raise TimeoutError("the work did not finish")
        return task.result()
