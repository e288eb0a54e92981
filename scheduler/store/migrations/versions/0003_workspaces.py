"""Many Slack workspaces: slack_sdk's installation and OAuth state tables, and the workspace of
each person's settings.

The tables' shape is slack_sdk's (SQLAlchemyInstallationStore / SQLAlchemyOAuthStateStore),
written out here in plain SQLAlchemy: the schema belongs to the migrations, and scheduler/ never
imports slack_sdk.

Revision ID: 0003_workspaces
Revises: 0002_leader_terms
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_workspaces"
down_revision: str | None = "0002_leader_terms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _installation_columns(*, with_user: bool) -> list[sa.Column[Any]]:
    columns: list[sa.Column[Any]] = [
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(32), nullable=False),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("enterprise_name", sa.String(200)),
    ]
    if with_user:
        columns.append(sa.Column("enterprise_url", sa.String(200)))
    columns += [
        sa.Column("team_id", sa.String(32)),
        sa.Column("team_name", sa.String(200)),
        sa.Column("bot_token", sa.String(200)),
        sa.Column("bot_id", sa.String(32)),
        sa.Column("bot_user_id", sa.String(32)),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", sa.String(200)),
        sa.Column("bot_token_expires_at", sa.DateTime()),
    ]
    if with_user:
        columns += [
            sa.Column("user_id", sa.String(32), nullable=False),
            sa.Column("user_token", sa.String(200)),
            sa.Column("user_scopes", sa.String(1000)),
            sa.Column("user_refresh_token", sa.String(200)),
            sa.Column("user_token_expires_at", sa.DateTime()),
            sa.Column("incoming_webhook_url", sa.String(200)),
            sa.Column("incoming_webhook_channel", sa.String(200)),
            sa.Column("incoming_webhook_channel_id", sa.String(200)),
            sa.Column("incoming_webhook_configuration_url", sa.String(200)),
        ]
    columns.append(sa.Column("is_enterprise_install", sa.Boolean(), nullable=False))
    if with_user:
        columns.append(sa.Column("token_type", sa.String(32)))
    columns.append(sa.Column("installed_at", sa.DateTime(), nullable=False))
    return columns


def upgrade() -> None:
    op.create_table("slack_installations", *_installation_columns(with_user=True))
    op.create_index(
        "slack_installations_idx",
        "slack_installations",
        ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"],
    )
    op.create_table("slack_bots", *_installation_columns(with_user=False))
    op.create_index(
        "slack_bots_idx", "slack_bots", ["client_id", "enterprise_id", "team_id", "installed_at"]
    )
    op.create_table(
        "slack_oauth_states",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("state", sa.String(200), nullable=False),
        sa.Column("expire_at", sa.DateTime(), nullable=False),
    )
    # A plain ADD COLUMN: no table rebuild on SQLite.
    op.add_column("settings", sa.Column("workspace_id", sa.String(64), nullable=True))
    op.execute("UPDATE settings SET workspace_id = scope_id WHERE scope = 'workspace'")


def downgrade() -> None:
    with op.batch_alter_table("settings") as batch:
        batch.drop_column("workspace_id")
    op.drop_table("slack_oauth_states")
    op.drop_index("slack_bots_idx", table_name="slack_bots")
    op.drop_table("slack_bots")
    op.drop_index("slack_installations_idx", table_name="slack_installations")
    op.drop_table("slack_installations")
