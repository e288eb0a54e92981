"""Scheduled pushes: YAML validated with clear errors, stored as reminders, reloaded on change."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bots.adapters import PLATFORMS
from scheduler.pushes.config import load_pushes
from scheduler.pushes.watcher import PUSH_OWNER, PushWatcher
from scheduler.store.database import open_store

GOOD = """\
pushes:
  - id: weekly-tip
    cron: "0 8 * * 1"
    timezone: America/Chicago
    platform: slack
    channel: C0123
    entry: accommodations
  - id: parent-meeting
    cron: "0 18 1 * *"
    timezone: America/Chicago
    platform: discord
    channel: "112233"
    text: The monthly parent meeting is tonight at 7 in the library.
"""


def write(tmp_path: Path, text: str, name: str = "pushes.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_good_file_loads(tmp_path, library) -> None:
    pushes, issues = load_pushes(write(tmp_path, GOOD), library, PLATFORMS)
    assert issues == []
    tip, meeting = pushes
    assert tip.text.startswith("💡 Accommodations") and "/iep accommodations" in tip.text
    assert meeting.platform == "discord" and meeting.recurrence.kind == "cron"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('    cron: "0 8 * * 1"\n', ""), "push 'weekly-tip': field 'cron': missing"),
        (("0 8 * * 1", "61 8 * * 1"), "entry 'weekly-tip': field 'cron': "),
        (
            ("America/Chicago\n    platform: slack", "Mars/Base\n    platform: slack"),
            "entry 'weekly-tip': field 'timezone': ",
        ),
        (("platform: slack", "platform: teams"), "entry 'weekly-tip': field 'platform': "),
        (("entry: accommodations", "entry: nope"), "entry 'weekly-tip': field 'entry': "),
        (
            ("entry: accommodations", "entry: accommodations\n    text: both"),
            "field 'entry': give exactly one of entry or text",
        ),
        (("id: parent-meeting", "id: weekly-tip"), "field 'id': duplicate id"),
        (
            ("    channel: C0123\n", "    channel: C0123\n    chanel: typo\n"),
            "field 'chanel': unknown field",
        ),
        (
            ("    platform: slack\n", "    platform: slack\n    platform: discord\n"),
            "field 'platform': written twice",
        ),
    ],
)
def test_each_error_names_file_push_and_field(tmp_path, library, change, expected) -> None:
    old, new = change
    assert old in GOOD
    pushes, issues = load_pushes(write(tmp_path, GOOD.replace(old, new, 1)), library, PLATFORMS)
    shown = [str(i) for i in issues]
    wanted = expected.replace("entry '", "push '")
    assert pushes == [] and any(wanted in line for line in shown), shown
    assert all(line.startswith("pushes.yaml: ") for line in shown)


def test_missing_file_and_not_a_list(tmp_path, library) -> None:
    _, issues = load_pushes(tmp_path / "nope.yaml", library, PLATFORMS)
    assert "cannot read it" in str(issues[0])
    _, issues = load_pushes(write(tmp_path, "pushes: 3\n"), library, PLATFORMS)
    assert "'pushes' must be a list" in str(issues[0])


def test_reload_on_change_adds_keeps_and_removes(tmp_path, library) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    path = write(tmp_path, GOOD)
    watcher = PushWatcher(path, store, engine=None, platforms=PLATFORMS, library=library)
    assert watcher.reload_if_changed() is True
    stored = {
        r.platform: r
        for p in ("slack", "discord")
        for r in store.list_reminders_for_owner(p, PUSH_OWNER)
    }
    assert set(stored) == {"slack", "discord"}
    tip = stored["slack"]
    assert tip.kind == "push" and tip.target_kind == "channel" and tip.target_id == "C0123"
    local = tip.next_fire_at.astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago"))
    assert (local.weekday(), local.hour, local.minute) == (0, 8, 0)
    assert tip.next_fire_at > datetime.now(UTC)

    assert watcher.reload_if_changed() is False  # unchanged file: nothing to do

    path.write_text(GOOD.replace("tonight at 7", "tonight at 6:30"))
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    assert watcher.reload_if_changed() is True
    assert store.get_reminder(tip.id).status == "active"  # untouched push keeps its schedule
    meetings = store.list_reminders_for_owner("discord", PUSH_OWNER)
    assert [m.text for m in meetings] == [
        "The monthly parent meeting is tonight at 6:30 in the library."
    ]

    path.write_text("pushes:\n  - id: broken\n")  # a broken file changes nothing
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    assert watcher.reload_if_changed() is False
    assert store.count_active() == 2
    store.close()


def test_cli_pushes_check(tmp_path) -> None:
    import subprocess
    import sys

    exe = str(Path(sys.executable).with_name("iepbot"))
    ok = subprocess.run(
        [exe, "pushes", "check", str(write(tmp_path, GOOD))], capture_output=True, text=True
    )
    assert ok.returncode == 0 and ok.stdout.strip() == "ok: 2 scheduled push(es)"
    bad = write(tmp_path, GOOD.replace("platform: slack", "platform: teams"), "bad.yaml")
    done = subprocess.run([exe, "pushes", "check", str(bad)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "bad.yaml: push 'weekly-tip': field 'platform':" in done.stdout
