"""Crash test: a real `iepbot console` with a file database is SIGKILLed while reminders are
due, then restarted (later, moved in time with time-machine inside the new process): every
reminder reaches the terminal exactly once, late ones are marked, too-old ones are reported."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path

LAUNCH = (
    "import sys, time, time_machine\n"
    "from bots.cli import main\n"
    "offset = float(sys.argv[1])\n"
    "if offset:\n"
    "    time_machine.travel(time.time() + offset, tick=True).start()\n"
    "sys.exit(main(sys.argv[2:]))\n"
)
DELIVERED = re.compile(r"^\[to (?:you|#\S+)\] ⏰ Reminder \(#(\d+)\): (\S+)", re.MULTILINE)


class Console:
    """A console process whose standard input stays open until we close it."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.out = ""

    @classmethod
    async def start(cls, db: str, offset_seconds: float = 0) -> Console:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            LAUNCH,
            str(offset_seconds),
            "console",
            "--db",
            db,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "TZ": "America/Chicago", "PYTHONUNBUFFERED": "1"},
        )
        return cls(proc)

    async def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        await self.proc.stdin.drain()

    async def wait_for(self, pattern: str, timeout: float = 60) -> str:
        """Read output until ``pattern`` (a regex) appears."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.out):
            left = deadline - time.monotonic()
            assert left > 0, f"timed out waiting for {pattern!r}; output so far:\n{self.out}"
            chunk = await asyncio.wait_for(self.proc.stdout.read(4096), left)
            assert chunk, f"process ended before {pattern!r}:\n{self.out}"
            self.out += chunk.decode()
        return self.out

    async def close(self) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.out += (await asyncio.wait_for(self.proc.stdout.read(), 60)).decode()
        return await asyncio.wait_for(self.proc.wait(), 60)


async def test_sigkill_while_due_then_restart_delivers_each_exactly_once(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    first = await Console.start(db)
    burst = [f"burst{i}" for i in range(6)]
    for word in burst:
        await first.send(f"remind me in 2 seconds {word}")
    for word, seconds in (("later1", 40), ("later2", 50)):
        await first.send(f"remind me in {seconds} seconds {word}")
    await first.send("remind #sped-team in 55 seconds later3")
    await first.send("remind me in 2 days stale1")
    await first.wait_for(r"Reminder #10 set")
    await first.wait_for(r"\] ⏰ Reminder \(#\d+\): burst")  # the burst is under way
    first.proc.send_signal(signal.SIGKILL)
    await first.proc.wait()
    assert first.proc.returncode == -signal.SIGKILL
    assert first.proc.stdout is not None
    first.out += (await first.proc.stdout.read()).decode()  # what it printed before dying

    # Back five minutes later: the burst remainder and later1..3 are due, and late.
    second = await Console.start(db, offset_seconds=300)
    expected = set(burst) | {"later1", "later2", "later3"}
    pattern = "".join(
        f"(?=[\\s\\S]*\\): {w}\\b)"
        for w in expected - set(m.group(2) for m in DELIVERED.finditer(first.out))
    )
    await second.wait_for(pattern or ".")
    await second.send("reminders")
    await second.wait_for(r"Your reminders \(1\)")
    assert await second.close() == 0

    # Four days on: the "in 2 days" one is too old to post, so its owner is told.
    third = await Console.start(db, offset_seconds=4 * 86400)
    await third.wait_for(r"You missed reminder #10")
    assert await third.close() == 0

    everything = first.out + second.out + third.out
    delivered = Counter(m.group(2) for m in DELIVERED.finditer(everything))
    assert set(delivered) == expected, everything
    assert all(n == 1 for n in delivered.values()), delivered
    for word in ("later1", "later2", "later3"):
        block = second.out[second.out.index(f"): {word}") :].split("\n[")[0]
        assert "late by" in block and "offline" in block, block
    assert "stale1" not in " ".join(m.group(2) for m in DELIVERED.finditer(everything))
