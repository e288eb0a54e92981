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

    def get_settings(self, platform: str, scope: str, scope_id: str) -> Settings:
        c = SETTINGS.c
        stmt = select(c.timezone, c.lang).where(
            c.platform == platform, c.scope == scope, c.scope_id == scope_id
        )
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
    ) -> Settings:
        """Upsert only the fields given; returns the settings as stored."""
        _check_choice(scope, SETTING_SCOPES, "scope")
        changes: dict[str, str] = {}
        if timezone is not None:
            _check_zone(timezone)
            changes["timezone"] = timezone
        if lang is not None:
            if not lang or len(lang) > 16:
                raise ValueError("lang must be a short language code such as en or es")
            changes["lang"] = lang
        if changes:
            stmt = self._insert(SETTINGS).values(
                platform=platform, scope=scope, scope_id=scope_id, **changes
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=["platform", "scope", "scope_id"], set_=changes
            )
            with self._tx() as s:
                s.execute(stmt)
        return self.get_settings(platform, scope, scope_id)
