"""A reminder burst against platforms that enforce their rate limits: total time vs the floor.

Run: .venv/bin/python bench/reminders_limited.py [--platform slack|discord|both]
         [--channels 500] [--slack-per-channel 20] [--discord-per-channel 4] [--runs 3]

Each run stores ``channels x per-channel`` reminders due in the same second (one SQLite store,
the real reminder engine and dispatcher) and delivers them through the real notifier path to
a local fake that enforces the limits (tests/limited_platforms.py):

- Slack: the adapter started as ``iepbot run`` starts it (``from_env`` with ``SLACK_API_URL``,
  so slack_sdk's AsyncWebClient on the adapter's shared session) against the fake Web API;
  chat.postMessage is a token bucket per channel, burst 3 and one a second, and a 429 says
  Retry-After in whole seconds.
- Discord: discord.py's own HTTP client (``DISCORD_API_URL``, ``client_options``) against the
  fake REST API; 5 messages per 5 s per channel and 50 requests a second for the bot, both as
  windows that reset whole, with Discord's X-RateLimit-* headers on every answer.

The floor is the least time the limits allow from the due time to the last message, if the
network and the bot took no time: Slack's ``(n - burst) / rate`` per channel; for Discord, an
ideal sender simulated under both limits (``discord_floor``), which is the larger of the
per-channel ``(ceil(n / 5) - 1) x 5 s`` and the global ``(ceil(N / 50) - 1) x 1 s`` when
one of them dominates, and later than both when they interact. Measured: the due time to the
last "sent" committed in the ledger. Lost: reminders the fake never accepted; doubled: accepted
more than once (each reminder's text is unique). 429s: the answers the fake had to refuse.
Figures are min / median over ``--runs`` runs (at least 3).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import discord  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bots.context import Context  # noqa: E402
from bots.discord.adapter import client_options, configure_api_url  # noqa: E402
from bots.discord.notifier import DiscordNotifier  # noqa: E402
from bots.slack.adapter import from_env  # noqa: E402
from scheduler.delivery.dispatcher import Dispatcher  # noqa: E402
from scheduler.delivery.messages import Notifier  # noqa: E402
from scheduler.reminders.jobs import ReminderEngine  # noqa: E402
from scheduler.store.database import open_store  # noqa: E402
from scheduler.store.records import ReminderDraft  # noqa: E402
from scheduler.store.store import Store  # noqa: E402
from tests.discord.fake_discord import TOKEN, FakeDiscord  # noqa: E402
from tests.limited_platforms import DiscordLimits, SlackPostLimits  # noqa: E402
from tests.slack.fake_slack import SECRET, FakeSlack  # noqa: E402

DUE_IN = 3.0  # seconds between storing the burst and its due time


class Finished:
    """The dispatcher's observer: when the last reminder's "sent" (or failure) is committed."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.settled = 0
        self.failed = 0
        self.last = 0.0
        self.done = asyncio.Event()

    def _settle(self) -> None:
        self.settled += 1
        self.last = time.time()
        if self.settled >= self.expected:
            self.done.set()

    def sent(self, platform: str, late: bool, lateness: float | None) -> None:
        self._settle()

    def retried(self, platform: str, reason: str) -> None:
        return None

    def failed(self, platform: str) -> None:
        self.failed += 1
        self._settle()


@dataclass
class Outcome:
    total: float
    floor: float
    lost: int
    doubled: int
    refused: int
    failed: int


def slack_floor(per_channel: int, limits: SlackPostLimits) -> float:
    return max(0, per_channel - limits.burst) / limits.per_second


