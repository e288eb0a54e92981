"""The development question sets (tests/questions/<lang>_<part>.yaml) only name entries that exist.

A question whose expected answer is a typo or a removed entry would silently count as "missed" in
the ranking benchmark; this catches it when the packs or the question files change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from content.loader import load_library

QUESTIONS = Path(__file__).parents[1] / "questions"
STAGES = {
    "noticing",
    "referral-consent",
    "evaluation",
    "eligibility",
    "the-iep",
    "services",
    "early-intervention",
    "private-school",
    "moving",
    "section-504",
    "discipline",
    "disputes",
    "rights",
    "transition",
    "college",
}
FILES = sorted(QUESTIONS.glob("*_*.yaml"))


def _items(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{path.name}: expected a YAML list"
    return data


def test_there_are_question_files() -> None:
    assert FILES, "no tests/questions/<lang>_<part>.yaml files found"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_answer_and_compare_id_exists_in_the_pack(path: Path) -> None:
    lang = path.stem.split("_", 1)[0]
    pack = load_library().packs[lang]
    problems = []
    for item in _items(path):
        question = item.get("q")
        if not isinstance(question, str) or not question.strip():
            problems.append(f"missing question text: {item!r}")
            continue
        if item.get("stage") not in STAGES:
            problems.append(f"{question!r}: unknown stage {item.get('stage')!r}")
        if not str(item.get("source", "")).startswith(("https://", "http://")):
            problems.append(f"{question!r}: no source URL")
        answers = item.get("answers") or []
        if not answers:
            problems.append(f"{question!r}: no answers")
        compare = item.get("compare") or []
        if compare and len(compare) != 2:
            problems.append(f"{question!r}: compare needs exactly two ids")
        for entry_id in [*answers, *compare]:
            if pack.get(entry_id) is None:
                problems.append(f"{question!r}: no entry {entry_id!r} in the {lang} pack")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_question_is_listed_twice(path: Path) -> None:
    seen: set[str] = set()
    twice = []
    for item in _items(path):
        key = " ".join(str(item.get("q", "")).lower().split())
        if key in seen:
            twice.append(key)
        seen.add(key)
    assert not twice, f"{path.name}: repeated questions: {twice}"
