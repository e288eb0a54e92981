"""Builders shared by the store tests."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler.store import ReminderDraft


def draft(
    owner: str = "U1",
    *,
    platform: str = "slack",
    target_kind: str = "user",
    target: str | None = None,
    text: str = "bring the draft",
    when: datetime | None = None,
    **extra: object,
) -> ReminderDraft:
    """A valid reminder draft; tests override only what they look at."""
    return ReminderDraft(
        platform=platform,
        workspace_id="T1",
        owner_id=owner,
        target_kind=target_kind,
        target_id=target if target is not None else owner,
        text=text,
        lang="en",
        timezone="America/Chicago",
        next_fire_at=when or datetime(2027, 3, 1, 15, 0, tzinfo=UTC),
        **extra,  # type: ignore[arg-type]
    )
