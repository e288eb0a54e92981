"""Reminder fixtures: a real store on SQLite and on PostgreSQL, and a recording notifier."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from bots.context import Context
from scheduler.delivery.messages import Outgoing
from scheduler.identity import Asker
from scheduler.reminders.service import ReminderService
from scheduler.store.database import open_store
from tests.store.pg_helpers import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'iepbot.sqlite3'}"
    else:
        with postgres_schema("iepbot_rem") as url:
            yield url


class RecordingNotifier:
    """A platform that accepts everything and lets a test wait for N messages."""

    platform = "console"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self._changed = asyncio.Event()

    async def deliver(self, message: Outgoing) -> None:
        self.sent.append(message)
        self._changed.set()

    async def wait_for(self, count: int, timeout: float = 20) -> list[Outgoing]:
        async def reached() -> None:
            while len(self.sent) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(reached(), timeout)
        return self.sent


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


NOW = datetime(2026, 10, 28, 15, 0, tzinfo=UTC)  # a Wednesday, before the November DST change
ALICE = Asker(
    platform="slack",
    user_id="UA",
    workspace_id="T1",
    channel_id="C1",
    is_admin=False,
    timezone="America/Chicago",
)


@pytest.fixture
def ctx(library, db_url):
    """The router's context on a real store (SQLite and PostgreSQL), with time fixed at NOW."""
    store = open_store(db_url)
    context = Context(library, store=store, reminders=ReminderService(store))
    with time_machine.travel(NOW, tick=False):
        yield context
    store.close()
