"""Which replica runs the scheduler: one module per way of deciding.

``postgres`` (``PgLeadership``): several replicas on one PostgreSQL database, a session
advisory lock held by the leader, its term fencing the delivery ledger. ``sole``
(``SoleLeader``): one process on SQLite, always the leader. ``base`` holds the protocol and
the timings both share; ``leadership_for`` picks one for a store.
"""

from __future__ import annotations

from scheduler.leadership.base import LEADER, STANDBY, Deposed, Elected, Leadership
from scheduler.leadership.postgres import PgLeadership
from scheduler.leadership.sole import SoleLeader
from scheduler.store.store import Store

__all__ = ["LEADER", "STANDBY", "Leadership", "PgLeadership", "SoleLeader", "leadership_for"]


def leadership_for(store: Store, on_elected: Elected, on_deposed: Deposed) -> Leadership:
    """An election on PostgreSQL; on SQLite the single process simply leads."""
    if store.dialect == "postgresql":
        return PgLeadership(store, on_elected, on_deposed)
    return SoleLeader(on_elected, on_deposed)
