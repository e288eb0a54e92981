"""The rule files: the packaged ones load, and a broken one names file, rule and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.deadlines import RuleDataError, known_states
from content.deadlines.rules import (
    EVENTS,
    federal_rules,
    load_federal,
    order_rules,
    parse_rule,
    rules_for,
)

BASE = {
    "id": "initial_evaluation",
    "event": "consent",
    "title": "Initial evaluation",
    "days": 60,
    "citation": "34 CFR 300.301(c)(1)",
    "source": "https://www.ecfr.gov/current/title-34/section-300.301",
    "plain": "Sixty days.",
}


def test_packaged_rules_load_and_cover_every_event() -> None:
    # Federal law has no fixed number of days for answering a request (34 CFR 300.503).
    assert {rule.event for rule in federal_rules()} == set(EVENTS) - {"request"}
    assert len(known_states()) >= 12


def test_rules_are_parsed_once() -> None:
    assert rules_for("TX") is rules_for("TX")
    assert federal_rules() is federal_rules()


def test_state_rule_replaces_federal_rule_with_same_id() -> None:
    tx = {rule.id: rule for rule in rules_for("TX")}
    assert tx["initial_evaluation"].state == "TX"
    assert tx["iep_meeting"].state is None  # not overridden: the federal floor stays
    ids = [rule.id for rule in rules_for("TX")]
    assert ids.index("initial_evaluation") < ids.index("ard_meeting")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"citation": None}, "field 'citation': missing"),
        ({"source": "http://example.org"}, "field 'source': must be an https:// link"),
        ({"unit": "weeks"}, "field 'unit': must be one of calendar, school, not 'weeks'"),
        ({"months": 12}, "field 'days': give exactly one of days, months or years"),
        ({"days": 0}, "field 'days': must be a whole number from 1 to 400"),
        ({"days": "60"}, "field 'days': must be a whole number"),
        ({"event": "signature"}, "field 'event': must be one of referral"),
        ({"event": None}, "field 'event': missing"),
        ({"colour": "red"}, "field 'colour': unknown field"),
        ({"unit": "school", "pause": {"summer": True}}, "field 'pause': only a calendar-day"),
        ({"pause": {"winter": True}}, "field 'pause.winter': unknown field"),
        ({"pause": {"summer": "yes"}}, "field 'pause.summer': must be true or false"),
        ({"pause": {}}, "field 'pause': say what stops the clock"),
        ({"from_age": 3}, "field 'from_age': only a birthdate rule"),
        ({"direction": "before", "unit": "school"}, "field 'direction': school days"),
        ({"id": "Initial Evaluation"}, "field 'id': must be lower_snake_case"),
    ],
)
def test_rule_errors_name_file_rule_and_field(change: dict, expected: str) -> None:
    raw = {key: value for key, value in {**BASE, **change}.items() if value is not None}
    with pytest.raises(RuleDataError) as caught:
        parse_rule(raw, "states.yaml state TX rules[1]", "TX")
    message = str(caught.value)
    assert expected in message
    assert message.startswith("states.yaml state TX rules[1]")


def test_after_must_name_a_rule_of_the_same_event() -> None:
    first = parse_rule(BASE, "x", None)
    dangling = parse_rule({**BASE, "id": "ard", "after": "report"}, "x", None)
    with pytest.raises(RuleDataError, match="rule 'ard' field 'after': no rule 'report'"):
        order_rules((first, dangling), "TX")
    loop_a = parse_rule({**BASE, "id": "aa", "after": "bb"}, "x", None)
    loop_b = parse_rule({**BASE, "id": "bb", "after": "aa"}, "x", None)
    with pytest.raises(RuleDataError, match="depends on itself"):
        order_rules((loop_a, loop_b), "TX")


def test_broken_files(tmp_path: Path) -> None:
    path = tmp_path / "federal.yaml"
    path.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RuleDataError, match="federal.yaml is not valid YAML at line"):
        load_federal(path)
    path.write_text("rule: []\n", encoding="utf-8")
    with pytest.raises(RuleDataError, match="expected one top-level key, 'rules'"):
        load_federal(path)
    # The per-state files (states/XX.yaml) are checked in test_state_files.py (issue 14).
