"""Direct-message channels: each person's DM channel id with the bot, per workspace, so a DM
reminder is not preceded by a call that asks the platform for it at every delivery.

Revision ID: 0007_direct_channels
Revises: 0006_delivery_actions
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_direct_channels"
down_revision: str | None = "0006_delivery_actions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "direct_channels",
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("learned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace_id", "user_id", name="pk_direct_channels"),
    )


def downgrade() -> None:
    op.drop_table("direct_channels")
