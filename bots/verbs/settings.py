"""`timezone`, `lang` and `forget`: a person's own settings, and the workspace defaults."""

from __future__ import annotations

from bots.asker import Asker
from bots.context import Context
from bots.preferences import lang_of, timezone_of, who
from bots.replies import Reply, ReplyKind, Section
from bots.verbs.reminders import error, no_store
from scheduler.timing.errors import TimeError
from scheduler.timing.zones import resolve_timezone

LANGS = {"en": "English", "es": "Español"}
SHARED_SCOPES = ("workspace", "server", "all")


def _scope(ctx: Context, asker: Asker, words: list[str]) -> tuple[str, str, list[str]] | Reply:
    """("user" | "workspace", scope id, remaining words), or a refusal for non-admins."""
    if words and words[0].lower() in SHARED_SCOPES:
        if not asker.is_admin:
            return error("Only workspace or server admins can change the shared default")
        return "workspace", asker.workspace_id, words[1:]
    return "user", asker.user_id, words


def timezone_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    if ctx.store is None:
        return no_store()
    scoped = _scope(ctx, asker, args.split())
    if isinstance(scoped, Reply):
        return scoped
    scope, scope_id, words = scoped
    if not words:
        return Reply(
            kind=ReplyKind.INFO,
            title=f"Your timezone: {timezone_of(ctx, asker)}",
            sections=[Section("Change it with `/iep timezone America/Chicago`.")],
        )
    try:
        zone = resolve_timezone(" ".join(words))
    except TimeError as exc:
        return error(str(exc))
    ctx.store.set_setting(asker.platform, scope, scope_id, timezone=zone.key)
    whose = "Your" if scope == "user" else "The workspace default"
    return Reply(
        kind=ReplyKind.INFO,
        title=f"{whose} timezone is now {zone.key}",
        sections=[Section("New reminders use it; times you already set stay as they were.")],
    )


def lang_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    if ctx.store is None:
        return no_store()
    scoped = _scope(ctx, asker, args.split())
    if isinstance(scoped, Reply):
        return scoped
    scope, scope_id, words = scoped
    if not words:
        return Reply(kind=ReplyKind.INFO, title=f"Your language: {LANGS[lang_of(ctx, asker)]}")
    code = words[0].lower()
    if code not in LANGS or len(words) > 1:
        return error("Choose `en` (English) or `es` (Español)", "For example `/iep lang es`.")
    ctx.store.set_setting(asker.platform, scope, scope_id, lang=code)
    whose = "Your" if scope == "user" else "The workspace default"
    return Reply(kind=ReplyKind.INFO, title=f"{whose} language is now {LANGS[code]}")


def forget_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    if ctx.reminders is None:
        return no_store()
    counts = ctx.reminders.forget(who(asker))
    removed = ", ".join(f"{n} {table}" for table, n in counts.items() if n) or "nothing was stored"
    return Reply(
        kind=ReplyKind.INFO,
        title="Your data is deleted",
        sections=[Section(f"Removed: {removed}.")],
    )
