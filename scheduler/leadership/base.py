"""What every way of choosing the scheduler's replica shares: roles, timings, the protocol."""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable
from typing import Protocol

Elected = Callable[[int | None], Awaitable[None]]
Deposed = Callable[[], Awaitable[None]]

LEADER = "leader"
STANDBY = "standby"
INTERVAL_SECONDS = 1.0
LEASE_SECONDS = 10.0
PING_TIMEOUT_SECONDS = 3.0


def holder_name() -> str:
    """Who holds the term, for operators reading ``leader_terms``: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Leadership(Protocol):
    role: str
    epoch: int | None

    async def start(self) -> None: ...

    async def stop(self, handover: Deposed | None = None) -> None:
        """Stop competing; if leading, run ``handover`` and then release leadership."""
