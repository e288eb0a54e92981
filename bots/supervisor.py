"""Keep the long-running parts of `iepbot run` alive: restart what dies, with backoff.

An adapter's connection, the scheduler and the pushes watcher each run as tasks that can end on
their own: discord.py's client task ends for good when its very first gateway connection fails
(its reconnect path raises), and nothing else would ever start it again. The supervisor looks at
each watched part every ``interval`` seconds; one that is not alive is stopped, logged with its
reason (an exception type, never a message: messages may quote user text), and started again
after a backoff that doubles up to ``max_backoff``. Restarts are counted for /metrics and each
part's state is shown in /healthz. ``down_for`` tells how long a part has been failing, so the
leader can hand over when a leader-only part (Discord) cannot recover.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

INTERVAL = 1.0
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0

Restarted = Callable[[str], None]


@dataclass
class Watched:
    """One supervised part. ``alive`` is cheap and synchronous; ``reason`` names why it died."""

    name: str
    alive: Callable[[], bool]
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]
    reason: Callable[[], str | None] = lambda: None
    give_up_after: float | None = None
    on_give_up: Callable[[], Awaitable[None]] | None = None
    restarts: int = 0
    down_since: float | None = None
    next_try: float = 0.0
    backoff: float = FIRST_BACKOFF
    last_reason: str | None = None
    gave_up: bool = False
    healthy_since: float | None = None


class Supervisor:
    def __init__(
        self,
        *,
        interval: float = INTERVAL,
        first_backoff: float = FIRST_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        on_restart: Restarted | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.on_restart = on_restart
        self.clock = clock
        self.parts: dict[str, Watched] = {}
        self._task: asyncio.Task[None] | None = None

    def watch(
        self,
        name: str,
        *,
        alive: Callable[[], bool],
        start: Callable[[], Awaitable[None]],
        stop: Callable[[], Awaitable[None]],
        reason: Callable[[], str | None] = lambda: None,
        give_up_after: float | None = None,
        on_give_up: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """``on_give_up`` runs once when the part has been down ``give_up_after`` seconds (the
        leader hands over when Discord cannot come back); restarts go on meanwhile."""
        self.parts[name] = Watched(
            name,
            alive,
            start,
            stop,
            reason,
            give_up_after=give_up_after,
            on_give_up=on_give_up,
            backoff=self.first_backoff,
        )

    def forget(self, name: str) -> None:
        self.parts.pop(name, None)

    def state(self, name: str) -> str | None:
        """ "running" or "restarting", for /healthz; None when not watched here."""
        part = self.parts.get(name)
        if part is None:
            return None
        return "restarting" if part.down_since is not None else "running"

    def report(self) -> dict[str, dict[str, object]]:
        """For /healthz: each part's state, restarts so far and last reason (a type name)."""
        return {
            name: {"state": self.state(name), "restarts": part.restarts, "reason": part.last_reason}
            for name, part in self.parts.items()
        }

    def down_for(self, name: str) -> float:
        part = self.parts.get(name)
        if part is None or part.down_since is None:
            return 0.0
        return self.clock() - part.down_since

    async def check(self) -> None:
        """One round: restart every watched part that died and whose backoff has passed."""
        now = self.clock()
        for part in list(self.parts.values()):
            if self._alive(part):
                if part.down_since is not None:
                    log.info("%s is running again after %d restart(s)", part.name, part.restarts)
                    part.down_since, part.gave_up, part.healthy_since = None, False, now
                # The backoff resets only after a steady run, so a part that dies at once after
                # each start is not restarted every second.
                if part.healthy_since is not None and now - part.healthy_since >= self.max_backoff:
                    part.backoff, part.healthy_since = self.first_backoff, None
                continue
            part.healthy_since = None
            if part.down_since is None:
                part.down_since = now
                part.next_try = now + part.backoff
                part.last_reason = self._reason(part)
                log.warning(
                    "%s stopped (%s); restarting in %.0f s",
                    part.name,
                    part.last_reason or "no reason given",
                    part.backoff,
                )
                continue
            if (
                part.give_up_after is not None
                and part.on_give_up is not None
                and not part.gave_up
                and now - part.down_since >= part.give_up_after
            ):
                part.gave_up = True
                log.warning(
                    "%s has been down %.0f s; giving it up", part.name, now - part.down_since
                )
                try:
                    await part.on_give_up()
                except Exception as exc:
                    log.error("giving %s up failed: %s", part.name, type(exc).__name__)
                continue
            if now < part.next_try:
                continue
            await self._restart(part, now)

    async def _restart(self, part: Watched, now: float) -> None:
        part.restarts += 1
        if self.on_restart is not None:
            with contextlib.suppress(Exception):  # metrics must never cost a restart
                self.on_restart(part.name)
        with contextlib.suppress(Exception):
            await part.stop()
        try:
            await part.start()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            part.last_reason = type(exc).__name__
            part.backoff = min(self.max_backoff, part.backoff * 2)
            part.next_try = self.clock() + part.backoff
            log.warning(
                "%s did not start again (%s); next try in %.0f s",
                part.name,
                part.last_reason,
                part.backoff,
            )
            return
        log.info("%s restarted (restart %d)", part.name, part.restarts)
        part.backoff = min(self.max_backoff, part.backoff * 2)
        part.next_try = self.clock() + part.backoff

    def _alive(self, part: Watched) -> bool:
        try:
            return bool(part.alive())
        except Exception:
            return False

    def _reason(self, part: Watched) -> str | None:
        try:
            return part.reason()
        except Exception:
            return None

    async def _run(self) -> None:
        while True:
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the watcher itself must never die
                log.error("supervision round failed: %s", type(exc).__name__)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="supervisor")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
