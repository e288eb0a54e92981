"""``GET /healthz`` and ``GET /metrics`` on a small aiohttp server of their own (``--health-port``).

A separate port rather than routes on the Slack server: it exists whatever the adapters are
(Socket Mode, Discord only, HTTP), and the public ``/slack/events`` port need not expose the
internals a load balancer and Prometheus read.

``/healthz`` answers 200 when the database answers and every adapter this replica should run is
connected, 503 otherwise, with a JSON body a load balancer or a test can read: ``{"status",
"database", "role", "epoch", "adapters": {name: "connected" | "disconnected" | "standby"}}``.

The same server answers ``GET /calendar/<secret>.ics``, the calendar feeds (when
``IEPBOT_PUBLIC_URL`` is set): like the health check it runs on every replica whatever the
adapters are, and a reverse proxy can publish ``/calendar/`` alone. There is no access log, so
the secret in the path never reaches a log line.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bots.observability.metrics import Metrics
from scheduler.store.store import Store

log = logging.getLogger(__name__)

DB_CHECK_TIMEOUT = 2.0


def _db_ok(store: Store) -> bool:
    with store.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return True


async def adapter_state(adapter: Any, leader_only: bool, role: str) -> str:
    """A leader-only adapter (Discord) on a standby is "standby"; else the adapter's own
    ``is_connected()`` (sync or async), or "connected" when it has none."""
    if leader_only and role != "leader":
        return "standby"
    check = getattr(adapter, "is_connected", None)
    if check is None:
        return "connected"
    try:
        result = check()
        if inspect.isawaitable(result):
            result = await asyncio.wait_for(result, DB_CHECK_TIMEOUT)
    except Exception:
        return "disconnected"
    return "connected" if result else "disconnected"


class HealthServer:
    def __init__(
        self,
        *,
        store: Store,
        metrics: Metrics,
        role: Callable[[], tuple[str, int | None]],
        adapters: Sequence[tuple[Any, bool]],
        host: str,
        port: int,
        tasks: Callable[[], dict[str, dict[str, Any]]] | None = None,
        calendar: Callable[[str], bytes | None] | None = None,
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.role = role
        self.adapters = adapters
        self.tasks = tasks
        self.host = host
        self.port = port
        self.calendar = calendar
        self.bound_port: int | None = None
        self._runner: web.AppRunner | None = None

    async def health(self) -> tuple[int, dict[str, Any]]:
        try:
            database = await asyncio.wait_for(
                asyncio.to_thread(_db_ok, self.store), DB_CHECK_TIMEOUT
            )
        except Exception as exc:
            log.warning("health: database check failed: %s", type(exc).__name__)
            database = False
        role, epoch = self.role()
        adapters = {
            a.name: await adapter_state(a, leader_only, role) for a, leader_only in self.adapters
        }
        ok = database and "disconnected" not in adapters.values()
        body = {
            "status": "ok" if ok else "degraded",
            "database": database,
            "role": role,
            "epoch": epoch,
            "adapters": adapters,
        }
        if self.tasks is not None:
            body["tasks"] = self.tasks()  # {name: {"state": ..., "restarts": n}}
        return (200 if ok else 503), body

    async def _healthz(self, request: web.Request) -> web.Response:
        status, body = await self.health()
        return web.Response(status=status, text=json.dumps(body), content_type="application/json")

    async def _metrics(self, request: web.Request) -> web.Response:
        payload, content_type = self.metrics.render()
        return web.Response(body=payload, headers={"Content-Type": content_type})

    async def _calendar(self, request: web.Request) -> web.Response:
        """One person's calendar, built now from the store: it is current on every refresh."""
        assert self.calendar is not None
        try:
            body = await asyncio.to_thread(self.calendar, request.match_info["secret"])
        except Exception as exc:
            log.error("calendar feed failed: %s", type(exc).__name__)  # never the path
            return web.Response(status=503, text="try again later")
        if body is None:
            return web.Response(status=404, text="no such calendar")
        return web.Response(
            body=body,
            headers={
                "Content-Type": "text/calendar; charset=utf-8",
                "Content-Disposition": 'inline; filename="iep-calendar.ics"',
                # A private calendar: no shared cache may keep it, and a revoked address must
                # stop answering at once.
                "Cache-Control": "private, no-store",
                "Referrer-Policy": "no-referrer",
            },
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        if self.calendar is not None:
            app.router.add_get("/calendar/{secret}.ics", self._calendar)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self.port
        log.info("health: serving /healthz and /metrics on port %s", self.bound_port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
