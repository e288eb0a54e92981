"""Sanity of the development question sets in tests/questions: every entry id they name must
exist, so a renamed or misspelled id fails here and not as a mysterious "wrong" in the ranking
score; and no pack's example `questions:` may copy a test question, or the set would stop
measuring how the bot does on questions it has not seen."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.questions import OFF_TOPIC, QUESTIONS
from content.loader import load_library
from content.model import Library

# The set, the sealed parts kept back for a first honest score (tests/questions/sealed), and
# the off-topic questions (tests/questions/off_topic: ordinary school and parenting questions,
# which no entry answers and the bot should decline).
FILES = sorted(
    [*QUESTIONS.glob("*.yaml"), *QUESTIONS.glob("sealed/*.yaml"), *QUESTIONS.glob(OFF_TOPIC)]
)
STAGES = {
    "noticing", "referral-consent", "evaluation", "eligibility", "the-iep", "services",
    "early-intervention", "private-school", "moving", "section-504", "discipline", "disputes",
    "rights", "transition", "college",
}  # fmt: skip
KEYS = {"q", "answers", "compare", "stage", "source"}


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def _items(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, list) and data, f"{path.name}: must be a non-empty YAML list"
    return data


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def test_there_are_question_files() -> None:
    assert FILES, "no tests/questions/*.yaml found"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_named_id_exists_and_items_are_well_formed(path: Path, library: Library) -> None:
    lang = path.stem.split("_")[0]
    pack = library.pack(lang)
    problems = []
    for n, item in enumerate(_items(path), 1):
        where = f"{path.name} #{n} {item.get('q')!r}"
        if set(item) - KEYS or not {"q", "answers", "stage", "source"} <= set(item):
            problems.append(f"{where}: keys {sorted(item)}")
            continue
        off_topic = path.match(OFF_TOPIC)
        if off_topic and (item["stage"] != "off-topic" or item["answers"] or "compare" in item):
            problems.append(f"{where}: off-topic questions have stage off-topic, no answers")
        elif not off_topic and item["stage"] not in STAGES:
            problems.append(f"{where}: unknown stage {item['stage']!r}")
        if not str(item["source"]).startswith(("https://", "http://")):
            problems.append(f"{where}: source is not a URL")
        ids = list(item["answers"]) + list(item.get("compare", []))
        # An empty ``answers`` (and no ``compare``) marks a question no entry answers: the
        # bot should then say it is not sure (bench/questions.py judges it so).
        if "compare" in item and len(item["compare"]) != 2:
            problems.append(f"{where}: compare needs exactly two ids")
        problems += [f"{where}: no entry {i!r} in {lang}" for i in ids if pack.get(i) is None]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_example_questions_do_not_copy_the_test_set(path: Path, library: Library) -> None:
    lang = path.stem.split("_")[0]
    tests = {_words(item["q"]) for item in _items(path)}
    copied = [
        f"{entry.id}: {q!r}"
        for entry in library.packs[lang].entries.values()
        for q in entry.questions
        if _words(q) in tests
    ]
    assert not copied, "example questions copied from the test set:\n" + "\n".join(copied)
