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
INTERVAL_SECONDS = 1.0  # the leader checks its lock session this often
# A standby tries for the lock this often: a killed leader's lock is free at once, and the
# wait for the next try is most of a failover. A try is one tiny query.
STANDBY_INTERVAL_SECONDS = 0.2
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

    async def step_aside(self, handover: Deposed, pause: float) -> None:
        """If leading: run ``handover``, release leadership and stay out of the election for
        ``pause`` seconds, so another replica (one whose adapters work) can lead."""
