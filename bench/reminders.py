"""Reminder engine at scale: scheduling, start-up, memory, and a burst due at the same instant.

Run: .venv/bin/python bench/reminders.py [--db URL] [--count 100000] [--burst 10000] [--runs 3]

Each figure is printed as min / median over ``--runs`` runs:
- schedule: storing N reminders and arming them (the service's path: one bulk insert, then
  ``arm_many``), into an emptied reminders table;
- start-up and idle memory with N stored, each in a fresh process (so the memory is not that
  of the process that just built N drafts);
- a burst of B reminders all due at the same second, delivered to a notifier that accepts at
  once: lateness is stamped when the "sent" row is committed in the ledger (the observer hook
  runs after it), not when the notifier is called; and the store transactions per delivered
  reminder, counted with a SQLAlchemy "begin" listener from the due time until the last "sent".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError

from scheduler.delivery.dispatcher import Dispatcher, DispatchPolicy
from scheduler.delivery.messages import Outgoing
from scheduler.reminders.jobs import ReminderEngine
from scheduler.store.database import open_store
from scheduler.store.records import ReminderDraft
from scheduler.store.store import Store


class Accepting:
    """The platform: takes every message at once."""

    platform = "console"

    async def deliver(self, message: Outgoing) -> None:
        return None


class Recorded:
    """The dispatcher's observer: called once a send's "sent" row has committed."""

    def __init__(self, expected: int) -> None:
        self.lateness: list[float] = []
        self.expected = expected
        self.done = asyncio.Event()

    def sent(self, platform: str, late: bool, lateness: float | None) -> None:
        self.lateness.append(lateness or 0.0)
        if len(self.lateness) >= self.expected:
            self.done.set()

    def retried(self, platform: str, reason: str) -> None:
        return None

    def failed(self, platform: str) -> None:
        return None


def drafts(count: int, start: datetime, spread: timedelta, prefix: str) -> list[ReminderDraft]:
    step = spread / max(count, 1)
    return [
        ReminderDraft(
            platform="console",
            workspace_id="bench",
            owner_id=f"U{i % 5000}",
            target_kind="user",
            target_id=f"{prefix}{i}",
            text=f"bench reminder {i}",
            lang="en",
            timezone="America/Chicago",
            next_fire_at=(start + step * i).replace(microsecond=0),
        )
        for i in range(count)
    ]


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load() -> str:
    """The machine's load, printed with the figures: on a shared machine they depend on it."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min), {os.cpu_count()} CPUs"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values: list[float], unit: str, digits: int = 2) -> str:
    return f"min {min(values):.{digits}f} / median {statistics.median(values):.{digits}f} {unit}"


def empty(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM deliveries"))
        conn.execute(text("DELETE FROM reminders"))
    # Run against an older iepbot (one APScheduler job per reminder) for a before/after: its
    # job table is emptied too, so every run starts from the same state.
    with contextlib.suppress(SQLAlchemyError), store.engine.begin() as conn:
        conn.execute(text("DELETE FROM apscheduler_jobs"))


def engine_for(store: Store, observer: Recorded | None = None) -> ReminderEngine:
    dispatcher = Dispatcher(
        {"console": Accepting()}, ledger=store, policy=DispatchPolicy(pace=0), observer=observer
    )
    return ReminderEngine(store, dispatcher)


async def schedule_run(store: Store, count: int) -> float:
    empty(store)
    engine = engine_for(store)
    await engine.start()
    far = datetime.now(UTC) + timedelta(days=30)
    batch = drafts(count, far, timedelta(days=300), "far")
    t0 = time.perf_counter()
    records = await asyncio.to_thread(store.add_reminders, batch)
    engine.arm_many(records)
    elapsed = time.perf_counter() - t0
    await engine.shutdown()
    return elapsed


async def burst_run(store: Store, burst: int) -> tuple[list[float], int]:
    recorded = Recorded(burst)
    counter = _counter(store)  # before any thread of the engine can begin a transaction
    engine = engine_for(store, recorded)
    await engine.start()
    due = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
    records = await asyncio.to_thread(
        store.add_reminders, drafts(burst, due, timedelta(0), f"burst{due.timestamp():.0f}-")
    )
    engine.arm_many(records)
    counter.due = due
    counter.count = 0
    try:
        await asyncio.wait_for(recorded.done.wait(), 3600)
    finally:
        counter.due = None
    await engine.shutdown()
    return recorded.lateness, counter.count


class TransactionCounter:
    """Counts the store's transactions begun from ``due`` on, while ``due`` is set.

    Registered once per engine and never removed: SQLAlchemy's listener list is a deque that
    a worker thread iterates at every BEGIN, so adding or removing a listener while a claim
    runs raised "deque mutated during iteration" in that thread."""

    def __init__(self) -> None:
        self.due: datetime | None = None
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, _conn: Any) -> None:
        due = self.due
        if due is not None and datetime.now(UTC) >= due:
            with self._lock:
                self.count += 1


_COUNTERS: dict[int, TransactionCounter] = {}


def _counter(store: Store) -> TransactionCounter:
    counter = _COUNTERS.get(id(store.engine))
    if counter is None:
        counter = _COUNTERS[id(store.engine)] = TransactionCounter()
        event.listen(store.engine, "begin", counter)
    return counter


def child(url: str) -> None:
    """A fresh process: start the engine over what is stored, idle a moment, report."""

    async def run() -> dict[str, float]:
        store = open_store(url)
        engine = engine_for(store)
        t0 = time.perf_counter()
        await engine.start()
        startup = time.perf_counter() - t0
        await asyncio.sleep(2)
        memory = rss_mib()
        await engine.shutdown()
        store.close()
        return {"startup": startup, "rss": memory}

    print(json.dumps(asyncio.run(run())))


def fresh(url: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--db", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def repeat(runs: int, fn: Callable[[], Any]) -> list[Any]:
    return [fn() for _ in range(runs)]


async def main(url: str, count: int, burst: int, runs: int) -> None:
    store = open_store(url)
    print(f"database: {store.dialect}; {runs} runs each; {load()}")
    scheduled = [await schedule_run(store, count) for _ in range(runs)]
    print(f"schedule {count:,} reminders (store + arm): {summary(scheduled, 's')}")
    store.close()

    starts = repeat(runs, lambda: fresh(url))
    print(
        f"start-up with {count:,} stored, fresh process: "
        f"{summary([s['startup'] for s in starts], 's')}; idle RSS "
        f"{summary([s['rss'] for s in starts], 'MiB', 0)}"
    )

    store = open_store(url)
    p50s: list[float] = []
    p99s: list[float] = []
    maxes: list[float] = []
    per: list[float] = []
    for _ in range(runs):
        lateness, transactions = await burst_run(store, burst)
        p50s.append(pct(lateness, 50))
        p99s.append(pct(lateness, 99))
        maxes.append(max(lateness))
        per.append(transactions / len(lateness))
    print(f"burst of {burst:,} due at once (lateness when the ledger says sent):")
    print(f"  p50 {summary(p50s, 's')}")
    print(f"  p99 {summary(p99s, 's')}")
    print(f"  max {summary(maxes, 's')}")
    print(f"  store transactions per delivered reminder: {summary(per, '', 3)}")
    print(f"done; {load()}")
    store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.db)
        sys.exit(0)
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        asyncio.run(main(db, args.count, args.burst, max(3, args.runs)))
