"""Reminder engine at scale.

Run: .venv/bin/python bench/reminders.py [--db URL] [--count 100000] [--burst 10000]
Prints: time to schedule N reminders (stored and armed as APScheduler jobs), start-up time of
the engine with N stored, resident memory, and how late a burst of B reminders due at the same
instant is delivered (p50/p99), against a notifier that accepts at once.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta

from scheduler.delivery.dispatcher import Dispatcher, DispatchPolicy
from scheduler.delivery.messages import Outgoing
from scheduler.reminders.jobs import ReminderEngine
from scheduler.store.database import open_store
from scheduler.store.records import ReminderDraft


class CountingNotifier:
    platform = "console"

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self.done = asyncio.Event()
        self.expected = 0

    async def deliver(self, message: Outgoing) -> None:
        assert message.fire_at is not None
        self.lateness.append((datetime.now(UTC) - message.fire_at).total_seconds())
        if len(self.lateness) >= self.expected:
            self.done.set()


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
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def main(url: str, count: int, burst: int) -> None:
    notifier = CountingNotifier()
    store = open_store(url)
    engine = ReminderEngine(
        store, Dispatcher({"console": notifier}, ledger=store, policy=DispatchPolicy(pace=0))
    )
    await engine.start()
    far = datetime.now(UTC) + timedelta(days=30)
    t0 = time.perf_counter()
    store.add_reminders(drafts(count, far, timedelta(days=300), "far"))
    t1 = time.perf_counter()
    armed = await asyncio.to_thread(engine.reconcile)
    t2 = time.perf_counter()
    print(
        f"schedule {count:,} reminders: {t2 - t0:.1f} s "
        f"(store {t1 - t0:.1f} s, arm {armed:,} APScheduler jobs {t2 - t1:.1f} s)"
    )
    await engine.shutdown()

    notifier2 = CountingNotifier()
    engine = ReminderEngine(
        store, Dispatcher({"console": notifier2}, ledger=store, policy=DispatchPolicy(pace=0))
    )
    t3 = time.perf_counter()
    await engine.start()
    print(
        f"engine start-up with {store.count_active():,} stored: "
        f"{time.perf_counter() - t3:.2f} s; resident memory {rss_mib():.0f} MiB"
    )

    due = (datetime.now(UTC) + timedelta(seconds=10)).replace(microsecond=0)
    notifier2.expected = burst
    records = store.add_reminders(drafts(burst, due, timedelta(0), "burst"))
    for record in records:
        engine.schedule(record)
    await asyncio.wait_for(notifier2.done.wait(), 3600)
    await engine.dispatcher.join()
    lateness = notifier2.lateness
    print(
        f"burst of {burst:,} due at once: lateness p50 {pct(lateness, 50):.2f} s, "
        f"p99 {pct(lateness, 99):.2f} s, max {max(lateness):.2f} s; "
        f"resident memory {rss_mib():.0f} MiB"
    )
    await engine.shutdown()
    store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(main(args.db or f"sqlite:///{folder}/bench.sqlite3", args.count, args.burst))
