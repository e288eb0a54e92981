"""What happens to the SQLite file itself: deleted under a running bot, and what `forget` leaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scheduler.store.database import open_store
from scheduler.store.errors import StoreError
from scheduler.store.records import ReminderDraft

SECRET = "SECRET-CASE-TEXT-7731"


def draft(text: str = SECRET, owner: str = "U1") -> ReminderDraft:
    return ReminderDraft(
        platform="slack",
        workspace_id="T1",
        owner_id=owner,
        target_kind="user",
        target_id=owner,
        text=text,
        lang="en",
        timezone="UTC",
        next_fire_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=1),
    )


def test_forget_leaves_no_trace_of_the_text_in_the_files(tmp_path: Path) -> None:
    # issue 15, point 15: after `forget`, the deleted texts stayed readable in the -wal file
    # until a checkpoint (and freed pages of the main file keep old bytes too).
    path = tmp_path / "iepbot.sqlite3"
    store = open_store(f"sqlite:///{path}")
    try:
        for _ in range(20):
            store.add_reminder(draft())
        store.add_reminder(draft("someone else's", owner="U2"))
        store.forget_user("slack", "U1")
        files = [p for p in tmp_path.iterdir() if p.name.startswith("iepbot.sqlite3")]
        assert files
        for file in files:
            assert SECRET.encode() not in file.read_bytes(), file.name
        assert [r.text for r in store.list_reminders_for_owner("slack", "U2")] == ["someone else's"]
    finally:
        store.close()


def test_a_deleted_database_file_is_refused_not_written_into_the_void(tmp_path: Path) -> None:
    # issue 15, point 14: deleting the SQLite file while the bot runs: it kept writing to the
    # deleted file, everything was lost at exit, and the exit code was 0.
    path = tmp_path / "iepbot.sqlite3"
    store = open_store(f"sqlite:///{path}")
    try:
        store.add_reminder(draft("before"))
        assert store.file_intact()
        for file in tmp_path.iterdir():
            file.unlink()
        assert not store.file_intact()
        with pytest.raises(StoreError, match="deleted or replaced"):
            store.add_reminder(draft("after"))
        with pytest.raises(StoreError, match="deleted or replaced"):
            store.count_active()
    finally:
        store.close()
