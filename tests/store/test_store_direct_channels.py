"""People's DM channel ids with the bot (migration 0007), kept per platform and workspace."""

from __future__ import annotations

import pytest

from scheduler.store import Store


def test_a_dm_channel_is_kept_per_workspace_and_replaced(store: Store) -> None:
    assert store.direct_channel("slack", "T1", "U1") is None
    store.remember_direct_channel("slack", "T1", "U1", "D1")
    store.remember_direct_channel("slack", "T2", "U1", "D9")
    assert store.direct_channel("slack", "T1", "U1") == "D1"
    assert store.direct_channel("slack", "T2", "U1") == "D9"
    assert store.direct_channel("discord", "T1", "U1") is None
    store.remember_direct_channel("slack", "T1", "U1", "D2")  # learned again: the new one
    assert store.direct_channel("slack", "T1", "U1") == "D2"


@pytest.mark.parametrize(
    ("user", "channel"), [("", "D1"), ("U1", ""), ("U1", "D" * 65), ("U" * 65, "D1")]
)
def test_a_bad_id_is_refused_and_nothing_changes(store: Store, user: str, channel: str) -> None:
    store.remember_direct_channel("slack", "T1", "U1", "D1")
    with pytest.raises(ValueError):
        store.remember_direct_channel("slack", "T1", user, channel)
    assert store.direct_channel("slack", "T1", "U1") == "D1"
