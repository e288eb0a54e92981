"""`timezone`, `lang` and `forget`: a person's own settings, and the workspace defaults."""

from __future__ import annotations

from typing import Any

from bots.context import Context
from bots.preferences import lang_of, timezone_of
from bots.replies import Reply, ReplyKind, Section
from bots.verbs.declare import TextInput
from bots.verbs.reminders import error, no_store
from content.i18n import N_, tr
from scheduler.identity import Asker
from scheduler.timing.errors import TimeError
from scheduler.timing.zones import resolve_timezone

LANGS = {"en": "English", "es": "Español"}
SHARED_SCOPES = ("workspace", "server", "all")


def _setting(text: TextInput, name: str) -> dict[str, Any]:
    """`timezone [workspace|server|all] America/Chicago`, `lang [workspace] es`: the scope
    word first, then the value (empty: show the current one)."""
    words = text.rest.split()
    values: dict[str, Any] = {}
    if words and words[0].lower() in SHARED_SCOPES:
        values["scope"] = "server"
        words = words[1:]
    if words:
        values[name] = " ".join(words)
    return values


def parse_timezone(text: TextInput) -> dict[str, Any]:
    return _setting(text, "zone")


def parse_lang(text: TextInput) -> dict[str, Any]:
    return _setting(text, "language")


def _scope(ctx: Context, asker: Asker, scope: str, lang: str) -> tuple[str, str] | Reply:
    """("user" | "workspace", scope id), or the refusal to show: no store, or a shared default
    asked for by someone who is not an admin."""
    if ctx.store is None:
        return no_store(lang)
    if scope == "server":
        if not asker.is_admin:
            return error(
                tr(lang, "Only workspace or server admins can change the shared default"),
                lang=lang,
            )
        return "workspace", asker.workspace_id
    return "user", asker.user_id


def timezone_verb(
    ctx: Context, asker: Asker, *, zone: str | None = None, scope: str = "me"
) -> Reply:
    lang = lang_of(ctx, asker)
    scoped = _scope(ctx, asker, scope, lang)
    if isinstance(scoped, Reply):
        return scoped
    where, scope_id = scoped
    assert ctx.store is not None
    if not (zone or "").strip():
        return Reply(
            kind=ReplyKind.INFO,
            title=tr(lang, "Your timezone: {zone}", zone=timezone_of(ctx, asker)),
            sections=[Section(tr(lang, "Change it with `/iep timezone America/Chicago`."))],
        )
    try:
        found = resolve_timezone(" ".join((zone or "").split()), lang)
    except TimeError as exc:
        return error(exc.text(lang), lang=lang)
    ctx.store.set_setting(
        asker.platform, where, scope_id, timezone=found.key, workspace_id=asker.workspace_id
    )
    if where == "user":
        title = tr(lang, "Your timezone is now {zone}", zone=found.key)
    else:
        title = tr(lang, "The workspace default timezone is now {zone}", zone=found.key)
    return Reply(
        kind=ReplyKind.INFO,
        title=title,
        sections=[
            Section(tr(lang, "New reminders use it; times you already set stay as they were."))
        ],
    )


def lang_verb(
    ctx: Context, asker: Asker, *, language: str | None = None, scope: str = "me"
) -> Reply:
    lang = lang_of(ctx, asker)
    scoped = _scope(ctx, asker, scope, lang)
    if isinstance(scoped, Reply):
        return scoped
    where, scope_id = scoped
    assert ctx.store is not None
    if not (language or "").strip():
        return Reply(kind=ReplyKind.INFO, title=tr(lang, "Your language: {name}", name=LANGS[lang]))
    code = language.strip().lower() if language else ""
    if code not in LANGS:
        return error(
            tr(lang, "Choose `en` (English) or `es` (Español)"),
            tr(lang, "For example `/iep lang es`."),
            lang,
        )
    ctx.store.set_setting(
        asker.platform, where, scope_id, lang=code, workspace_id=asker.workspace_id
    )
    # Said in the new language: the person's own choice is the one they can read.
    lang = lang_of(ctx, asker)
    if where == "user":
        title = tr(lang, "Your language is now {name}", name=LANGS[code])
    else:
        title = tr(lang, "The workspace default language is now {name}", name=LANGS[code])
    return Reply(kind=ReplyKind.INFO, title=title)


# What each store table holds, in the words a person reads in the reply to `forget`.
_TABLES = {
    "reminders": N_("reminders"),
    "deliveries": N_("deliveries"),
    "tracked_deadlines": N_("tracked deadlines"),
    "tracked_cases": N_("tracked cases"),
    "settings": N_("settings"),
    "calendar_feeds": N_("calendar feed addresses"),
    "direct_channels": N_("direct message channels"),
}


def forget_verb(ctx: Context, asker: Asker) -> Reply:
    lang = lang_of(ctx, asker)
    if ctx.reminders is None:
        return no_store(lang)
    counts = ctx.reminders.forget(asker)
    removed = ", ".join(
        f"{n} {tr(lang, _TABLES.get(table, table))}" for table, n in counts.items() if n
    ) or tr(lang, "nothing was stored")
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(lang, "Your data is deleted"),
        sections=[Section(tr(lang, "Removed: {removed}.", removed=removed))],
    )
