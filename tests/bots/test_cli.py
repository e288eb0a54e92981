"""The `iepbot` console script as a user or a tool runs it: real processes, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

IEPBOT = str(Path(sys.executable).with_name("iepbot"))
FIXTURES = Path(__file__).parents[1] / "fixtures" / "packs"
# `iepbot ask --json`'s fields, in order: the shape tools read, for terms and questions alike.
ASK_JSON_FIELDS = [
    "query",
    "found",
    "id",
    "title",
    "summary",
    "body",
    "related",
    "sources",
    "suggestions",
]


@pytest.fixture(autouse=True)
def _private_database(tmp_path, monkeypatch) -> None:
    """Console runs use a throw-away store, never the user's real data folder."""
    monkeypatch.setenv("IEPBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")


def run(*args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [IEPBOT, *args], input=stdin, capture_output=True, text=True, timeout=timeout
    )


def test_ask_json_finds_the_504_entry() -> None:
    done = run("ask", "504 plan", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == set(ASK_JSON_FIELDS)
    assert payload["found"] is True and payload["id"] == "section-504-plan"
    assert payload["query"] == "504 plan"
    assert payload["sources"] and payload["sources"][0]["url"].startswith("https://")
    assert payload["related"] and payload["suggestions"] == []


def test_ask_typo_finds_assistive_technology() -> None:
    done = run("ask", "asistive tecnology")
    assert done.returncode == 0
    assert "Assistive technology" in done.stdout or "assistive technology" in done.stdout.lower()


def test_ask_miss_exits_1_with_suggestions() -> None:
    done = run("ask", "xyzzy")
    assert done.returncode == 1
    assert "/iep " in done.stdout
    payload = json.loads(run("ask", "xyzzy", "--json").stdout)
    assert payload["found"] is False and payload["id"] is None and payload["suggestions"]


def test_ask_bad_input_is_one_line_exit_2() -> None:
    for args in (("ask", " "), ("ask", "x" * 10_000)):
        done = run(*args)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ")
        assert "Traceback" not in done.stderr


def test_content_check_passes_on_the_built_in_packs() -> None:
    done = run("content", "check")
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("ok: en: ")


def test_content_check_prints_every_error_and_exits_1() -> None:
    done = run("content", "check", str(FIXTURES / "broken" / "missing_field"))
    assert done.returncode == 1
    assert "entry 'no-summary': field 'summary': missing" in done.stdout
    assert "nothing was loaded" in done.stderr


def test_console_from_a_pipe_answers_every_line_until_end_of_input() -> None:
    done = run("console", stdin="/iep 504 plan\n\nwhat is idea\ntopics\nxyzzy\n/iep help\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "iep> " not in out  # no prompt when nobody is typing
    assert out.count("\n# ") + out.startswith("# ") >= 5
    assert "504" in out and "Individuals with Disabilities Education Act" in out
    assert "No entry for “xyzzy”" in out and "How to use /iep" in out


@pytest.mark.parametrize("stdin", ["", "\n\n"])
def test_console_with_no_commands_exits_cleanly(stdin: str) -> None:
    done = run("console", stdin=stdin)
    assert done.returncode == 0 and done.stdout == ""


def test_console_on_a_tty_prompts_and_answers() -> None:
    import os
    import pty
    import select
    import time

    leader, follower = pty.openpty()
    proc = subprocess.Popen([IEPBOT, "console"], stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    seen = b""

    def read_until(marker: bytes, limit: float = 30) -> None:
        nonlocal seen
        end = time.monotonic() + limit
        while marker not in seen:
            left = end - time.monotonic()
            assert left > 0, seen
            ready, _, _ = select.select([leader], [], [], left)
            if ready:
                seen += os.read(leader, 4096)

    try:
        read_until(b"iep> ")
        os.write(leader, b"504 plan\n")
        read_until(b"Sources:")
        os.write(leader, b"\x04")  # Ctrl-D: end of input
        assert proc.wait(timeout=30) == 0
        assert b"Ctrl-D" in seen
    finally:
        proc.kill()
        os.close(leader)


def test_console_survives_invalid_utf8_and_control_characters() -> None:
    # issue 15, point 7: invalid UTF-8 or a lone surrogate ended in UnicodeEncodeError, and
    # escape sequences were echoed raw to the terminal.
    done = subprocess.run(
        [IEPBOT, "console"],
        input=b"remind me in 2 hours caf\xe9 \xff\x1b[2J\x07call\n504 plan\n",
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-500:]
    out = done.stdout.decode("utf-8")
    assert "Reminder #1 set" in out and "Section 504" in out
    assert "\x1b" not in out and "\x07" not in out
    assert b"Traceback" not in done.stderr


def test_end_of_input_does_not_wait_for_a_paced_backlog(tmp_path) -> None:
    # issue 15, point 5: at end of input the console waited for the whole paced backlog
    # (450 due → about 7 minutes at one a second). Now it hands the rest back to the store:
    # they go out, marked late, the next time the bot starts.
    from datetime import UTC, datetime, timedelta

    from scheduler.store.database import open_store
    from scheduler.store.records import ReminderDraft

    url = f"sqlite:///{tmp_path / 'backlog.sqlite3'}"
    store = open_store(url)
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    for i in range(60):
        store.add_reminder(
            ReminderDraft(
                platform="console", workspace_id="local", owner_id="console",
                target_kind="user", target_id="console", text=f"backlog {i}", lang="en",
                timezone="UTC", next_fire_at=due,
            )
        )  # fmt: skip
    store.close()
    done = subprocess.run(
        [IEPBOT, "console", "--db", url], input="help\n", capture_output=True, text=True,
        timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-500:]
    first_run = done.stdout.count("backlog ")
    assert first_run < 60
    assert "next time" in done.stdout
    again = subprocess.run(
        [IEPBOT, "console", "--db", url], input="", capture_output=True, text=True, timeout=30
    )
    assert first_run + again.stdout.count("backlog ") >= min(60, first_run + 1)


def test_console_stops_with_an_error_when_its_database_file_is_deleted(tmp_path) -> None:
    # issue 15, point 14: the bot kept writing into a deleted SQLite file and exited 0.
    db = tmp_path / "gone.sqlite3"
    proc = subprocess.Popen(
        [IEPBOT, "console", "--db", f"sqlite:///{db}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write("remind me in 2 hours first\n")
    proc.stdin.flush()
    for _ in range(50):  # bounded: the first reminder is saved before the file goes
        if "Reminder #1 set" in proc.stdout.readline():
            break
    for file in tmp_path.iterdir():
        file.unlink()
    out, err = proc.communicate("remind me in 3 hours second\n", timeout=60)
    assert proc.returncode == 1
    assert "deleted or replaced" in err
    # It stops at once, or (if the file went while a command was under way) after saying that
    # nothing was saved: never a confirmation for a reminder nobody could ever read back.
    assert "Reminder #2 set" not in out
    assert out == "" or "storage is not available" in out
