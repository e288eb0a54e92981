"""A burst through the real `iepbot run`: reminders set by signed `/iep remind` slash commands,
all due in the same minute, each to its own destination, delivered to a local fake Slack.

Run: .venv/bin/python bench/run_burst.py [--count 2000] [--runs 3] [--db sqlite|postgres|both]

Each run starts a fresh `iepbot run` process in Slack HTTP mode (SLACK_SIGNING_SECRET,
SLACK_BOT_TOKEN, SLACK_API_URL pointed at a fake Slack Web API in this process, no rate limit)
on an empty database: SQLite in a temporary folder, or a throw-away PostgreSQL schema
(IEPBOT_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1/test). Then:

1. ``--count`` signed slash commands, ``--in-flight`` at a time, each from its own user: half
   ``remind me at HH:MM ...`` (a DM to the asker), half ``remind here at HH:MM ...`` typed in
   a channel of its own (the asker is its only member), so every reminder has a destination
   of its own. Users live in four US time zones and write the due minute in their own
   wall-clock time. The due minute is the first minute boundary after setting is expected to
   finish (estimated from the previous run; a run whose setting overran it is retried).
2. It waits for the due minute and reads the arrival time of every chat.postMessage at the
   fake (stamped when the request reached it). Lateness = arrival - due time.

Prints per run and min / median over runs: the time to set them all (acks and confirmations),
ack p50/p99, delivery lateness p50/p99/max and the first one's, the Web API calls other than
chat.postMessage made from the due time to the last delivery (and in the few seconds after,
when coalesced Home tab refreshes go out), and lost / doubled counts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from tests.local_server import free_port  # noqa: E402
from tests.replicas.harness import Replica  # noqa: E402
from tests.slack.fake_slack import Call, FakeSlack, SlackSender  # noqa: E402

ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
TAG = "burst-bench"
AFTER_SECONDS = 5.0


@dataclass
class BurstFakeSlack(FakeSlack):
    """The fake Slack, counting posts as they arrive (no rescans of the whole call list)."""

    posted: int = 0
    confirmed: int = 0
    _post_waiters: list[tuple[int, asyncio.Future[None]]] = field(default_factory=list)

    async def _record(self, call: Call) -> None:
        self.calls.append(call)  # no Condition round per call: waiters below are counted
        if call.method == "chat.postMessage" and call.status == 200:
            self.posted += 1
            for target, future in list(self._post_waiters):
                if self.posted >= target and not future.done():
                    future.set_result(None)

    async def _response_url(self, request: Any) -> Any:
        from aiohttp import web

        await request.read()
        self.confirmed += 1
        return web.Response(text="ok")

    async def wait_posts(self, count: int, timeout: float) -> None:
        if self.posted >= count:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._post_waiters.append((count, future))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(future, timeout)


@dataclass
class RunResult:
    set_seconds: float
    ack_p50: float
    ack_p99: float
    lateness: list[float]
    first: float
    others: Counter[str]
    after: Counter[str]
    lost: int
    doubled: int
    delivered: int


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        path = folder / f"burst-{time.monotonic_ns()}.sqlite3"
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        from tests.store.pg_helpers import postgres_schema

        with postgres_schema("iepbot_runbench") as url:
            yield url


def commands(count: int, due: datetime) -> list[tuple[str, str, str]]:
    """(user, channel, text) per reminder: even ones a DM to the asker, odd ones the channel
    the command was typed in; every destination different."""
    out = []
    for i in range(count):
        zone = ZONES[i % len(ZONES)]
        local = due.astimezone(ZoneInfo(zone)).strftime("%H:%M")
        user = f"U{i:05d}"
        if i % 2 == 0:
            out.append((user, f"D{i:05d}", f"remind me at {local} {TAG} {i:05d}"))
        else:
            out.append((user, f"C{i:05d}", f"remind here at {local} {TAG} {i:05d}"))
    return out


async def wait_ready(replica: Replica, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            state = await replica.health(session)
            if state and state.get("role") == "leader":
                return
            if not replica.alive:
                break
            await asyncio.sleep(0.1)
    raise RuntimeError("iepbot run did not become ready:\n" + replica.log.read_text()[-3000:])


async def set_all(
    sender: SlackSender, fake: BurstFakeSlack, todo: list[tuple[str, str, str]], in_flight: int
) -> tuple[float, list[float]]:
    """Send every command, ``in_flight`` at a time; seconds until every confirmation arrived
    at its response_url, and each request's time to its HTTP answer (the ack)."""
    acks: list[float] = []
    queue = iter(todo)
    start = time.monotonic()

    async def worker() -> None:
        for user, channel, text in queue:
            body = sender.command_body(text, user=user, channel=channel)
            sent = time.monotonic()
            reply = await sender.post(body, "application/x-www-form-urlencoded")
            acks.append(time.monotonic() - sent)
            if reply.status != 200:
                raise RuntimeError(f"slash command answered {reply.status}")

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    deadline = time.monotonic() + 120
    while fake.confirmed < len(todo) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    if fake.confirmed < len(todo):
        raise RuntimeError(f"only {fake.confirmed} of {len(todo)} commands were confirmed")
    return time.monotonic() - start, acks


def next_minute(after: datetime) -> datetime:
    return after.replace(second=0, microsecond=0) + timedelta(minutes=1)