def discord_floor(channels: int, per_channel: int, limits: DiscordLimits) -> float:
    """The last send of an ideal sender (no network time, each message as soon as both its
    channel's window and the global one have room, in the order they are queued: one per
    channel in turn). Per channel alone ``(ceil(n / 5) - 1) x 5 s`` and globally alone
    ``(ceil(N / 50) - 1) x 1 s`` are lower bounds; when both bind, a channel's windows open
    late behind the global limit and this is later than either."""
    left = [per_channel] * channels
    opened: list[float | None] = [None] * channels
    used = [0] * channels
    global_opened: float | None = None
    global_used = 0
    now = last = 0.0
    while any(left):
        if global_opened is not None and now >= global_opened + limits.global_seconds:
            global_opened = None
        for c in range(channels):
            window = opened[c]
            if window is not None and now >= window + limits.channel_seconds:
                opened[c] = None
        progress = True
        while progress:
            progress = False
            for c in range(channels):
                if not left[c]:
                    continue
                if global_opened is None:
                    global_opened, global_used = now, 0
                if global_used >= limits.global_limit:
                    break
                if opened[c] is None:
                    opened[c], used[c] = now, 0
                if used[c] >= limits.per_channel:
                    continue
                used[c] += 1
                global_used += 1
                left[c] -= 1
                last, progress = now, True
        resets = [] if global_opened is None else [global_opened + limits.global_seconds]
        resets += [
            window + limits.channel_seconds
            for c, window in enumerate(opened)
            if left[c] and window is not None
        ]
        now = min(r for r in resets if r > now)
    return last


async def burst(
    store: Store,
    platform: str,
    notifier: Notifier,
    targets: list[str],
    per_channel: int,
    tag: str,
) -> tuple[Finished, float]:
    """Store the burst, let the engine deliver it; the seconds from the due time to the end."""
    count = len(targets) * per_channel
    finished = Finished(count)
    engine = ReminderEngine(
        store, Dispatcher({platform: notifier}, ledger=store, observer=finished)
    )
    await engine.start()
    due = (datetime.now(UTC) + timedelta(seconds=DUE_IN)).replace(microsecond=0)
    drafts = [
        ReminderDraft(
            platform=platform,
            workspace_id="T1",
            owner_id=f"U{i % 500}",
            target_kind="channel",
            target_id=targets[i % len(targets)],
            text=f"bench {tag} reminder {i}",
            lang="en",
            timezone="America/Chicago",
            next_fire_at=due,
        )
        for i in range(count)
    ]
    records = await asyncio.to_thread(store.add_reminders, drafts)
    engine.arm_many(records)
    try:
        await asyncio.wait_for(finished.done.wait(), 3600)
    finally:
        await engine.shutdown()
    return finished, finished.last - due.timestamp()


def tally(texts: list[str], tag: str, count: int) -> tuple[int, int]:
    """Lost and doubled among the texts the fake accepted (each reminder's number is in it)."""
    accepted = Counter(
        int(m.group(1)) for t in texts if (m := re.search(rf"bench {tag} reminder (\d+)", t))
    )
    lost = sum(1 for i in range(count) if accepted[i] == 0)
    doubled = sum(1 for times in accepted.values() if times > 1)
    return lost, doubled


