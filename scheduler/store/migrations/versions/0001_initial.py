"""Initial schema: reminders, tracked cases and deadlines, settings, delivery ledger.

Revision ID: 0001_initial
Revises:
Create Date: 2025-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracked_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=True),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=True),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tracked_cases"),
        sa.UniqueConstraint("platform", "owner_id", "label", "event", name="uq_tracked_cases_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_tracked_cases_owner", "tracked_cases", ["platform", "owner_id"])

    op.create_table(
        "tracked_deadlines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("citation", sa.String(200), nullable=False),
        sa.Column("basis", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tracked_deadlines"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["tracked_cases.id"],
            name="fk_tracked_deadlines_case_id_tracked_cases",
            ondelete="CASCADE",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_tracked_deadlines_case", "tracked_deadlines", ["case_id"])

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=True),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_fire_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recurrence", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("deadline_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reminders"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["tracked_cases.id"],
            name="fk_reminders_case_id_tracked_cases",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "target_kind IN ('user', 'channel')", name=op.f("ck_reminders_target_kind")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'cancelled', 'done')", name=op.f("ck_reminders_status")
        ),
        sa.CheckConstraint(
            "kind IN ('reminder', 'deadline', 'push')", name=op.f("ck_reminders_kind")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_reminders_owner", "reminders", ["platform", "owner_id", "status"])
    op.create_index("ix_reminders_target", "reminders", ["platform", "target_id", "status"])
    op.create_index("ix_reminders_due", "reminders", ["status", "next_fire_at"])
    op.create_index("ix_reminders_case", "reminders", ["case_id"])

    op.create_table(
        "settings",
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("scope_id", sa.String(64), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("lang", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("platform", "scope", "scope_id", name="pk_settings"),
        sa.CheckConstraint("scope IN ('user', 'workspace')", name=op.f("ck_settings_scope")),
    )

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("fire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.ForeignKeyConstraint(
            ["reminder_id"],
            ["reminders.id"],
            name="fk_deliveries_reminder_id_reminders",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("reminder_id", "fire_at", name="uq_deliveries_reminder_fire"),
        sa.CheckConstraint(
            "status IN ('claimed', 'sending', 'sent', 'failed', 'missed', 'uncertain')",
            name=op.f("ck_deliveries_status"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_deliveries_status", "deliveries", ["status"])


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("settings")
    op.drop_index("ix_reminders_case", table_name="reminders")
    op.drop_table("reminders")
    op.drop_table("tracked_deadlines")
    op.drop_table("tracked_cases")