async def start_profile(
    profile: Path | None, replica: Replica, due: datetime
) -> asyncio.subprocess.Process | None:
    """py-spy (installed by hand, for profiling only) sampling the bot from just before the
    due time, collapsed stacks into ``profile``."""
    if profile is None or replica.proc is None:
        return None
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds() - 1))
    spy = Path(sys.executable).with_name("py-spy")
    return await asyncio.create_subprocess_exec(
        str(spy),
        "record",
        "--pid",
        str(replica.proc.pid),
        "--rate",
        "100",
        "--format",
        "raw",
        "--output",
        str(profile),
        "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def stop_profile(spy: asyncio.subprocess.Process | None) -> None:
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        await spy.wait()


async def one_run(
    kind: str, count: int, in_flight: int, estimate: float, folder: Path, profile: Path | None
) -> Any:
    """One run; returns (RunResult, seconds setting took) or (None, seconds) when setting
    overran the due minute it was aimed at."""
    users = {f"U{i:05d}": {"tz": ZONES[i % len(ZONES)], "locale": "en-US"} for i in range(count)}
    channels = {f"C{i:05d}": [f"U{i:05d}"] for i in range(1, count, 2)}
    fake = BurstFakeSlack(users=users, channels=channels)
    await fake.start()
    replica = Replica("burst", free_port(), free_port(), folder / "run.log")
    try:
        with database(kind, folder) as url:
            replica.extra_env = {"IEPBOT_DEFAULT_TIMEZONE": "America/Chicago"}
            await replica.start(url, fake.url)
            await wait_ready(replica)
            sender = SlackSender(f"http://127.0.0.1:{replica.port}/slack/events", fake)
            try:
                due = next_minute(datetime.now(UTC) + timedelta(seconds=estimate))
                set_seconds, acks = await set_all(sender, fake, commands(count, due), in_flight)
            finally:
                await sender.close()
            if datetime.now(UTC) >= due - timedelta(seconds=1):
                return None, set_seconds
            # The due time on the fake's clock (it stamps arrivals with time.monotonic()).
            due_mono = time.monotonic() + (due - datetime.now(UTC)).total_seconds()
            before = fake.posted
            spy = await start_profile(profile, replica, due)
            wait = (due - datetime.now(UTC)).total_seconds() + 60
            await fake.wait_posts(before + count, wait)
            # Anything sent twice would arrive meanwhile, and the Home tab refreshes that
            # deliveries cause (coalesced for a few seconds) are counted.
            await asyncio.sleep(AFTER_SECONDS)
            await stop_profile(spy)
            posts = [
                c
                for c in fake.calls
                if c.method == "chat.postMessage" and c.status == 200 and TAG in c.args["text"]
            ]
            last = max((c.at for c in posts), default=due_mono)
            others = Counter(
                c.method
                for c in fake.calls
                if c.method != "chat.postMessage" and due_mono - 0.5 <= c.at <= last
            )
            after = Counter(
                c.method for c in fake.calls if c.method != "chat.postMessage" and last < c.at
            )
            seen = Counter(c.args["text"].rsplit(" ", 1)[-1] for c in posts)
            lateness = [c.at - due_mono for c in posts]
            result = RunResult(
                set_seconds=set_seconds,
                ack_p50=pct(acks, 50),
                ack_p99=pct(acks, 99),
                lateness=lateness,
                first=min(lateness, default=math.nan),
                others=others,
                after=after,
                lost=count - len(seen),
                doubled=sum(n - 1 for n in seen.values()),
                delivered=len(posts),
            )
            return result, set_seconds
    finally:
        await replica.terminate()
        await fake.stop()


def describe(r: RunResult) -> str:
    late = r.lateness or [math.nan]
    others = ", ".join(f"{m} {n}" for m, n in sorted(r.others.items())) or "none"
    after = ", ".join(f"{m} {n}" for m, n in sorted(r.after.items())) or "none"
    return (
        f"set {r.set_seconds:5.1f} s (ack p50 {r.ack_p50 * 1000:.0f} ms, p99 "
        f"{r.ack_p99 * 1000:.0f} ms); lateness p50 {pct(late, 50):.2f} s, p99 "
        f"{pct(late, 99):.2f} s, max {max(late):.2f} s, first {r.first:.2f} s; "
        f"{r.delivered} delivered, lost {r.lost}, doubled {r.doubled}; other Web API calls from "
        f"the due time to the last delivery: {others}; in the {AFTER_SECONDS:.0f} s after: {after}"
    )


def summary(name: str, values: list[float], unit: str = "s") -> str:
    return f"{name} {min(values):.2f} / {statistics.median(values):.2f} {unit}"


async def bench(
    kind: str, count: int, runs: int, in_flight: int, folder: Path, profile: Path | None
) -> None:
    print(f"== {kind}: {count} reminders by slash command, {in_flight} in flight, {runs} runs")
    results: list[RunResult] = []
    estimate = count / 50  # seconds; replaced by what the previous run measured
    while len(results) < runs:
        result, took = await one_run(kind, count, in_flight, estimate * 1.25 + 3, folder, profile)
        estimate = took
        if result is None:
            print(f"  (setting took {took:.1f} s, past the due minute; again with that estimate)")
            continue
        results.append(result)
        print(f"  run {len(results)}: {describe(result)}", flush=True)
    print(
        "  min / median over runs: "
        + "; ".join(
            [
                summary("set", [r.set_seconds for r in results]),
                summary("p50", [pct(r.lateness, 50) for r in results]),
                summary("p99", [pct(r.lateness, 99) for r in results]),
                summary("max", [max(r.lateness) for r in results]),
                summary("first", [r.first for r in results]),
            ]
        )
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--in-flight", type=int, default=16, help="slash commands at a time")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--profile", type=Path, help="py-spy collapsed stacks of the burst (last run) here"
    )
    args = parser.parse_args()
    # At least 3 runs for figures; a profile needs one.
    runs = args.runs if args.profile else max(3, args.runs)
    print(f"load before: {os.getloadavg()[0]:.2f} (1-minute average, {os.cpu_count()} cores)")
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            await bench(kind, args.count, runs, args.in_flight, Path(tmp), args.profile)
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
