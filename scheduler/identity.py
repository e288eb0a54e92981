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

    ``walled`` says the platform installs iepbot separately in each workspace (Slack: one
    installation per workspace or Enterprise Grid organisation, each with its own token), so
    everything the asker stores belongs to ``workspace_id`` and they see and change nothing of
    another workspace. Discord is not walled: one installation serves every server and a
    person's reminders follow them from server to DM.
    """

    platform: str = "console"
    user_id: str = "console-user"
    workspace_id: str = "local"
    channel_id: str | None = None
    is_admin: bool = True
    lang: str | None = None
    timezone: str | None = None
    walled: bool = False

    @property
    def scope(self) -> str | None:
        """The workspace every store query of this asker is limited to; None: not walled."""
        return self.workspace_id if self.walled else None


# The one person at a terminal (`iepbot console`, `iepbot ask`), who administers their bot.
CONSOLE_ASKER = Asker()


@dataclass(frozen=True)
class Target:
    """A person (``user``) or a channel, by the platform's own id."""

    kind: TargetKind
    id: str
