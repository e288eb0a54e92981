"""`iepbot deadlines`: the stable JSON shape, readable text, and exit 2 with one error line."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine

from bots.deadlines_cli import add_deadlines_parser, run_deadlines
from content.deadlines.engine import compute_deadlines

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "content" / "deadlines" / "data" / "sample_calendar.yaml"
NOW = datetime(2026, 9, 1, 12, 0)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="iepbot")
    add_deadlines_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["deadlines", *argv])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with time_machine.travel(NOW, tick=False):
        args = parse(*argv)
        assert args.func is run_deadlines
        code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "consent", "2026-09-15", "--state", "TX", "--closures", str(SAMPLE), "--json"
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["event", "date", "state", "deadlines", "notes"]  # notes: issue 14
    assert (data["event"], data["date"], data["state"]) == ("consent", "2026-09-15", "TX")
    assert [(d["id"], d["due"]) for d in data["deadlines"]] == [
        ("initial_evaluation", "2026-11-19"),
        ("ard_meeting", "2026-12-19"),
    ]
    for deadline in data["deadlines"]:
        assert {"id", "title", "due", "basis", "citation"} <= set(deadline)
        assert deadline["weekday"] in ("Thursday", "Saturday")
        assert deadline["overdue"] is False


def test_json_without_state_is_null(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "iep", "2028-02-29", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["state"] is None
    assert data["deadlines"][0]["due"] == "2029-02-28"


def test_text_output_shows_date_weekday_rule_and_citation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "consent", "2026-09-15")
    assert (code, err) == (0, "")
    out = " ".join(out.split())  # the terminal renderer wraps long lines
    assert "2026-11-14 (Sat)" in out
    assert "60 calendar days after consent" in out
    assert "34 CFR 300.301(c)(1)" in out
    assert "within 60 days of getting the parent's" in out
    assert "falls on a Saturday; the law does not move it" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("signature", "2026-09-15"), "error: unknown event 'signature'; use one of: referral"),
        (("consent", "2026-02-31"), "error: date 2026-02-31 does not exist: February 2026 has 28"),
        (("consent", "2026-09-15", "--state", "XX"), "error: unknown state 'XX'"),
        (("consent", "2026-09-15", "--closures", "missing.yaml"), "error: calendar file missing"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_broken_calendar_file_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "district.yaml"
    broken.write_text(
        "first_day: 2026-08-19\nlast_day: 2027-06-03\nclosures:\n"
        "  - name: Winter break\n    start: 2026-12-21\n    end: 2026-12-01\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "consent", "2026-09-15", "--closures", str(broken))
    assert (code, out) == (2, "")
    assert err == (
        "error: calendar file district.yaml: closures[1] (Winter break): end 2026-12-01 is"
        " before start 2026-12-21\n"
    )


def test_count_past_the_calendar_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    short = tmp_path / "short.yaml"
    short.write_text("first_day: 2026-08-19\nlast_day: 2027-06-03\n", encoding="utf-8")
    code, _, err = run(capsys, "consent", "2027-05-10", "--state", "TX", "--closures", str(short))
    assert code == 2
    assert "add the first day of the next school year" in err


def test_the_real_command(tmp_path: Path) -> None:
    """Through the installed entry point's module, as scripts call it."""
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli", "deadlines", "consent", "2026-09-15", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["deadlines"][0]["due"] == "2026-11-14"
    bad = subprocess.run(
        [sys.executable, "-m", "bots.cli", "deadlines", "consent", "2026-02-31"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr == "error: date 2026-02-31 does not exist: February 2026 has 28 days\n"
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    ("path", "says"),
    [("/dev/zero", "not a regular file"), (".", "is a folder"), ("BIG", "larger than 2 MB")],
)
def test_closures_that_are_not_a_small_file_fail_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, path: str, says: str
) -> None:
    # issue 15, point 8: `--closures /dev/zero` hung, reading without end.
    if path == "BIG":
        big = tmp_path / "big.yaml"
        big.write_text("# " + "x" * (3 * 1024 * 1024))
        path = str(big)
    code, _, err = run(capsys, "consent", "2026-09-15", "--closures", path)
    assert code == 2 and says in err and err.count("\n") == 1


def test_connecticut_says_its_sources_disagree_and_gives_both_dates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Connecticut's 60-days-from-consent date: a law firm reports it dropped in 2020, the
    state's own data page for 2023-25 still measures it. The reply must not pick one silently:
    it says the sources disagree and what to do, in English and Spanish."""
    code, out, _ = run(capsys, "consent", "2026-09-15", "--state", "CT")
    flat = " ".join(out.split())
    assert code == 0 and "60 calendar days after consent" in flat
    assert "Sources disagree" in flat and "earlier of the two dates" in flat
    assert "rely on the 45-school-day date" not in flat
    spanish = compute_deadlines("consent", date(2026, 9, 15), "CT", lang="es")
    notes = " ".join(n for d in spanish.deadlines for n in d.notes)
    assert "Las fuentes no coinciden" in " ".join(notes.split())
