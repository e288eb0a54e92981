"""Several `iepbot run` replicas on one PostgreSQL: failover time and delivery throughput.

Run: .venv/bin/python bench/replicas.py [--kills 10] [--count 1000]
Needs PostgreSQL (IEPBOT_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1/test);
everything else is local: a fake Slack on 127.0.0.1 and real replica processes, each in a
throw-away schema. Prints:
- failover: seconds from SIGKILL of the leader until another replica reports itself leader on
  /healthz, p50/p99 over --kills kills (the killed replica is restarted each time);
- throughput: --count reminders due at one instant over as many channels, delivered by a
  cluster of 1 and of 3 replicas: messages per second from the due time to the last one.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler.store.database import open_store  # noqa: E402
from tests.replicas.harness import Cluster, HistoryFakeSlack, add_reminders, utcnow  # noqa: E402
from tests.store.pg_helpers import postgres_schema  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def failover(kills: int, folder: Path) -> list[float]:
    fake = HistoryFakeSlack()
    await fake.start()
    times: list[float] = []
    with postgres_schema("iepbot_bench") as url:
        open_store(url).close()
        cluster = Cluster(url, fake, folder, size=3)
        try:
            await cluster.start()
            for _ in range(kills):
                leader = await cluster.leader()
                killed = time.monotonic()
                leader.kill()
                await leader.proc.wait()
                await cluster.leader(exclude={leader.name})
                times.append(time.monotonic() - killed)
                await leader.start(url, fake.url)  # back as a standby
                await cluster.wait_until(lambda s: all(x is not None for x in s), 60)
        finally:
            await cluster.stop()
            await fake.stop()
    return times


async def throughput(replicas: int, count: int, folder: Path) -> tuple[float, float]:
    fake = HistoryFakeSlack()
    await fake.start()
    with postgres_schema("iepbot_bench") as url:
        store = open_store(url)
        cluster = Cluster(url, fake, folder, size=replicas)
        try:
            await cluster.start()
            await cluster.leader()
            due = utcnow() + timedelta(seconds=3)
            add_reminders(store, count, due, timedelta(0), count, "bench-throughput")
            await fake.wait_for(lambda: len(fake.posts()) >= count, timeout=600)
            last = max(c.at for c in fake.calls if c.method == "chat.postMessage")
            first = min(c.at for c in fake.calls if c.method == "chat.postMessage")
            wall = max(last - first, 1e-6)
            lag = (utcnow() - due).total_seconds() - (time.monotonic() - last)
            return count / wall, lag
        finally:
            await cluster.stop()
            store.close()
            await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        times = await failover(args.kills, folder)
        print(
            f"failover over {len(times)} kills: p50 {pct(times, 50):.2f} s, "
            f"p99 {pct(times, 99):.2f} s, max {max(times):.2f} s, "
            f"mean {statistics.mean(times):.2f} s"
        )
        for n in (1, 3):
            rate, lag = await throughput(n, args.count, folder)
            print(
                f"throughput with {n} replica(s): {args.count} reminders due at once, "
                f"{rate:.0f} msg/s, last delivered {lag:.1f} s after the due time"
            )


if __name__ == "__main__":
    asyncio.run(main())
