"""`timezone`, `lang` and `forget`: a person's own settings, and the workspace defaults."""

from __future__ import annotations

from bots.asker import Asker
from bots.context import Context
from bots.preferences import lang_of, timezone_of, who
from bots.replies import Reply, ReplyKind, Section
from bots.verbs.reminders import error, no_store
from content.i18n import N_, tr
from scheduler.timing.errors import TimeError
from scheduler.timing.zones import resolve_timezone

LANGS = {"en": "English", "es": "Español"}
SHARED_SCOPES = ("workspace", "server", "all")


def _scope(ctx: Context, asker: Asker, args: str, lang: str) -> tuple[str, str, list[str]] | Reply:
    """("user" | "workspace", scope id, remaining words), or the refusal to show: no store, or
    a shared default asked for by someone who is not an admin."""
    if ctx.store is None:
        return no_store(lang)
    words = args.split()
    if words and words[0].lower() in SHARED_SCOPES:
        if not asker.is_admin:
            return error(
                tr(lang, "Only workspace or server admins can change the shared default"),
                lang=lang,
            )
        return "workspace", asker.workspace_id, words[1:]
    return "user", asker.user_id, words


def timezone_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    lang = lang_of(ctx, asker)
    scoped = _scope(ctx, asker, args, lang)
    if isinstance(scoped, Reply):
        return scoped
    scope, scope_id, words = scoped
    if not words:
        return Reply(
            kind=ReplyKind.INFO,
            title=tr(lang, "Your timezone: {zone}", zone=timezone_of(ctx, asker)),
            sections=[Section(tr(lang, "Change it with `/iep timezone America/Chicago`."))],
        )
    try:
        zone = resolve_timezone(" ".join(words), lang)
    except TimeError as exc:
        return error(str(exc), lang=lang)
    ctx.store.set_setting(asker.platform, scope, scope_id, timezone=zone.key)
    if scope == "user":
        title = tr(lang, "Your timezone is now {zone}", zone=zone.key)
    else:
        title = tr(lang, "The workspace default timezone is now {zone}", zone=zone.key)
    return Reply(
        kind=ReplyKind.INFO,
        title=title,
        sections=[
            Section(tr(lang, "New reminders use it; times you already set stay as they were."))
        ],
    )


def lang_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    lang = lang_of(ctx, asker)
    scoped = _scope(ctx, asker, args, lang)
    if isinstance(scoped, Reply):
        return scoped
    scope, scope_id, words = scoped
    if not words:
        return Reply(kind=ReplyKind.INFO, title=tr(lang, "Your language: {name}", name=LANGS[lang]))
    code = words[0].lower()
    if code not in LANGS or len(words) > 1:
        return error(
            tr(lang, "Choose `en` (English) or `es` (Español)"),
            tr(lang, "For example `/iep lang es`."),
            lang,
        )
    ctx.store.set_setting(asker.platform, scope, scope_id, lang=code)
    # Said in the new language: the person's own choice is the one they can read.
    lang = lang_of(ctx, asker)
    if scope == "user":
        title = tr(lang, "Your language is now {name}", name=LANGS[code])
    else:
        title = tr(lang, "The workspace default language is now {name}", name=LANGS[code])
    return Reply(kind=ReplyKind.INFO, title=title)


# The store's table names are the English words shown (as before); the catalogue has Spanish.
_TABLES = {
    "reminders": N_("reminders"),
    "deliveries": N_("deliveries"),
    "tracked_deadlines": N_("tracked_deadlines"),
    "tracked_cases": N_("tracked_cases"),
    "settings": N_("settings"),
}


def forget_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    counts = ctx.reminders.forget(who(asker))
    removed = ", ".join(
        f"{n} {tr(lang, _TABLES.get(table, table))}" for table, n in counts.items() if n
    ) or tr(lang, "nothing was stored")
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(lang, "Your data is deleted"),
        sections=[Section(tr(lang, "Removed: {removed}.", removed=removed))],
    )
