"""The dispatcher against a local HTTP platform that rate-limits and fails like the real ones."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from scheduler.delivery.dispatcher import Dispatcher, DispatchPolicy
from scheduler.delivery.messages import Outgoing, SendError
from tests.fake_http_platform import FakePlatform, HttpNotifier

PACE = 0.05


class MemoryLedger:
    def __init__(self) -> None:
        self.history: list[tuple[int, str]] = []

    def mark_delivery(self, reminder_id, fire_at, status, *, late=None, error=None, attempts=None):
        self.history.append((reminder_id, status))

    def final(self) -> dict[int, str]:
        return {rid: status for rid, status in self.history}


def message(i: int, channel: str) -> Outgoing:
    return Outgoing(
        platform="fake",
        target_kind="channel",
        target_id=channel,
        text=f"reminder {i}",
        reminder_id=i,
        fire_at=datetime(2026, 11, 30, 8, tzinfo=UTC),
        owner_id="U1",
    )


@pytest.fixture
async def platform():
    fake = FakePlatform()
    await fake.start()
    yield fake
    await fake.stop()


async def run_all(platform: FakePlatform, messages: list[Outgoing], **policy) -> Dispatcher:
    notifier = HttpNotifier(platform.url)
    ledger = MemoryLedger()
    dispatcher = Dispatcher(
        {"fake": notifier}, ledger=ledger, policy=DispatchPolicy(pace=PACE, backoff=0.01, **policy)
    )
    for m in messages:
        dispatcher.submit(m)
    await asyncio.wait_for(dispatcher.join(), 60)
    await notifier.close()
    dispatcher.ledger_for_test = ledger  # type: ignore[attr-defined]
    return dispatcher


async def test_429_with_retry_after_every_message_arrives_once_and_paced(platform) -> None:
    platform.limit_every = 4  # every 4th request per channel is refused with Retry-After: 1
    messages = [message(i, f"C{i % 5}") for i in range(60)]
    dispatcher = await run_all(platform, messages)

    texts = Counter(r.text for r in platform.received)
    assert set(texts) == {m.text for m in messages}
    assert max(texts.values()) == 1, "a message arrived twice"
    assert platform.answered_429 > 0 and dispatcher.stats.rate_limited == platform.answered_429

    for channel, times in platform.attempts.items():
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert min(gaps) >= PACE * 0.9, f"{channel} was not paced"
        # After each 429, the next attempt waited at least the Retry-After the platform gave.
        for n in range(4, len(times), 4):
            assert times[n] - times[n - 1] >= 0.95
    # Order within a channel is kept.
    for channel in {m.target_id for m in messages}:
        sent = [int(r.text.split()[1]) for r in platform.received if r.channel == channel]
        assert sent == sorted(sent)
    ledger = dispatcher.ledger_for_test.final()
    assert set(ledger.values()) == {"sent"} and len(ledger) == 60


async def test_5xx_is_retried_with_backoff_then_delivered(platform) -> None:
    platform.fail_first = 2
    dispatcher = await run_all(platform, [message(1, "C1")])
    assert [r.text for r in platform.received] == ["reminder 1"]
    assert len(platform.attempts["C1"]) == 3 and dispatcher.stats.retried == 2


async def test_permanent_failure_is_recorded_and_the_owner_told(platform) -> None:
    platform.gone.add("C9")
    told: list[tuple[int, str]] = []

    async def tell(msg: Outgoing, error: SendError) -> None:
        told.append((msg.reminder_id, error.code))

    notifier = HttpNotifier(platform.url)
    ledger = MemoryLedger()
    dispatcher = Dispatcher({"fake": notifier}, ledger=ledger, on_failure=tell)
    dispatcher.submit(message(7, "C9"))
    await asyncio.wait_for(dispatcher.join(), 30)
    await notifier.close()
    assert told == [(7, "channel_not_found")]
    assert ledger.final() == {7: "failed"} and platform.received == []


async def test_too_many_failures_give_up_as_failed(platform) -> None:
    platform.fail_first = 100
    dispatcher = await run_all(platform, [message(3, "C3")], max_attempts=3)
    assert dispatcher.stats.failed == 1 and len(platform.attempts["C3"]) == 3
    assert dispatcher.ledger_for_test.final() == {3: "failed"}


async def test_late_messages_are_counted_late(platform) -> None:
    late = Outgoing(**{**message(4, "C4").__dict__, "late_by": timedelta(minutes=30)})
    dispatcher = await run_all(platform, [late])
    assert dispatcher.stats.late == 1


class Gate:
    """A platform that holds the first message until let through; takes the rest at once."""

    platform = "fake"

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.calling = asyncio.Event()
        self.received: list[str] = []

    async def deliver(self, message: Outgoing) -> None:
        if not self.received and not self.open.is_set():
            self.calling.set()
            await self.open.wait()
        self.received.append(message.text)


async def test_a_send_cancelled_while_waiting_for_a_slot_does_not_keep_it() -> None:
    """With one slot, a queued send cancelled as the slot is handed to it (a hand-back) must
    pass the slot on: otherwise every later message would wait forever."""
    gate = Gate()
    dispatcher = Dispatcher({"fake": gate}, policy=DispatchPolicy(pace=0, concurrency=1))
    first, second, third = (message(i, f"C{i}") for i in range(3))
    for m in (first, second, third):
        dispatcher.submit(m)
    await asyncio.wait_for(gate.calling.wait(), 5)
    gate.open.set()  # the first finishes, its slot goes to the second ...
    dispatcher._workers[second.destination].cancel()  # ... which is cancelled meanwhile
    await asyncio.wait_for(dispatcher.join(), 5)
    assert gate.received == [first.text, third.text]


async def test_a_slot_handed_to_a_send_cancelled_before_it_ran_is_passed_on() -> None:
    from scheduler.delivery.dispatcher import _Slots

    slots = _Slots(1)
    await slots.__aenter__()
    entered: list[str] = []

    async def send(name: str) -> None:
        async with slots:
            entered.append(name)

    waiting = asyncio.create_task(send("cancelled"))
    await asyncio.sleep(0)  # it now waits for the slot
    await slots.__aexit__()  # the slot is handed to it ...
    waiting.cancel()  # ... and it is cancelled before it could run
    await asyncio.gather(waiting, return_exceptions=True)
    await asyncio.wait_for(send("next"), 5)  # the slot was passed on, not lost
    assert entered == ["next"]
