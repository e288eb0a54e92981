"""Who is asking and where: the platform-neutral identity every verb may need."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Asker:
    """The person behind a command, as the adapter knows them.

    Ids are the platform's own (Slack U123/C123/T123, Discord snowflakes); ``platform`` keeps
    them apart in the store. ``is_admin`` is the adapter's answer to "may this person manage
    reminders and settings for the whole workspace or server".
    """

    platform: str = "console"
    user_id: str = "console-user"
    workspace_id: str = "local"
    channel_id: str | None = None
    is_admin: bool = True
    lang: str | None = None
    timezone: str | None = None


CONSOLE_ASKER = Asker()
