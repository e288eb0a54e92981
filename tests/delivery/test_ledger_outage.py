"""The database under the delivery ledger fails for a moment (a PostgreSQL restart, a dropped
connection): found by the chaos run, where a StoreError from the ledger escaped a destination's
worker ("Task exception was never retrieved"), and the messages queued behind it for that
destination stayed in memory, unsent, while the dispatcher reported itself idle."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import pytest

from scheduler.delivery.dispatcher import Dispatcher, DispatchPolicy
from scheduler.store.errors import StoreError
from tests.delivery.test_dispatcher import MemoryLedger, message
from tests.fake_http_platform import FakePlatform, HttpNotifier


class FlakyLedger(MemoryLedger):
    """A ledger whose database is away for the first ``begin_fails`` begin_send calls and the
    first ``sent_fails`` writes of "sent"."""

    def __init__(self, begin_fails: int = 0, sent_fails: int = 0) -> None:
        super().__init__()
        self.begin_fails = begin_fails
        self.sent_fails = sent_fails

    def begin_send(self, reminder_id, fire_at, *, attempts, epoch=None) -> bool:
        if self.begin_fails > 0:
            self.begin_fails -= 1
            raise StoreError("database error: OperationalError")
        self.history.append((reminder_id, "sending"))
        return True

    def mark_delivery(self, reminder_id, fire_at, status, **extra) -> None:
        if status == "sent" and self.sent_fails > 0:
            self.sent_fails -= 1
            raise StoreError("database error: OperationalError")
        super().mark_delivery(reminder_id, fire_at, status, **extra)


@pytest.fixture
async def platform():
    fake = FakePlatform()
    await fake.start()
    yield fake
    await fake.stop()


async def _run(platform, ledger: FlakyLedger, count: int = 3) -> Dispatcher:
    notifier = HttpNotifier(platform.url)
    dispatcher = Dispatcher(
        {"fake": notifier}, ledger=ledger, policy=DispatchPolicy(pace=0.01, backoff=0.01)
    )
    for i in range(1, count + 1):
        dispatcher.submit(message(i, "C1"))  # one destination: one worker, one queue
    await asyncio.wait_for(dispatcher.join(), 30)
    await notifier.close()
    return dispatcher


async def test_a_ledger_outage_before_a_send_delays_it_and_the_queue_goes_on(platform, caplog):
    ledger = FlakyLedger(begin_fails=2)
    with caplog.at_level(logging.ERROR):
        await _run(platform, ledger)
        await asyncio.sleep(0)  # an escaped worker exception is reported here
    assert Counter(r.text for r in platform.received) == Counter(f"reminder {i}" for i in (1, 2, 3))
    assert ledger.final() == {1: "sent", 2: "sent", 3: "sent"}
    assert "never retrieved" not in caplog.text


async def test_a_ledger_outage_after_a_send_never_resends_and_the_queue_goes_on(platform, caplog):
    ledger = FlakyLedger(sent_fails=2)
    with caplog.at_level(logging.ERROR):
        await _run(platform, ledger)
        await asyncio.sleep(0)
    assert Counter(r.text for r in platform.received) == Counter(f"reminder {i}" for i in (1, 2, 3))
    assert ledger.final() == {1: "sent", 2: "sent", 3: "sent"}
    assert "never retrieved" not in caplog.text
