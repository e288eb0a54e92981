"""Settings: per user or workspace, upserted one field at a time."""

from __future__ import annotations

import pytest

from scheduler.store import Settings, Store


def test_empty_settings(store: Store) -> None:
    assert store.get_settings("slack", "user", "U1") == Settings("slack", "user", "U1", None, None)


def test_upsert_only_given_fields(store: Store) -> None:
    got = store.set_setting("slack", "user", "U1", timezone="America/Chicago")
    assert got == Settings("slack", "user", "U1", timezone="America/Chicago", lang=None)
    store.set_setting("slack", "user", "U1", lang="es")
    assert store.get_settings("slack", "user", "U1") == Settings(
        "slack", "user", "U1", timezone="America/Chicago", lang="es"
    )
    store.set_setting("slack", "user", "U1", timezone="America/New_York")
    assert store.get_settings("slack", "user", "U1").lang == "es"
    assert store.get_settings("slack", "user", "U1").timezone == "America/New_York"
    assert store.set_setting("slack", "user", "U1").lang == "es"  # nothing given: unchanged


def test_scopes_and_platforms_are_separate(store: Store) -> None:
    store.set_setting("slack", "workspace", "T1", lang="es")
    store.set_setting("discord", "user", "T1", lang="en")
    assert store.get_settings("slack", "user", "T1").lang is None
    assert store.get_settings("slack", "workspace", "T1").lang == "es"
    assert store.get_settings("discord", "user", "T1").lang == "en"


def test_bad_values_change_nothing(store: Store) -> None:
    with pytest.raises(ValueError):
        store.set_setting("slack", "user", "U1", timezone="Mars/Olympus")
    with pytest.raises(ValueError):
        store.set_setting("slack", "team", "U1", lang="es")
    assert store.get_settings("slack", "user", "U1") == Settings("slack", "user", "U1")
