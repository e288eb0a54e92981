"""Many Slack workspaces in one store: every read can be limited to a workspace, and a
workspace that uninstalls iepbot takes all of its rows with it, and nothing of another's."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from scheduler.store import CaseDraft, Settings, Store, TrackedDeadlineDraft
from tests.store.helpers import draft

FIRE = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


def _seed(store: Store, workspace: str, user: str = "U1") -> None:
    """In one workspace: a personal and a channel reminder, a case with a deadline and its
    reminder, ledger rows, the person's settings and the workspace's default."""

    def here(**extra: object):
        return dataclasses.replace(draft(user, **extra), workspace_id=workspace)  # type: ignore[arg-type]

    own = store.add_reminder(here(text=f"{workspace} note"))
    chan = store.add_reminder(here(target_kind="channel", target="C1"))
    store.claim_delivery(own.id, FIRE)
    store.record_delivery(chan.id, FIRE, "missed", True)
    _case, reminders = store.add_case(
        CaseDraft("slack", workspace, user, "C1", f"{workspace}-7", "consent", date(2026, 9, 15)),
        [
            TrackedDeadlineDraft(
                "initial_evaluation",
                "Initial evaluation",
                date(2026, 11, 14),
                "34 CFR 300.301(c)(1)",
                "60 calendar days",
            )
        ],
        [here(kind="deadline")],
    )
    store.claim_delivery(reminders[0].id, FIRE)
    store.set_setting("slack", "user", f"{user}-{workspace}", lang="es", workspace_id=workspace)
    store.remember_direct_channel("slack", workspace, user, f"D-{workspace}")
    store.set_setting("slack", "workspace", workspace, timezone="America/Denver")


def test_reads_limited_to_a_workspace(store: Store) -> None:
    _seed(store, "T1")
    _seed(store, "T2")
    t1 = store.list_reminders_for_owner("slack", "U1", workspace_id="T1")
    assert len(t1) == 3 and {r.workspace_id for r in t1} == {"T1"}
    by_channel = store.list_reminders_for_target("slack", "C1", workspace_id="T2")
    assert [r.workspace_id for r in by_channel] == ["T2"]
    [(case, deadlines)] = store.list_cases("slack", "U1", workspace_id="T2")
    assert case.label == "T2-7" and len(deadlines) == 1
    assert len(store.list_reminders_for_owner("slack", "U1")) == 6  # not walled: all of them
    # A person's settings are read only in the workspace they were made in.
    assert store.get_settings("slack", "user", "U1-T1", workspace_id="T1").lang == "es"
    assert store.get_settings("slack", "user", "U1-T1", workspace_id="T2").lang is None


def test_forget_user_in_one_workspace_keeps_the_other(store: Store) -> None:
    _seed(store, "T1")
    _seed(store, "T2")
    counts = store.forget_user("slack", "U1", workspace_id="T2")
    assert counts["reminders"] == 3 and counts["tracked_cases"] == 1
    assert store.list_reminders_for_owner("slack", "U1", workspace_id="T2") == []
    assert len(store.list_reminders_for_owner("slack", "U1", workspace_id="T1")) == 3
    assert len(store.list_cases("slack", "U1", workspace_id="T1")) == 1
    assert counts["direct_channels"] == 1
    assert store.direct_channel("slack", "T2", "U1") is None
    assert store.direct_channel("slack", "T1", "U1") == "D-T1"


def test_forget_workspace_removes_everything_of_it_and_nothing_else(store: Store) -> None:
    _seed(store, "T1")
    _seed(store, "T2")
    store.set_setting("discord", "workspace", "T1", lang="es")  # another platform's id
    assert [r.workspace_id for r in store.reminders_of_workspace("slack", "T1")] == ["T1"] * 3

    counts = store.forget_workspace("slack", "T1")
    assert counts == {
        "deliveries": 3,
        "reminders": 3,
        "tracked_deadlines": 1,
        "tracked_cases": 1,
        "settings": 2,  # the person's settings and the workspace default
        "calendar_feeds": 0,
        "direct_channels": 1,
    }
    assert store.reminders_of_workspace("slack", "T1") == []
    assert store.list_cases("slack", "U1", workspace_id="T1") == []
    assert store.get_settings("slack", "workspace", "T1") == Settings("slack", "workspace", "T1")
    assert store.get_settings("slack", "user", "U1-T1").lang is None
    assert store.get_settings("discord", "workspace", "T1").lang == "es"

    assert len(store.reminders_of_workspace("slack", "T2")) == 3
    assert len(store.list_cases("slack", "U1", workspace_id="T2")) == 1
    assert store.get_settings("slack", "user", "U1-T2").lang == "es"
    assert store.get_settings("slack", "workspace", "T2").timezone == "America/Denver"
    assert len(store.unfinished_deliveries()) == 2  # T2's two claims
    assert store.direct_channel("slack", "T1", "U1") is None
    assert store.direct_channel("slack", "T2", "U1") == "D-T2"
    assert store.forget_workspace("slack", "T1") == dict.fromkeys(counts, 0)


def test_changes_by_id_limited_to_a_workspace(store: Store) -> None:
    _seed(store, "T1")
    [north, *_] = store.list_reminders_for_owner("slack", "U1", workspace_id="T1")
    later = datetime(2027, 4, 1, 15, 0, tzinfo=UTC)
    assert not store.reschedule(north.id, later, workspace_id="T2")
    assert not store.cancel_reminder(north.id, workspace_id="T2")
    assert store.get_reminder(north.id) == north
    assert store.reschedule(north.id, later, workspace_id="T1")
    assert store.cancel_reminder(north.id, workspace_id="T1")
