"""Leader terms: one row per leadership (the scheduler), whose epoch fences the ledger.

Revision ID: 0002_leader_terms
Revises: 0001_initial
Create Date: 2026-01-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_leader_terms"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leader_terms",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("holder", sa.String(128), nullable=True),
        sa.Column("elected_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_leader_terms"),
    )


def downgrade() -> None:
    op.drop_table("leader_terms")