def empty(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM deliveries"))
        conn.execute(text("DELETE FROM reminders"))


async def serve(platform: str) -> None:
    """The child process: run one enforcing fake, print its URL, and on a line on stdin print
    what it accepted and refused (as JSON) and stop. A separate process, as a real platform
    does not share the bot's CPU."""
    counted: Callable[[], dict[str, Any]]
    if platform == "slack":
        slack_limits = SlackPostLimits()
        slack = FakeSlack(post_limits=slack_limits)
        await slack.start()
        url, stop = slack.url, slack.stop

        def counted() -> dict[str, Any]:
            texts = [str(a.get("text", "")) for a in slack.called("chat.postMessage")]
            return {"texts": texts, "refused": slack_limits.refused}
    else:
        discord_limits = DiscordLimits()
        fake = FakeDiscord(message_limits=discord_limits)
        await fake.start()
        url, stop = fake.url, fake.stop

        def counted() -> dict[str, Any]:
            texts = [str((c.body or {}).get("content", "")) for c in fake.channel_messages]
            refused = discord_limits.refused_channel + discord_limits.refused_global
            return {
                "texts": texts,
                "refused": refused,
                "refused_global": discord_limits.refused_global,
            }

    print(url, flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    print(json.dumps(counted()), flush=True)
    await stop()


class Platform:
    """The fake in a child process."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.url = ""
        self.child: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Platform:
        self.child = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--serve",
            self.name,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 26,  # the counts are one JSON line of every accepted text
        )
        assert self.child.stdout is not None
        self.url = (await self.child.stdout.readline()).decode().strip()
        return self

    async def counts(self) -> dict[str, Any]:
        child = self.child
        assert child is not None and child.stdin is not None and child.stdout is not None
        child.stdin.write(b"stop\n")
        await child.stdin.drain()
        counted: dict[str, Any] = json.loads(await child.stdout.readline())
        return counted

    async def __aexit__(self, *exc: object) -> None:
        if self.child is not None:
            if self.child.returncode is None and self.child.stdin is not None:
                self.child.stdin.close()
            await self.child.wait()


async def slack_run(store: Store, channels: int, per_channel: int, tag: str) -> Outcome:
    async with Platform("slack") as platform:
        adapter = from_env(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": f"{platform.url}/api/",
            },
            {"port": 0, "host": "127.0.0.1"},
        )
        assert adapter is not None
        # Started as `iepbot run` starts it: its shared HTTP session, its Home refreshes.
        await adapter.start(Context.default())
        targets = [f"C{n:05d}" for n in range(channels)]
        try:
            finished, total = await burst(
                store, "slack", adapter.notifier, targets, per_channel, tag
            )
        finally:
            await adapter.stop()
        counted = await platform.counts()
    lost, doubled = tally(counted["texts"], tag, channels * per_channel)
    floor = slack_floor(per_channel, SlackPostLimits())
    return Outcome(total, floor, lost, doubled, counted["refused"], finished.failed)


async def discord_run(store: Store, channels: int, per_channel: int, tag: str) -> Outcome:
    async with Platform("discord") as platform:
        original = discord.http.Route.BASE
        configure_api_url(platform.url)
        notifier = DiscordNotifier()
        client = discord.Client(**client_options(notifier))
        notifier.client = client
        targets = [str(1200000000000000000 + n) for n in range(channels)]
        try:
            await client.login(TOKEN)
            finished, total = await burst(store, "discord", notifier, targets, per_channel, tag)
        finally:
            await client.close()
            discord.http.Route.BASE = original
        counted = await platform.counts()
    lost, doubled = tally(counted["texts"], tag, channels * per_channel)
    floor = discord_floor(channels, per_channel, DiscordLimits())
    return Outcome(total, floor, lost, doubled, counted["refused"], finished.failed)


Run = Callable[[Store, int, int, str], Awaitable[Outcome]]


def summary(values: list[float], digits: int = 2) -> str:
    return f"min {min(values):.{digits}f} / median {statistics.median(values):.{digits}f}"


async def platform_runs(
    name: str, run: Run, url: str, channels: int, per_channel: int, runs: int
) -> None:
    outcomes: list[Outcome] = []
    for n in range(runs):
        store = open_store(url)
        empty(store)
        try:
            outcomes.append(await run(store, channels, per_channel, f"{name}{n}"))
        finally:
            store.close()
    floor = outcomes[0].floor
    totals = [o.total for o in outcomes]
    print(
        f"{name}: {channels} channels x {per_channel} = {channels * per_channel:,} reminders "
        f"due at once, {runs} runs"
    )
    print(f"  floor the limits allow: {floor:.2f} s")
    print(f"  total (due -> last sent): {summary(totals)} s")
    print(f"  total / floor: {summary([t / floor if floor else math.inf for t in totals], 3)}")
    print(f"  429s answered by the fake: {summary([float(o.refused) for o in outcomes], 0)}")
    print(
        f"  lost: {sum(o.lost for o in outcomes)}, doubled: {sum(o.doubled for o in outcomes)}, "
        f"failed in the ledger: {sum(o.failed for o in outcomes)} (all runs)"
    )


async def main(args: Any, url: str) -> None:
    runs = max(3, args.runs)
    if args.platform in ("slack", "both"):
        await platform_runs("slack", slack_run, url, args.channels, args.slack_per_channel, runs)
    if args.platform in ("discord", "both"):
        await platform_runs(
            "discord", discord_run, url, args.channels, args.discord_per_channel, runs
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--platform", choices=("slack", "discord", "both"), default="both")
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--slack-per-channel", type=int, default=20)
    parser.add_argument("--discord-per-channel", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.serve:
        asyncio.run(serve(args.serve))
        sys.exit(0)
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        asyncio.run(main(args, db))
