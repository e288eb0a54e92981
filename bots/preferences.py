"""Which timezone and language apply to an asker: their own choice, the platform's, the
workspace's, then the bot's default, in that order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.asker import Asker
from bots.context import Context

if TYPE_CHECKING:
    from scheduler.reminders.service import Who


def who(asker: Asker) -> Who:
    # Imported here: the reminder service pulls in APScheduler, which a lookup does not need.
    from scheduler.reminders.service import Who

    return Who(
        platform=asker.platform,
        workspace_id=asker.workspace_id,
        user_id=asker.user_id,
        channel_id=asker.channel_id,
        is_admin=asker.is_admin,
    )


def timezone_of(ctx: Context, asker: Asker) -> str:
    if ctx.store is not None:
        mine = ctx.store.get_settings(asker.platform, "user", asker.user_id).timezone
        if mine:
            return mine
    if asker.timezone:
        return asker.timezone
    if ctx.store is not None:
        shared = ctx.store.get_settings(asker.platform, "workspace", asker.workspace_id).timezone
        if shared:
            return shared
    return ctx.default_timezone


def lang_of(ctx: Context, asker: Asker) -> str:
    if ctx.store is not None:
        mine = ctx.store.get_settings(asker.platform, "user", asker.user_id).lang
        if mine:
            return mine
    if asker.lang:
        return asker.lang
    if ctx.store is not None:
        shared = ctx.store.get_settings(asker.platform, "workspace", asker.workspace_id).lang
        if shared:
            return shared
    return ctx.default_lang
