"""Several `iepbot run` replicas on one PostgreSQL: failover time and delivery throughput.

Run: .venv/bin/python bench/replicas.py [--kills 10] [--rate 20] [--count 1000] [--runs 3]
Needs PostgreSQL (IEPBOT_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1/test);
everything else is local: a fake Slack on 127.0.0.1 and real replica processes, each in a
throw-away schema. Prints:
- failover: 3 replicas, reminders due at a steady --rate per second; every few seconds the
  leader is SIGKILLed (and restarted as a standby); the fake answers a post after --latency
  seconds, as a real Web API takes a while, so a kill usually cuts sends short. Per kill:
  seconds from the kill to the new leader's first post at the fake Slack (a post on a
  connection the killed leader never used), to another replica saying "leader" on /healthz,
  and the lateness of the reminders due from 1 s before to WINDOW s after the kill;
  min / median / p99 / max over --kills kills;
- throughput: --count reminders due at one instant over as many channels, delivered by a
  cluster of 1 and of 3 replicas: messages per second from the due time to the last one,
  min / median over --runs runs (at least 3).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web  # noqa: E402

from scheduler.store.database import open_store  # noqa: E402
from tests.replicas.harness import Cluster, HistoryFakeSlack, add_reminders, utcnow  # noqa: E402
from tests.slack.fake_slack import Call  # noqa: E402
from tests.store.pg_helpers import postgres_schema  # noqa: E402

STEADY = 3.0  # seconds of deliveries by a leader before it is killed
WINDOW = 3.0  # reminders due up to this long after a kill are "due during the failover"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def spread(values: list[float]) -> str:
    return (
        f"min {min(values):.2f} / median {statistics.median(values):.2f} / "
        f"p99 {pct(values, 99):.2f} / max {max(values):.2f} s"
    )


@dataclass
class Kill:
    to_leader: float  # SIGKILL -> another replica says "leader" on /healthz
    to_delivery: float  # SIGKILL -> the new leader's first post reached Slack
    late_max: float  # the latest of the reminders due in the failover window
    late_p99: float


class SlowFakeSlack(HistoryFakeSlack):
    """Answers chat.postMessage ``latency`` seconds after recording it, as a real Web API
    takes a while: a killed leader then usually has sends under way."""

    latency: float = 0.0

    async def _api(self, request: web.Request) -> web.Response:
        response = await super()._api(request)
        if self.latency and request.match_info["method"] == "chat.postMessage":
            await asyncio.sleep(self.latency)
        return response


async def failover(kills: int, rate: float, latency: float, folder: Path) -> list[Kill]:
    """Reminders due at a steady ``rate`` per second throughout; the leader is SIGKILLed every
    few seconds and restarted as a standby."""
    fake = SlowFakeSlack()
    fake.latency = latency
    await fake.start()
    found: list[Kill] = []
    with postgres_schema("iepbot_bench") as url:
        store = open_store(url)
        cluster = Cluster(url, fake, folder, size=3)
        try:
            await cluster.start()
            await cluster.leader()
            seconds = kills * (STEADY + WINDOW + 8) + 30
            count = int(seconds * rate)
            start = utcnow() + timedelta(seconds=2)
            offset = time.monotonic() - utcnow().timestamp()  # wall clock -> the fake's clock
            add_reminders(store, count, start, timedelta(seconds=count / rate), 100, "failover")
            first_due = start.timestamp() + offset

            def due_of(post: dict) -> float:
                return first_due + int(post["text"].rsplit(" ", 1)[-1]) / rate

            for _ in range(kills):
                leader = await cluster.leader()
                await asyncio.sleep(STEADY)  # steady deliveries by this leader first
                before = {c.peer for c in fake.calls}
                killed = time.monotonic()
                leader.kill()
                await leader.proc.wait()
                await cluster.leader(exclude={leader.name})
                to_leader = time.monotonic() - killed

                def new_post(since: float = killed, old: set = before) -> Call | None:
                    return next(
                        (
                            c
                            for c in fake.calls
                            if c.method == "chat.postMessage" and c.at > since and c.peer not in old
                        ),
                        None,
                    )

                first = await fake.wait_for(new_post, timeout=60)
                await asyncio.sleep(WINDOW + 2)
                window = [
                    c.at - due_of(c.args)
                    for c in fake.calls
                    if c.method == "chat.postMessage"
                    and "failover" in c.args.get("text", "")
                    and killed - 1 <= due_of(c.args) <= killed + WINDOW
                ]
                found.append(Kill(to_leader, first.at - killed, max(window), pct(window, 99)))
                print(
                    f"  kill {len(found)}: leader on /healthz after {to_leader:.2f} s, its first "
                    f"post {first.at - killed:.2f} s after the kill; reminders due from 1 s "
                    f"before to {WINDOW:.0f} s after: lateness p99 {pct(window, 99):.2f} s, "
                    f"max {max(window):.2f} s",
                    flush=True,
                )
                await leader.start(url, fake.url)  # back as a standby
                await cluster.wait_until(lambda s: all(x is not None for x in s), 60)
        finally:
            await cluster.stop()
            store.close()
            await fake.stop()
    return found


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
            # The due time on the fake's clock (monotonic), so the rate counts from the moment
            # the reminders were due, not from the first send (which hides the start-up lag).
            due_mono = time.monotonic() + (due - utcnow()).total_seconds()
            add_reminders(store, count, due, timedelta(0), count, "bench-throughput")
            await fake.wait_for(lambda: len(fake.posts()) >= count, timeout=600)
            last = max(c.at for c in fake.calls if c.method == "chat.postMessage")
            lag = last - due_mono
            return count / max(lag, 1e-6), lag
        finally:
            await cluster.stop()
            store.close()
            await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=20, help="reminders due per second")
    parser.add_argument(
        "--latency", type=float, default=0.1, help="seconds the fake takes to answer a post"
    )
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(
            f"failover: 3 replicas, reminders due at {args.rate:g}/s over 100 channels, "
            f"chat.postMessage answered after {args.latency * 1000:.0f} ms, "
            f"the leader SIGKILLed {args.kills} times (load {os.getloadavg()[0]:.2f}):"
        )
        kills = await failover(args.kills, args.rate, args.latency, folder)
        print(f"  kill -> new leader's first delivery: {spread([k.to_delivery for k in kills])}")
        print(f"  kill -> leader on /healthz:          {spread([k.to_leader for k in kills])}")
        print(f"  max lateness due in the window:      {spread([k.late_max for k in kills])}")
        for n in () if args.skip_throughput else (1, 3):
            runs = [await throughput(n, args.count, folder) for _ in range(max(3, args.runs))]
            rates = [rate for rate, _ in runs]
            lags = [lag for _, lag in runs]
            print(
                f"throughput with {n} replica(s), {args.count} reminders due at once, "
                f"{len(runs)} runs: {min(rates):.0f} / {statistics.median(rates):.0f} msg/s "
                f"(min / median, counted from the due time); last delivered "
                f"{min(lags):.1f} / {statistics.median(lags):.1f} s after the due time"
            )


if __name__ == "__main__":
    asyncio.run(main())
