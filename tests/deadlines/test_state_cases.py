"""Runs every hand-computed case in tests/deadlines/state_cases/*.yaml (issue 14).

Each helper who researched states wrote a file of cases, each computed by hand from the rule
text (no school calendar: school days are Monday to Friday; day 1 is the day after the event).
This runner computes the same case with the engine and compares, and checks that every rule of
every researched state file has at least one case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from content.deadlines import compute_deadlines, parse_date
from content.deadlines.rules import state_rules
from content.deadlines.yaml_io import read_yaml

CASES_DIR = Path(__file__).parent / "state_cases"
LONG_AGO = date(1950, 1, 1)  # "today" before every case: nothing is hidden as long past
FIELDS = {"state", "event", "date", "rule", "due", "why"}
# The 11 states converted mechanically from the old states.yaml are checked with a school
# calendar in test_deadline_states.py; the research helpers' files (with cases) replace them.
CONVERTED = "quote not yet checked (converted from states.yaml"


@dataclass(frozen=True)
class Case:
    where: str
    state: str | None
    event: str
    on: date
    rule: str
    due: date
    why: str


def _load() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        raw: Any = read_yaml(path)
        assert isinstance(raw, list), f"{path.name}: expected a list of cases"
        for n, item in enumerate(raw):
            where = f"{path.name}[{n + 1}]"
            assert isinstance(item, dict), f"{where}: a case is a mapping"
            unknown = set(item) - FIELDS
            assert not unknown, f"{where}: unknown field(s) {sorted(unknown)}"
            cases.append(
                Case(
                    where,
                    item.get("state"),
                    str(item["event"]),
                    parse_date(str(item["date"])),
                    str(item["rule"]),
                    parse_date(str(item["due"])),
                    str(item.get("why", "")),
                )
            )
    return cases


CASES = _load()


@pytest.mark.parametrize("case", CASES, ids=[c.where for c in CASES])
def test_hand_computed_case(case: Case) -> None:
    report = compute_deadlines(case.event, case.on, state=case.state, today=LONG_AGO)
    got = {d.id: d.due for d in report.deadlines}
    assert case.rule in got, f"{case.where}: no rule '{case.rule}' in {sorted(got)} ({case.why})"
    assert got[case.rule] == case.due, f"{case.where}: {case.why}"


def test_every_researched_state_rule_has_a_case() -> None:
    covered = {(c.state, c.rule) for c in CASES}
    missing = [
        f"{code} {rule.id}"
        for code, state in sorted(state_rules().items())
        for rule in state.rules
        if not (rule.missing or "").startswith(CONVERTED) and (code, rule.id) not in covered
    ]
    assert missing == []


def test_the_runner_catches_a_wrong_date() -> None:
    wrong = Case("x", "TX", "request", date(2026, 9, 15), "request_response", date(2026, 10, 7), "")
    with pytest.raises(AssertionError):
        test_hand_computed_case(wrong)
