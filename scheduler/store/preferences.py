"""Per-user and per-workspace settings (timezone, language) in the store."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.store.base import (
    SETTINGS,
    StoreBase,
    _check_choice,
    _check_zone,
)
from scheduler.store.records import (
    SETTING_SCOPES,
    Settings,
)


class Preferences(StoreBase):
    # -- settings ---------------------------------------------------------------------------

    def get_settings(
        self, platform: str, scope: str, scope_id: str, *, workspace_id: str | None = None
    ) -> Settings:
        """``workspace_id``: a person's settings as made in that workspace only (walled)."""
        c = SETTINGS.c
        stmt = select(c.timezone, c.lang).where(
            c.platform == platform, c.scope == scope, c.scope_id == scope_id
        )
        if workspace_id is not None:
            stmt = stmt.where(c.workspace_id == workspace_id)
        with self._tx(read_only=True) as s:
            row = s.execute(stmt).first()
        if row is None:
            return Settings(platform, scope, scope_id)
        return Settings(platform, scope, scope_id, timezone=row.timezone, lang=row.lang)

    def set_setting(
        self,
        platform: str,
        scope: str,
        scope_id: str,
        *,
        timezone: str | None = None,
        lang: str | None = None,
        workspace_id: str | None = None,
    ) -> Settings:
        """Upsert only the fields given; returns the settings as stored (``workspace_id``
        recorded with them: a workspace default belongs to its own workspace, a person's settings
        to the workspace they were last made in, so both go when it uninstalls iepbot). One row
        per person: a Grid member who is in two workspaces is one person with one timezone.
        """
        _check_choice(scope, SETTING_SCOPES, "scope")
        changes: dict[str, str] = {}
        if timezone is not None:
            _check_zone(timezone)
            changes["timezone"] = timezone
        if lang is not None:
            if not lang or len(lang) > 16:
                raise ValueError("lang must be a short language code such as en or es")
            changes["lang"] = lang
        owner = scope_id if scope == "workspace" else workspace_id
        if changes:
            stmt = self._insert(SETTINGS).values(
                platform=platform, scope=scope, scope_id=scope_id, workspace_id=owner, **changes
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["platform", "scope", "scope_id"],
                set_={**changes, "workspace_id": owner},
            )
            with self._tx() as s:
                s.execute(stmt)
        return self.get_settings(platform, scope, scope_id)
