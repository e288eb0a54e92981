"""Delivery actions: what the person did with a delivered reminder (its buttons, or `done 3`).

A button carries the reminder id and the fire time of the delivery it sits on; the action is
recorded on that ledger row by an UPDATE whose WHERE refuses the same action twice, so a
double click (or two replicas handling the same click) acts once.

Revision ID: 0006_delivery_actions
Revises: 0005_calendar_feeds
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_delivery_actions"
down_revision: str | None = "0005_calendar_feeds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("action", sa.String(16), nullable=True))
        batch.add_column(sa.Column("acted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("acted_at")
        batch.drop_column("action")
