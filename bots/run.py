"""`iepbot run`: every adapter whose credentials are set, the scheduler and the store, in one
event loop, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from bots.adapters import Adapter, adapters_from_env
from bots.runtime import Runtime, start_runtime

log = logging.getLogger("iepbot")

NO_CREDENTIALS = (
    "no chat platform configured: set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or "
    "SLACK_SIGNING_SECRET (HTTP), and/or DISCORD_TOKEN"
)


async def serve(
    env: Mapping[str, str],
    *,
    port: int,
    host: str,
    database_url: str | None,
    grace: timedelta,
    pushes: Path | None = None,
    stop: asyncio.Event | None = None,
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
    runtime: Runtime = await start_runtime(
        {a.name: a.notifier for a in adapters}, database_url=database_url, grace=grace
    )
    watcher = None
    try:
        if pushes is not None:
            from scheduler.pushes.watcher import PushWatcher

            watcher = PushWatcher(pushes, runtime.store, runtime.engine)
            await watcher.start()
        for adapter in adapters:
            await adapter.start(runtime.ctx)
            log.info("adapter %s started", adapter.name)
        await stop.wait()
    finally:
        log.info("shutting down")
        for adapter in adapters:
            await adapter.stop()
        if watcher is not None:
            await watcher.stop()
        await runtime.stop()
    return 0
