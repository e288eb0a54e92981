"""What the core hands to a platform, and the errors a platform may answer with.

Each adapter implements ``Notifier`` and translates its SDK's failures into these three errors,
so the retry policy lives in one place and behaves the same on Slack, Discord and the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """One message to deliver. ``reminder_id`` and ``fire_at`` tie it to its ledger row; notices
    to an owner (missed, failed, uncertain) have neither and are best-effort."""

    platform: str
    target_kind: str  # "user" (a DM) or "channel"
    target_id: str
    text: str
    reminder_id: int | None = None
    fire_at: datetime | None = None
    late_by: timedelta | None = None
    owner_id: str | None = None
    lang: str = "en"
    workspace_id: str | None = None
    # A delivered reminder offers Done / Snooze (and Skip / Stop when it repeats); the adapter
    # draws the buttons. ``set_by``: the person who set it, when it is for someone else.
    actionable: bool = False
    repeating: bool = False
    set_by: str | None = None

    @property
    def destination(self) -> tuple[str, str, str]:
        return (self.platform, self.target_kind, self.target_id)


class SendError(Exception):
    """Base of what a notifier may raise. ``code`` is short and never contains user text."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class RateLimited(SendError):
    """HTTP 429: wait ``retry_after`` seconds (the platform said so), then try again.
    ``global_limit`` means the whole platform connection must pause, not just this channel."""

    def __init__(self, retry_after: float, *, global_limit: bool = False) -> None:
        super().__init__("rate_limited")
        self.retry_after = max(0.0, retry_after)
        self.global_limit = global_limit


class TransientSendError(SendError):
    """5xx, a timeout, a dropped connection: worth retrying with backoff."""


class PermanentSendError(SendError):
    """The platform will never accept this (channel gone, DMs blocked, not in channel)."""


class UncertainSendError(SendError):
    """The notifier failed in a way nobody planned for (a KeyError on an odd API answer): the
    platform may or may not have the message, so it is neither resent nor called failed."""


class Notifier(Protocol):
    """One per platform. ``deliver`` returns when the platform accepted the message."""

    platform: str

    async def deliver(self, message: Outgoing) -> None: ...
