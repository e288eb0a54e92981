"""`iepbot run`: every adapter whose credentials are set, the scheduler and the store, in one
event loop, until SIGTERM or Ctrl-C.

Any number of replicas may run on one PostgreSQL database. Every replica serves Slack (each
request carries everything it needs, and the state is in the database); only the elected leader
(``scheduler.leadership``) runs the scheduler, delivery, the pushes watcher and Discord, whose
gateway allows one session per shard. On SQLite the one process is always the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from bots.adapters import PLATFORMS, Adapter, adapters_from_env
from bots.router import VERBS, command_observers
from bots.runtime import Runtime, start_runtime

log = logging.getLogger("iepbot")

NO_CREDENTIALS = (
    "no chat platform configured: set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or "
    "SLACK_SIGNING_SECRET (HTTP), and/or DISCORD_TOKEN"
)
HANDOVER_SECONDS = 10.0


class Replica:
    """What this process does when it gains, loses or gives up the scheduler leadership."""

    def __init__(
        self,
        runtime: Runtime,
        leader_adapters: list[Adapter],
        pushes: Path | None,
        metrics: Any,
        handover_seconds: float,
    ) -> None:
        self.runtime = runtime
        self.leader_adapters = leader_adapters
        self.pushes = pushes
        self.metrics = metrics
        self.handover_seconds = handover_seconds
        self._started: list[Adapter] = []
        self._watcher: Any = None

    async def elected(self, epoch: int | None) -> None:
        # Leader-only adapters first: recovery may send through them at once.
        for adapter in self.leader_adapters:
            await adapter.start(self.runtime.ctx)
            self._started.append(adapter)
            log.info("adapter %s started (leader)", adapter.name)
        await self.runtime.engine.start(epoch)
        if self.pushes is not None:
            from scheduler.pushes.watcher import PushWatcher

            self._watcher = PushWatcher(
                self.pushes, self.runtime.store, self.runtime.engine, PLATFORMS
            )
            await self._watcher.start()
        if self.metrics is not None:
            self.metrics.leader.set(1)
            self.metrics.elections.inc()

    async def deposed(self) -> None:
        """Leadership lost (lock connection gone): stop sending at once, then tidy up."""
        self.runtime.engine.abdicate()
        await self._stop_leader_work()

    async def handover(self) -> None:
        """Shutting down as leader: finish or hand back sends, then leadership is released."""
        await self.runtime.engine.step_down(self.handover_seconds)
        await self._stop_leader_work()

    async def _stop_leader_work(self) -> None:
        if self.metrics is not None:
            self.metrics.leader.set(0)
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            await watcher.stop()
        while self._started:
            adapter = self._started.pop()
            try:
                await adapter.stop()
            except Exception:
                log.exception("adapter %s did not stop cleanly", adapter.name)


async def serve(
    env: Mapping[str, str],
    *,
    port: int,
    host: str,
    database_url: str | None,
    grace: timedelta,
    pushes: Path | None = None,
    stop: asyncio.Event | None = None,
    health_port: int | None = None,
    handover_seconds: float = HANDOVER_SECONDS,
) -> int:
    adapters: list[Adapter] = adapters_from_env(env, {"port": port, "host": host})
    if not adapters:
        print(f"error: {NO_CREDENTIALS}", file=sys.stderr)
        return 2
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Not possible outside the main thread (tests run serve() in one).
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    metrics = observer = None
    if health_port is not None:
        from bots.observability.metrics import DeliveryMetrics, Metrics

        metrics = Metrics(verbs=frozenset(VERBS))
        observer = DeliveryMetrics(metrics)
        command_observers.append(metrics.command)
    runtime: Runtime = await start_runtime(
        {a.name: a.notifier for a in adapters},
        database_url=database_url,
        grace=grace,
        lead=False,
        observer=observer,
    )
    from scheduler.leadership import leadership_for

    shared = [a for a in adapters if not a.leader_only]
    replica = Replica(
        runtime, [a for a in adapters if a.leader_only], pushes, metrics, handover_seconds
    )
    leadership = leadership_for(runtime.store, replica.elected, replica.deposed)
    health = None
    started: list[Adapter] = []
    try:
        if metrics is not None and health_port is not None:
            from bots.observability.health import HealthServer

            health = HealthServer(
                store=runtime.store,
                metrics=metrics,
                role=lambda: (leadership.role, leadership.epoch),
                adapters=[(a, a.leader_only) for a in adapters],
                host=host,
                port=health_port,
            )
            await health.start()
        for adapter in shared:
            await adapter.start(runtime.ctx)
            started.append(adapter)
            log.info("adapter %s started", adapter.name)
        await leadership.start()
        await stop.wait()
    finally:
        log.info("shutting down")

        async def stop_shared() -> None:
            for adapter in started:
                await adapter.stop()

        # Release leadership as soon as the leader's sends are settled, while the adapters
        # stop taking requests and finish the ones under way.
        await asyncio.gather(
            leadership.stop(handover=replica.handover), stop_shared(), return_exceptions=True
        )
        if health is not None:
            await health.stop()
        if metrics is not None:
            with contextlib.suppress(ValueError):
                command_observers.remove(metrics.command)
        await runtime.stop()
    return 0
