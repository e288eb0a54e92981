"""/iep forget: everything of one user goes, nothing of anyone else."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scheduler.store import CaseDraft, Settings, Store, TrackedDeadlineDraft
from tests.store.helpers import draft

FIRE = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


def _seed(store: Store, user: str, platform: str = "slack") -> None:
    """Two reminders, a case with a deadline and a reminder, three ledger rows, settings."""
    own = store.add_reminder(draft(user, platform=platform))
    chan = store.add_reminder(draft(user, platform=platform, target_kind="channel", target="C1"))
    store.claim_delivery(own.id, FIRE)
    store.record_delivery(chan.id, FIRE, "missed", True)
    _case, reminders = store.add_case(
        CaseDraft(platform, "T1", user, "C1", "AB-7", "consent", date(2026, 9, 15)),
        [
            TrackedDeadlineDraft(
                "initial_evaluation",
                "Initial evaluation",
                date(2026, 11, 14),
                "34 CFR 300.301(c)(1)",
                "60 calendar days",
            )
        ],
        [draft(user, platform=platform, kind="deadline")],
    )
    store.claim_delivery(reminders[0].id, FIRE)
    store.set_setting(platform, "user", user, timezone="America/Chicago", lang="es")
    store.set_feed(platform, "T1", user, f"{platform}-{user}-hash", "es")
    store.remember_direct_channel(platform, "T1", user, f"D-{user}")


def test_forget_user_removes_only_that_user(store: Store) -> None:
    _seed(store, "U1")
    _seed(store, "U2")
    _seed(store, "U1", platform="discord")  # same id on another platform is another person
    store.set_setting("slack", "workspace", "U1", lang="en")  # a workspace, not the user
    keep_u2 = store.list_reminders_for_owner("slack", "U2")

    counts = store.forget_user("slack", "U1")
    assert counts == {
        "deliveries": 3,
        "reminders": 3,
        "tracked_deadlines": 1,
        "tracked_cases": 1,
        "settings": 1,
        "calendar_feeds": 1,
        "direct_channels": 1,
    }
    assert store.direct_channel("slack", "T1", "U1") is None
    assert store.direct_channel("slack", "T1", "U2") == "D-U2"
    assert store.direct_channel("discord", "T1", "U1") == "D-U1"
    assert store.list_reminders_for_owner("slack", "U1", active_only=False) == []
    assert store.list_cases("slack", "U1") == []
    assert store.get_settings("slack", "user", "U1") == Settings("slack", "user", "U1")
    remaining = {r.id for r in keep_u2} | {
        r.id for r in store.list_reminders_for_owner("discord", "U1", active_only=False)
    }
    left = store.unfinished_deliveries()
    assert len(left) == 4  # two claims each for slack U2 and discord U1
    assert {d.reminder_id for d in left} <= remaining

    assert store.list_reminders_for_owner("slack", "U2") == keep_u2
    assert len(store.list_cases("slack", "U2")) == 1
    assert store.get_settings("slack", "user", "U2").lang == "es"
    assert store.get_settings("slack", "workspace", "U1").lang == "en"
    assert store.feed_owner("slack-U1-hash") is None
    assert store.feed_owner("slack-U2-hash") is not None
    assert len(store.list_reminders_for_owner("discord", "U1")) == 3
    assert all(store.get_delivery(r.id, FIRE) is not None for r in keep_u2)

    assert store.forget_user("slack", "U1") == dict.fromkeys(counts, 0)


def test_forget_removes_reminders_others_set_for_the_user(store: Store) -> None:
    """A reminder someone set for U2 holds U2's id as its recipient: it goes with U2's data;
    the setter's other reminders stay."""
    for_them = store.add_reminder(draft("U1", target="U2"))
    mine = store.add_reminder(draft("U1"))
    store.claim_delivery(for_them.id, FIRE)
    counts = store.forget_user("slack", "U2")
    assert counts["reminders"] == 1 and counts["deliveries"] == 1
    assert store.get_reminder(for_them.id) is None
    assert store.get_reminder(mine.id) is not None
