"""Fixtures for the deadline engine tests: the sample district calendar and calendar files."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.deadlines import SchoolCalendar, load_school_calendar

SAMPLE = Path(__file__).parents[2] / "content" / "deadlines" / "data" / "sample_calendar.yaml"


@pytest.fixture(scope="session")
def sample() -> SchoolCalendar:
    return load_school_calendar(SAMPLE)


@pytest.fixture
def write_calendar(tmp_path: Path):
    """Write YAML text to a calendar file and return its path."""

    def write(text: str, name: str = "district.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
