"""Which timezone and language apply to an asker: their own choice, the platform's, the
workspace's, then the bot's default, in that order."""

from __future__ import annotations

from bots.context import Context
from scheduler.identity import Asker


def _preferred(ctx: Context, asker: Asker, field: str, from_platform: str | None) -> str | None:
    """The user's own setting, then what the platform says of them (Slack profile timezone,
    Discord client language), then the workspace's or server's default."""
    if ctx.store is not None:
        mine = getattr(ctx.store.get_settings(asker.platform, "user", asker.user_id), field)
        if mine:
            return str(mine)
    if from_platform:
        return from_platform
    if ctx.store is not None:
        shared = getattr(
            ctx.store.get_settings(asker.platform, "workspace", asker.workspace_id), field
        )
        if shared:
            return str(shared)
    return None


def timezone_of(ctx: Context, asker: Asker) -> str:
    return _preferred(ctx, asker, "timezone", asker.timezone) or ctx.default_timezone


def lang_of(ctx: Context, asker: Asker) -> str:
    return _preferred(ctx, asker, "lang", asker.lang) or ctx.default_lang


def reply_lang(ctx: Context, asker: Asker) -> str:
    """The asker's language for text around an answer (the reply, a banner): a store hiccup
    here must not cost the answer, so it falls back to the platform's hint."""
    try:
        return lang_of(ctx, asker)
    except Exception:
        return asker.lang or ctx.default_lang
