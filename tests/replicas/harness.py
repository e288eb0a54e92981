"""Real `iepbot run` processes against one PostgreSQL schema and a fake Slack, for the replica
tests and bench/replicas.py: start them, read their /healthz, find the leader, kill it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from scheduler.delivery.dispatcher import Dispatcher
from scheduler.reminders.jobs import ReminderEngine
from scheduler.store.records import ReminderDraft
from scheduler.store.store import Store
from tests.local_server import free_port
from tests.slack.fake_slack import SECRET, FakeSlack

LAUNCH = "import sys\nfrom bots.cli import main\nsys.exit(main(sys.argv[1:]))\n"


class HistoryFakeSlack(FakeSlack):
    """The fake Slack plus conversations.history over the posts it accepted, metadata included,
    so a new leader can check whether a send cut short by a crash landed."""

    def _answer(self, method: str, args: dict[str, Any]) -> tuple[int, dict, dict[str, str]]:
        if method == "conversations.history":
            channel = args.get("channel")
            messages = [
                {"type": "message", "text": c.args.get("text"), "metadata": c.args.get("metadata")}
                for c in self.calls
                if c.method == "chat.postMessage"
                and c.status == 200
                and c.args.get("channel") == channel
            ]
            return 200, {"ok": True, "messages": messages[::-1], "has_more": False}, {}
        return super()._answer(method, args)

    def posts(self) -> list[dict[str, Any]]:
        return self.called("chat.postMessage")


@dataclass
class Replica:
    name: str
    port: int
    health_port: int
    log: Path
    proc: asyncio.subprocess.Process | None = None
    _log_file: Any = field(default=None, repr=False)

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.health_port}/healthz"

    async def start(self, db_url: str, fake_url: str) -> None:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-replica-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake_url + "/api/",
            "IEPBOT_DATABASE_URL": db_url,
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("SLACK_APP_TOKEN", "DISCORD_TOKEN", "IEPBOT_PUSHES"):
            env.pop(name, None)
        self._log_file = self.log.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            LAUNCH,
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--health-port",
            str(self.health_port),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=asyncio.subprocess.STDOUT,
            env=env,
        )

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def health(self, session: aiohttp.ClientSession) -> dict[str, Any] | None:
        if not self.alive:
            return None
        try:
            timeout = aiohttp.ClientTimeout(total=3)
            async with session.get(self.health_url, timeout=timeout) as r:
                return json.loads(await r.text())
        except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError):
            return None

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)

    async def terminate(self, timeout: float = 30) -> int | None:
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._log_file is not None:
            self._log_file.close()
        return self.proc.returncode


class Cluster:
    def __init__(self, db_url: str, fake: FakeSlack, folder: Path, size: int) -> None:
        self.db_url = db_url
        self.fake = fake
        self.replicas = [
            Replica(f"r{i}", free_port(), free_port(), folder / f"replica{i}.log")
            for i in range(size)
        ]
        self.session = aiohttp.ClientSession()

    async def start(self, timeout: float = 90) -> None:
        for replica in self.replicas:
            await replica.start(self.db_url, self.fake.url)
        await self.wait_until(lambda states: all(s is not None for s in states), timeout)

    async def states(self) -> list[dict[str, Any] | None]:
        return list(await asyncio.gather(*(r.health(self.session) for r in self.replicas)))

    async def wait_until(self, condition: Any, timeout: float, step: float = 0.1) -> Any:
        """Poll every replica's /healthz until ``condition(states)`` is truthy."""
        deadline = time.monotonic() + timeout
        while True:
            states = await self.states()
            found = condition(states)
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"cluster never reached the state; last: {states}\n" + self.logs()
                )
            await asyncio.sleep(step)  # a polling interval, not a way to move time

    async def leader(
        self, timeout: float = 30, exclude: set[str] | frozenset = frozenset()
    ) -> Replica:
        def one(states: list[dict[str, Any] | None]) -> Replica | None:
            leaders = [
                r
                for r, s in zip(self.replicas, states, strict=True)
                if s and s.get("role") == "leader" and r.name not in exclude and r.alive
            ]
            return leaders[0] if len(leaders) == 1 else None

        return await self.wait_until(one, timeout)

    def logs(self) -> str:
        return "\n".join(
            f"--- {r.name} ---\n{r.log.read_text(errors='replace')[-4000:]}"
            for r in self.replicas
            if r.log.exists()
        )

    async def stop(self) -> list[int | None]:
        codes = list(await asyncio.gather(*(r.terminate() for r in self.replicas)))
        await self.session.close()
        return codes


def add_reminders(
    store: Store, count: int, start: datetime, spread: timedelta, channels: int, tag: str
) -> list[int]:
    """``count`` channel reminders due evenly over ``spread`` from ``start``, stored and armed
    the way a standby replica arms them (rows in the shared job store)."""
    step = spread / max(count - 1, 1)
    drafts = [
        ReminderDraft(
            platform="slack",
            workspace_id="T1",
            owner_id=f"U{i % 7}",
            target_kind="channel",
            target_id=f"C{i % channels:03d}",
            text=f"{tag} {i:04d}",
            lang="en",
            timezone="America/Chicago",
            next_fire_at=start + step * i,
        )
        for i in range(count)
    ]
    records = store.add_reminders(drafts)
    ReminderEngine(store, Dispatcher({})).arm_many(records)
    return [r.id for r in records]


def utcnow() -> datetime:
    return datetime.now(UTC)
