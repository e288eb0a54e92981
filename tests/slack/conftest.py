"""The Slack adapter on its real HTTP endpoint, talking to a local fake Slack.

Two setups: ``slack_lookup`` runs with a store-less context (content only, starts fast), and
``slack`` runs on the real runtime (a temporary SQLite store, the scheduler and the dispatcher),
so reminders are stored, fired and delivered through the SlackNotifier.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.context import Context
from bots.slack.adapter import SlackAdapter, from_env
from tests.local_server import free_port
from tests.slack.fake_slack import SECRET, FakeSlack, SlackSender

USERS = {
    "U1": {"tz": "America/Chicago", "is_admin": False, "locale": "en-US"},
    "U2": {"tz": "America/New_York", "is_admin": False},
    "UADMIN": {"tz": "America/Denver", "is_admin": True},
    "UGROUP": {"tz": "America/Denver", "is_admin": False},
}
CHANNELS = {"C1": ["U1", "U2", "UADMIN", "UGROUP"], "C2": ["U2"]}


@dataclass
class Slack:
    fake: FakeSlack
    adapter: SlackAdapter
    sender: SlackSender
    ctx: Context


def env_for(fake: FakeSlack) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"{fake.url}/api/",
        "IEPBOT_SLACK_ADMIN_GROUP": "SADMINS",
    }


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = FakeSlack(
        users={k: dict(v) for k, v in USERS.items()},
        channels={k: list(v) for k, v in CHANNELS.items()},
        groups={"SADMINS": ["UGROUP"]},
    )
    await server.start()
    yield server
    await server.stop()


async def _started(fake: FakeSlack, ctx: Context) -> tuple[SlackAdapter, SlackSender]:
    adapter = from_env(env_for(fake), {"port": 0, "host": "127.0.0.1"})
    assert adapter is not None
    await adapter.start(ctx)
    return adapter, SlackSender(adapter.url, fake)


@pytest.fixture
async def slack_lookup(fake: FakeSlack, library) -> AsyncIterator[Slack]:
    ctx = Context(library)
    adapter, sender = await _started(fake, ctx)
    yield Slack(fake, adapter, sender, ctx)
    await sender.close()
    await adapter.stop()


@contextlib.asynccontextmanager
async def slack_with_store(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Slack]:
    """The adapter on a full runtime (SQLite store, dispatcher) against ``fake``; stopped in
    order on the way out (the adapter waits for the work each request started after its
    ack)."""
    from bots.runtime import start_runtime
    from scheduler.delivery.dispatcher import DispatchPolicy

    adapter = from_env(env_for(fake), {"port": 0, "host": "127.0.0.1"})
    assert adapter is not None
    runtime = await start_runtime(
        {"slack": adapter.notifier},
        database_url=f"sqlite:///{tmp_path}/t.sqlite3",
        policy=DispatchPolicy(pace=0.01, backoff=0.05, max_backoff=0.2),
    )
    await adapter.start(runtime.ctx)
    sender = SlackSender(adapter.url, fake)
    try:
        yield Slack(fake, adapter, sender, runtime.ctx)
    finally:
        await sender.close()
        await adapter.stop()
        await runtime.stop()


@pytest.fixture
async def slack(fake: FakeSlack, tmp_path) -> AsyncIterator[Slack]:
    async with slack_with_store(fake, tmp_path) as running_slack:
        yield running_slack


@contextlib.asynccontextmanager
async def running(
    fake: FakeSlack, database: Path, env: dict[str, str] | None = None, **options: Any
) -> AsyncIterator[SlackSender]:
    """`iepbot run` (``serve``) on a free port, with a sender for its /slack/events; on exit it
    is stopped the way SIGTERM stops it, and must exit 0. ``env`` adds to the Slack settings."""
    from bots.run import serve

    port = free_port()
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(
            {**env_for(fake), **(env or {})},
            port=port,
            host="127.0.0.1",
            database_url=f"sqlite:///{database}",
            grace=timedelta(hours=1),
            stop=stop,
            **options,
        )
    )
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", fake)
    try:
        yield sender
    finally:
        await sender.close()
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
