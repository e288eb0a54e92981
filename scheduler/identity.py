"""Who is asking, and where a reminder goes: the one identity the core and every adapter share.

Ids are the platform's own (Slack U123/C123/T123, Discord snowflakes); ``platform`` keeps them
apart in the store. The core reads these values and never any platform markup: adapters turn
their SDK's objects into an ``Asker`` and channel references into a ``Target``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TargetKind = Literal["user", "channel"]


@dataclass(frozen=True)
class Asker:
    """The person behind a command, as the adapter knows them.

    ``is_admin`` is the adapter's answer to "may this person manage reminders and settings for
    the whole workspace or server". ``lang`` and ``timezone`` are what the platform says of
    them (Discord's client locale, Slack's profile timezone); their own settings come first.
    """

    platform: str = "console"
    user_id: str = "console-user"
    workspace_id: str = "local"
    channel_id: str | None = None
    is_admin: bool = True
    lang: str | None = None
    timezone: str | None = None


# The one person at a terminal (`iepbot console`, `iepbot ask`), who administers their bot.
CONSOLE_ASKER = Asker()


@dataclass(frozen=True)
class Target:
    """A person (``user``) or a channel, by the platform's own id."""

    kind: TargetKind
    id: str
