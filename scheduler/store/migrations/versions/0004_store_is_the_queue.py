"""The reminders table is the scheduler's queue: an index on the next fire time of active
reminders, and APScheduler's per-reminder job table gone.

Revision ID: 0004_store_is_the_queue
Revises: 0003_workspaces
Create Date: 2026-12-01

Until now every active reminder was also a pickled APScheduler job in ``apscheduler_jobs``
(the same 100,000 rows twice, and a table PostgreSQL never analyzed, so every wake-up scanned
it). The dispatcher now claims due rows straight from ``reminders``, ordered by next fire time:
a partial index over active rows only keeps that query an index range scan however many done
or cancelled reminders pile up. The old job rows carry nothing the reminders table lacks.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_store_is_the_queue"
down_revision: str | None = "0003_workspaces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    op.create_index(
        "ix_reminders_next_fire",
        "reminders",
        ["next_fire_at", "id"],
        postgresql_where=ACTIVE,
        sqlite_where=ACTIVE,
    )
    op.execute("DROP TABLE IF EXISTS apscheduler_jobs")


def downgrade() -> None:
    # Nothing to restore: an older iepbot re-arms its jobs from the reminders table at start-up.
    op.drop_index("ix_reminders_next_fire", table_name="reminders")
