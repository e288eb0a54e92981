"""The contract between `iepbot run` and each chat platform.

An adapter is built from the environment (None when its credentials are not set), exposes the
notifier the reminder dispatcher uses, and is started once the shared context exists. Adding a
platform means one new module with a ``from_env`` and one line in ``ADAPTERS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Protocol

from bots.context import Context
from scheduler.delivery.messages import Notifier


class Adapter(Protocol):
    name: str
    notifier: Notifier
    # True when only one replica may run it at a time (Discord's gateway allows one session
    # per shard): it then follows the scheduler leader.
    leader_only: bool

    async def start(self, ctx: Context) -> None:
        """Connect (Socket Mode, gateway) or start serving (HTTP); return once running."""

    async def stop(self) -> None:
        """Stop taking new work and disconnect."""


# Every platform a reminder or push may name: the chat adapters, and the console.
PLATFORMS = ("slack", "discord", "console")
# module path of each adapter's ``from_env(env: Mapping[str, str], options: dict) -> Adapter|None``
ADAPTERS = ("bots.slack.adapter", "bots.discord.adapter")


def adapters_from_env(env: Mapping[str, str], options: dict[str, Any]) -> list[Adapter]:
    found: list[Adapter] = []
    for module in ADAPTERS:
        adapter = importlib.import_module(module).from_env(env, options)
        if adapter is not None:
            found.append(adapter)
    return found
