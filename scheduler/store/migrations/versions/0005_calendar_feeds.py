"""Calendar feeds: each person's private subscription address (hashed), and a tracked case's
lead times, so the calendar shows one alarm per lead.

Revision ID: 0005_calendar_feeds
Revises: 0004_store_is_the_queue
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_calendar_feeds"
down_revision: str | None = "0004_store_is_the_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "owner_id", name="pk_calendar_feeds"),
        sa.UniqueConstraint("secret_hash", name="uq_calendar_feeds_secret_hash"),
    )
    # Cases tracked before this revision have no stored leads; the calendar then uses the
    # default ones (14, 7 and 1 days), which is what they were tracked with unless lead= said.
    with op.batch_alter_table("tracked_cases") as batch:
        batch.add_column(sa.Column("leads", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tracked_cases") as batch:
        batch.drop_column("leads")
    op.drop_table("calendar_feeds")
