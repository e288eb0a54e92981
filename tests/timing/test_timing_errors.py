"""Every refusal is one chat line with an example, in both languages."""

from __future__ import annotations

import pytest

from scheduler.timing import TimeError
from scheduler.timing.errors import CODES

FIELDS = {"actual": "Thursday", "given": "Tuesday", "date": "Dec 3"}


@pytest.mark.parametrize("code", sorted(CODES))
@pytest.mark.parametrize("lang", ["en", "es"])
def test_messages_are_one_line_with_an_example(code: str, lang: str) -> None:
    error = TimeError(code, lang, **FIELDS)
    text = str(error)
    assert isinstance(error, ValueError)
    assert error.code == code
    assert "\n" not in text and text == text.strip()
    assert text.count("`") >= 2  # an example the user can copy
    assert len(text) <= 200


def test_spanish_differs_from_english() -> None:
    for code in CODES:
        assert str(TimeError(code, "en", **FIELDS)) != str(TimeError(code, "es", **FIELDS))
