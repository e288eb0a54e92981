"""The part every fake platform shares: an aiohttp app on a free port of 127.0.0.1."""

from __future__ import annotations

import socket
from typing import Any

from aiohttp import web


class LocalServer:
    """Mixed into the fakes' dataclasses, which declare ``url`` and ``_runner``."""

    url: str
    _runner: web.AppRunner | None

    async def _serve(self, app: web.Application, **runner_options: Any) -> None:
        self._runner = web.AppRunner(app, **runner_options)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def free_port() -> int:
    """A port nothing listens on now, for a server the test starts itself."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
