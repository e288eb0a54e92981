"""The per-state rule files (issue 14): every new field is checked, and a broken file is named
with its state, rule and field; `iepbot content check` reports them and exits 1."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from content.deadlines import RuleDataError
from content.deadlines.rules import (
    STATES_DIR,
    TOPICS,
    check_states,
    load_state_file,
    state_rules,
    states_without_file,
)

RULE = {
    "id": "request_response",
    "event": "request",
    "title": "Answer to a request",
    "days": 30,
    "unit": "calendar",
    "citation": "Ohio Admin. Code 3301-51-06",
    "source": "https://codes.ohio.gov/ohio-administrative-code/rule-3301-51-06",
    "quote": "within thirty days of receiving the request",
    "verified": True,
    "plain": "Thirty days.",
}
FOLLOWS = [
    {
        "topic": topic,
        "citation": "34 CFR 300.323(c)(1)",
        "source": "https://www.ecfr.gov/current/title-34/section-300.323",
        "verified": False,
        "missing": "state text silent",
    }
    for topic in ("initial_evaluation", "iep_meeting", "transition_services")
]


def write(tmp_path: Path, rule_changes: dict | None = None, **top: object) -> Path:
    rule = {k: v for k, v in {**RULE, **(rule_changes or {})}.items() if v is not None}
    doc = {"code": "OH", "name": "Ohio", "rules": [rule], "follows_federal": FOLLOWS, **top}
    doc = {k: v for k, v in doc.items() if v is not None}
    path = tmp_path / "OH.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_a_good_file_loads_with_its_evidence(tmp_path: Path) -> None:
    state = load_state_file(write(tmp_path))
    (rule,) = state.rules
    assert (rule.quote, rule.verified, rule.missing) == (RULE["quote"], True, None)
    assert state.topics() == set(TOPICS)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"quote": "x" * 301}, "rule 'request_response': field 'quote': must be a short quote"),
        ({"quote": None}, "field 'quote': missing (a verified rule quotes"),
        ({"verified": None}, "field 'verified': missing"),
        ({"verified": "yes"}, "field 'verified': must be true or false"),
        ({"verified": False}, "field 'missing': required when verified is false"),
        ({"source": "http://codes.ohio.gov/x"}, "field 'source': must be an https:// link"),
        ({"citation": None}, "field 'citation': missing"),
        ({"event": "letter"}, "field 'event': must be one of referral"),
    ],
)
def test_rule_problems_name_file_state_rule_and_field(
    tmp_path: Path, change: dict, expected: str
) -> None:
    with pytest.raises(RuleDataError) as caught:
        load_state_file(write(tmp_path, change))
    message = str(caught.value)
    assert message.startswith("states/OH.yaml state OH rules[1]")
    assert expected in message


def test_unverified_without_quote_is_allowed_when_it_says_what_is_missing(
    tmp_path: Path,
) -> None:
    state = load_state_file(
        write(tmp_path, {"quote": None, "verified": False, "missing": "text not reachable"})
    )
    assert state.rules[0].missing == "text not reachable"


def test_every_topic_must_be_covered(tmp_path: Path) -> None:
    with pytest.raises(RuleDataError, match="topic 'transition_services' is covered neither"):
        load_state_file(write(tmp_path, follows_federal=FOLLOWS[:2]))


def test_file_name_and_code_must_agree(tmp_path: Path) -> None:
    path = write(tmp_path, code="OK")
    with pytest.raises(RuleDataError, match="OK does not match the file name"):
        load_state_file(path)


def test_follows_federal_items_are_checked(tmp_path: Path) -> None:
    broken = [{**FOLLOWS[0], "source": "ftp://x"}, *FOLLOWS[1:]]
    with pytest.raises(RuleDataError, match=r"follows_federal\[1\]: field 'source'"):
        load_state_file(write(tmp_path, follows_federal=broken))
    no_missing = [{**FOLLOWS[0], "missing": None}, *FOLLOWS[1:]]
    no_missing[0] = {k: v for k, v in no_missing[0].items() if v is not None}
    with pytest.raises(RuleDataError, match="field 'missing': required when verified is false"):
        load_state_file(write(tmp_path, follows_federal=no_missing))


def test_check_states_reports_every_broken_file_and_keeps_the_rest(tmp_path: Path) -> None:
    write(tmp_path)
    (tmp_path / "TX.yaml").write_text("code: TX\nname: Texas\nrules: [\n", encoding="utf-8")
    states, problems = check_states(tmp_path)
    assert list(states) == ["OH"]
    assert len(problems) == 1
    assert problems[0].startswith("states/TX.yaml is not valid YAML at line")


def test_packaged_files_load_and_states_without_a_file_are_only_listed() -> None:
    states, problems = check_states(STATES_DIR)
    assert problems == []
    assert {"TX", "CA", "IL"} <= set(states) == set(state_rules())
    missing = states_without_file(states)
    assert missing == []  # every state, DC and the BIE has its researched file (issue 14)
    assert len(states) == 52 and "PR" not in states  # territories use the federal rules


def test_content_check_validates_the_rule_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bots import cli

    assert cli.main(["content", "check"]) == 0
    out = capsys.readouterr().out
    assert "ok: deadline rules:" in out
    write(tmp_path, {"quote": "y" * 400})
    monkeypatch.setattr("content.deadlines.rules.STATES_DIR", tmp_path)
    assert cli.main(["content", "check"]) == 1
    captured = capsys.readouterr()
    assert "states/OH.yaml state OH rules[1] rule 'request_response': field 'quote'" in (
        captured.out
    )
