"""The phrase corpus (tests/timing/corpus.yaml): every phrase goes through `parse_reminder`, the
parser the `remind` verb uses, and must give the exact first fire time, the next three for a
repeat, and the message that remains."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from scheduler.timing import TimeError, next_fire, parse_reminder

CORPUS = yaml.safe_load((Path(__file__).with_name("corpus.yaml")).read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = [
    {**case, "now": group["now"], "tz": group["tz"], "lang": group["lang"]}
    for group in CORPUS["groups"]
    for case in group["cases"]
]


def _at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment.astimezone(UTC)


def test_the_corpus_is_big_enough_and_every_case_names_a_known_source() -> None:
    assert len(CASES) >= 150
    assert sum(case["lang"] == "es" for case in CASES) >= 50
    assert len({(c["say"], c["now"], c["tz"]) for c in CASES}) == len(CASES)  # no duplicates
    for case in CASES + CORPUS["refusals"]:
        assert case["src"] in CORPUS["sources"], case


def test_the_corpus_covers_both_daylight_saving_changes_in_america() -> None:
    """Spring and autumn: some expected series cross from one offset to the other."""
    crossings = set()
    for case in CASES:
        if not case["tz"].startswith("America/"):
            continue
        times = [datetime.fromisoformat(t) for t in [case["first"], *case.get("then", [])]]
        for before, after in zip(times, times[1:], strict=False):
            if before.utcoffset() != after.utcoffset():
                crossings.add("spring" if after.utcoffset() > before.utcoffset() else "autumn")
    assert crossings == {"spring", "autumn"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['lang']}:{c['say']}")
def test_phrase(case: dict[str, Any]) -> None:
    parsed = parse_reminder(
        case["say"], now=_at(case["now"]), tz=ZoneInfo(case["tz"]), lang=case["lang"]
    )
    assert parsed.message == case["msg"]
    assert parsed.first_fire == _at(case["first"])
    expected_next = [_at(t) for t in case.get("then", [])]
    if parsed.recurrence is None:
        assert not expected_next, "expected a repeat"
        return
    assert len(expected_next) == 3, "a repeat lists its next three times"
    following, previous = [], parsed.first_fire
    for _ in range(3):
        previous = next_fire(parsed.recurrence, previous)
        assert previous is not None
        following.append(previous)
    assert following == expected_next


@pytest.mark.parametrize("case", CORPUS["refusals"], ids=lambda c: c["say"])
def test_refusal(case: dict[str, Any]) -> None:
    with pytest.raises(TimeError) as info:
        parse_reminder(
            case["say"], now=_at(case["now"]), tz=ZoneInfo(case["tz"]), lang=case["lang"]
        )
    assert info.value.code == case["code"]
    assert "`" in str(info.value)  # the refusal carries an example that works
