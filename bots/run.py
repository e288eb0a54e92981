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
from functools import partial
from pathlib import Path
from typing import Any

from bots.adapters import PLATFORMS, Adapter, adapters_from_env
from bots.router import VERBS, command_observers
from bots.runtime import Runtime, start_runtime
from bots.supervisor import Supervisor
from scheduler.leadership.base import Leadership

log = logging.getLogger("iepbot")

NO_CREDENTIALS = (
    "no chat platform configured: set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or "
    "SLACK_SIGNING_SECRET (HTTP), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
    "SLACK_SIGNING_SECRET (many workspaces), and/or DISCORD_TOKEN"
)
HANDOVER_SECONDS = 10.0
# A leader whose leader-only adapter (Discord) stays down this long hands leadership over, and
# sits out the next election for as long, so a replica whose connection works can lead.
GIVE_UP_SECONDS = 60.0
DATABASE_CHECK_SECONDS = 2.0
PUBLIC_URL_ENV = "IEPBOT_PUBLIC_URL"


class Replica:
    """What this process does when it gains, loses or gives up the scheduler leadership."""

    def __init__(
        self,
        runtime: Runtime,
        leader_adapters: list[Adapter],
        pushes: Path | None,
        metrics: Any,
        handover_seconds: float,
        supervisor: Supervisor,
    ) -> None:
        self.runtime = runtime
        self.supervisor = supervisor
        self.leadership: Leadership | None = None
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
            self.supervisor.watch(
                adapter.name,
                alive=adapter.alive,
                start=partial(adapter.start, self.runtime.ctx),
                stop=adapter.stop,
                reason=adapter.reason,
                give_up_after=GIVE_UP_SECONDS,
                on_give_up=self.step_aside,
            )
        engine = self.runtime.engine
        await engine.start(epoch)
        self.supervisor.watch(
            "scheduler",
            alive=engine.alive,
            start=partial(engine.start, epoch),
            stop=partial(engine.step_down, self.handover_seconds),
        )
        if self.pushes is not None:
            from scheduler.pushes.watcher import PushWatcher

            watcher = self._watcher = PushWatcher(
                self.pushes, self.runtime.store, self.runtime.engine, PLATFORMS
            )
            await watcher.start()
            self.supervisor.watch(
                "pushes", alive=watcher.alive, start=watcher.start, stop=watcher.stop
            )
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

    async def step_aside(self) -> None:
        """A leader-only adapter cannot come back: let a replica whose connection works lead."""
        if self.leadership is not None:
            await self.leadership.step_aside(self.handover, GIVE_UP_SECONDS)

    async def _stop_leader_work(self) -> None:
        for name in ("scheduler", "pushes", *(a.name for a in self.leader_adapters)):
            self.supervisor.forget(name)
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


def _apply_defaults(ctx: Any, env: Mapping[str, str]) -> None:
    """IEPBOT_DEFAULT_TIMEZONE and IEPBOT_DEFAULT_LANG: what applies to someone who set nothing
    and whose platform says nothing. An unusable value is ignored with a warning (`iepbot
    doctor` reports it with its fix)."""
    from bots.doctor import LANG_ENV, TIMEZONE_ENV
    from content.i18n import LANGS
    from scheduler.timing.zones import is_iana_zone

    zone = env.get(TIMEZONE_ENV, "").strip()
    if zone and is_iana_zone(zone):
        ctx.default_timezone = zone
    elif zone:
        log.warning("%s is not a time zone name; using %s", TIMEZONE_ENV, ctx.default_timezone)
    lang = env.get(LANG_ENV, "").strip()
    if lang in LANGS:
        ctx.default_lang = lang
    elif lang:
        log.warning("%s is not en or es; using %s", LANG_ENV, ctx.default_lang)


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
    _apply_defaults(runtime.ctx, env)
    if health_port is not None and env.get(PUBLIC_URL_ENV, "").strip():
        # Feeds are served on the health port; without it there is nowhere to serve them.
        runtime.ctx.public_url = env[PUBLIC_URL_ENV].strip().rstrip("/")
    from scheduler.leadership import leadership_for

    shared = [a for a in adapters if not a.leader_only]
    supervisor = Supervisor(on_restart=metrics.restarted if metrics is not None else None)
    replica = Replica(
        runtime,
        [a for a in adapters if a.leader_only],
        pushes,
        metrics,
        handover_seconds,
        supervisor,
    )
    leadership = replica.leadership = leadership_for(
        runtime.store, replica.elected, replica.deposed
    )
    health = None
    started: list[Adapter] = []
    failed: list[str] = []
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
                tasks=supervisor.report,
                calendar=runtime.ctx.reminders.feed
                if runtime.ctx.public_url and runtime.ctx.reminders
                else None,
            )
            await health.start()
        for adapter in shared:
            await adapter.start(runtime.ctx)
            started.append(adapter)
            log.info("adapter %s started", adapter.name)
            supervisor.watch(
                adapter.name,
                alive=adapter.alive,
                start=partial(adapter.start, runtime.ctx),
                stop=adapter.stop,
                reason=adapter.reason,
            )
        supervisor.start()
        watchdog = asyncio.create_task(_watch_database(runtime, stop, failed))
        await leadership.start()
        await stop.wait()
        watchdog.cancel()
    finally:
        log.info("shutting down")
        await supervisor.stop()  # nothing is restarted while it all stops

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
    return 1 if failed else 0


async def _watch_database(runtime: Runtime, stop: asyncio.Event, failed: list[str]) -> None:
    """A SQLite file deleted under the running bot: stop with an error, never exit 0 having
    written into a file nobody can open again."""
    while not stop.is_set():
        await asyncio.sleep(DATABASE_CHECK_SECONDS)
        if not runtime.store.file_intact():
            log.error("the database file was deleted or replaced; stopping")
            failed.append("database")
            stop.set()
