"""The supervisor of `iepbot run`'s long-running parts, on a clock the test moves."""

from __future__ import annotations

import logging

from bots.supervisor import Supervisor


class Part:
    """A part that dies when told to and can be made to fail its next starts."""

    def __init__(self) -> None:
        self.running = True
        self.starts = 0
        self.stops = 0
        self.fail_starts = 0

    def alive(self) -> bool:
        return self.running

    async def start(self) -> None:
        self.starts += 1
        if self.fail_starts:
            self.fail_starts -= 1
            raise ConnectionError("still down")
        self.running = True

    async def stop(self) -> None:
        self.stops += 1

    def reason(self) -> str:
        return "AttributeError"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_dead_part_is_restarted_with_growing_backoff_and_counted(caplog) -> None:
    clock, part, counted = Clock(), Part(), []
    sup = Supervisor(first_backoff=1, max_backoff=8, on_restart=counted.append, clock=clock)
    sup.watch("discord", alive=part.alive, start=part.start, stop=part.stop, reason=part.reason)
    caplog.set_level(logging.INFO)
    await sup.check()
    assert sup.state("discord") == "running" and part.starts == 0

    part.running, part.fail_starts = False, 2
    await sup.check()  # noticed, logged, waits the backoff
    assert sup.state("discord") == "restarting" and part.starts == 0
    assert any("discord stopped (AttributeError)" in r.getMessage() for r in caplog.records)
    tries = []
    for _ in range(40):
        clock.now += 0.5
        await sup.check()
        tries.append(part.starts)
    assert part.starts == 3 and part.running  # two failed starts, then one that worked
    first = [i for i, n in enumerate(tries) if n][0]
    second = tries.index(2)
    third = tries.index(3)
    assert third - second > second - first  # the wait between tries doubles
    assert counted == ["discord"] * 3
    assert sup.state("discord") == "running"
    assert sup.report()["discord"]["restarts"] == 3


async def test_a_part_down_too_long_is_given_up_once() -> None:
    clock, part, gave_up = Clock(), Part(), []

    async def give_up() -> None:
        gave_up.append(clock.now)

    sup = Supervisor(first_backoff=1, max_backoff=4, clock=clock)
    sup.watch(
        "discord",
        alive=part.alive,
        start=part.start,
        stop=part.stop,
        give_up_after=60,
        on_give_up=give_up,
    )
    part.running, part.fail_starts = False, 10_000
    for _ in range(200):
        clock.now += 1
        await sup.check()
    assert len(gave_up) == 1 and 60 <= gave_up[0] <= 62
    assert part.starts > 10  # restarts go on meanwhile


async def test_a_part_that_recovers_is_forgotten_cleanly() -> None:
    clock, part = Clock(), Part()
    sup = Supervisor(clock=clock)
    sup.watch("pushes", alive=part.alive, start=part.start, stop=part.stop)
    sup.forget("pushes")
    part.running = False
    await sup.check()
    assert sup.state("pushes") is None and part.starts == 0
