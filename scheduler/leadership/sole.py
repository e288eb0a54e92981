"""One process on an embedded database (SQLite): the leader from start to stop."""

from __future__ import annotations

import logging

from scheduler.leadership.base import (
    LEADER,
    STANDBY,
    Deposed,
    Elected,
)

log = logging.getLogger(__name__)


class SoleLeader:
    """One process on an embedded database: leader from start to stop."""

    def __init__(self, on_elected: Elected, on_deposed: Deposed) -> None:
        self.on_elected = on_elected
        self.on_deposed = on_deposed
        self.role = STANDBY
        self.epoch: int | None = None

    async def start(self) -> None:
        await self.on_elected(None)
        self.role = LEADER

    async def stop(self, handover: Deposed | None = None) -> None:
        if self.role == LEADER and handover is not None:
            await handover()
        self.role = STANDBY
