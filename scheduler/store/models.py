"""SQLAlchemy declarative models; the schema itself is created only by the Alembic migrations.

The models mirror migration 0001 and are used for queries; they never create tables, so the
migration history stays the one source of truth for the schema on every installation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Deterministic constraint names, so later migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on every engine.

    SQLite has no timestamp type and hands back naive values; PostgreSQL hands back values in
    the session's time zone. Naive input is refused because guessing its zone is how reminders
    end up an hour off. On SQLite the value is stored as naive UTC text in one fixed format, so
    comparisons and the (reminder_id, fire_at) uniqueness work on the text.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("expected a datetime")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: pass a timezone-aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TrackedCase(Base):
    __tablename__ = "tracked_cases"
    __table_args__ = (
        UniqueConstraint("platform", "owner_id", "label", "event", name="uq_tracked_cases_key"),
        Index("ix_tracked_cases_owner", "platform", "owner_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace_id: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(32))
    event_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Lead times in seconds, longest first, comma-separated (migration 0005; NULL before it).
    leads: Mapped[str | None] = mapped_column(String(200))


class TrackedDeadline(Base):
    __tablename__ = "tracked_deadlines"
    __table_args__ = (
        Index("ix_tracked_deadlines_case", "case_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("tracked_cases.id", ondelete="CASCADE"))
    deadline_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    due: Mapped[date] = mapped_column(Date)
    citation: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(200))


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (
        CheckConstraint("target_kind IN ('user', 'channel')", name="target_kind"),
        CheckConstraint("status IN ('active', 'cancelled', 'done')", name="status"),
        CheckConstraint("kind IN ('reminder', 'deadline', 'push')", name="kind"),
        Index("ix_reminders_owner", "platform", "owner_id", "status"),
        Index("ix_reminders_target", "platform", "target_id", "status"),
        Index("ix_reminders_due", "status", "next_fire_at"),
        # The scheduler's queue (migration 0004): active rows by next fire time.
        Index(
            "ix_reminders_next_fire",
            "next_fire_at",
            "id",
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
        Index("ix_reminders_case", "case_id"),
        # Ids are shown to users ("/iep cancel 42") and key the delivery ledger: never reuse one.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace_id: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(2000))
    lang: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recurrence: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("tracked_cases.id", ondelete="CASCADE"))
    deadline_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))


class Setting(Base):
    __tablename__ = "settings"
    __table_args__ = (CheckConstraint("scope IN ('user', 'workspace')", name="scope"),)

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    lang: Mapped[str | None] = mapped_column(String(16))
    # Migration 0003: the workspace a person's own settings were made in, so they are read only
    # there and go when that workspace uninstalls iepbot (workspace defaults: the scope_id).
    workspace_id: Mapped[str | None] = mapped_column(String(64))


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("reminder_id", "fire_at", name="uq_deliveries_reminder_fire"),
        CheckConstraint(
            "status IN ('claimed', 'sending', 'sent', 'failed', 'missed', 'uncertain')",
            name="status",
        ),
        Index("ix_deliveries_status", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"))
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(64))
    # Migration 0003: what the person did with this delivery (done, snooze, skip, stop), once.
    action: Mapped[str | None] = mapped_column(String(16))
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LeaderTerm(Base):
    """The current scheduler leader's term (migration 0002). The advisory lock says who leads
    now; this row's epoch lets a ledger write refuse a leader whose term has already ended."""

    __tablename__ = "leader_terms"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger)
    holder: Mapped[str | None] = mapped_column(String(128))
    elected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# -- Slack installations (migration 0003) ---------------------------------------------------------
# slack_sdk's SQLAlchemy installation and OAuth state stores read and write these tables (bots/
# hands them our engine). Their shape is slack_sdk's own (tests compare it column by column with
# ``SQLAlchemyInstallationStore.build_*_table``); they are declared here in plain SQLAlchemy so the
# schema stays with the migrations and scheduler/ never imports slack_sdk. Times are naive UTC,
# as slack_sdk writes them.


def _installation_columns(*, with_user: bool) -> list[Column[Any]]:
    columns: list[Column[Any]] = [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("client_id", String(32), nullable=False),
        Column("app_id", String(32), nullable=False),
        Column("enterprise_id", String(32)),
        Column("enterprise_name", String(200)),
    ]
    if with_user:
        columns.append(Column("enterprise_url", String(200)))
    columns += [
        Column("team_id", String(32)),
        Column("team_name", String(200)),
        Column("bot_token", String(200)),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", String(200)),
        Column("bot_token_expires_at", DateTime),
    ]
    if with_user:
        columns += [
            Column("user_id", String(32), nullable=False),
            Column("user_token", String(200)),
            Column("user_scopes", String(1000)),
            Column("user_refresh_token", String(200)),
            Column("user_token_expires_at", DateTime),
            Column("incoming_webhook_url", String(200)),
            Column("incoming_webhook_channel", String(200)),
            Column("incoming_webhook_channel_id", String(200)),
            Column("incoming_webhook_configuration_url", String(200)),
        ]
    columns.append(Column("is_enterprise_install", Boolean, nullable=False))
    if with_user:
        columns.append(Column("token_type", String(32)))
    columns.append(Column("installed_at", DateTime, nullable=False))
    return columns


SLACK_INSTALLATIONS = Table(
    "slack_installations",
    Base.metadata,
    *_installation_columns(with_user=True),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)
SLACK_BOTS = Table(
    "slack_bots",
    Base.metadata,
    *_installation_columns(with_user=False),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)
SLACK_OAUTH_STATES = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)


class CalendarFeed(Base):
    """One person's calendar subscription (migration 0005). Only the SHA-256 of the secret in
    the address is kept: a copy of the database does not give anyone the feeds."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("secret_hash", name="uq_calendar_feeds_secret_hash"),)

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace_id: Mapped[str | None] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DirectChannel(Base):
    """A person's direct-message channel with the bot, per workspace (migration 0007).

    Slack needs a DM's channel id to post there, and the only way to learn it is a
    conversations.open call; the id never changes for the same person and bot, so it is asked
    once (when a DM reminder is set) and kept here, where every replica and the next start
    find it, instead of being asked again at every delivery."""

    __tablename__ = "direct_channels"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    learned_at: Mapped[datetime] = mapped_column(UTCDateTime())
