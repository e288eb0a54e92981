"""The school calendar file: what is a school day, which breaks are long, and clear errors."""

from __future__ import annotations

from datetime import date

import pytest

from content.deadlines import DeadlineInputError, SchoolCalendar, load_school_calendar

GOOD = """\
name: Test District
first_day: 2026-08-19
last_day: 2027-06-03
closures:
  - name: Labor Day
    date: 2026-09-07
  - name: Winter break
    start: 2026-12-21
    end: 2027-01-01
"""


def test_sample_calendar_days(sample: SchoolCalendar) -> None:
    assert sample.name == "Maple Valley Unified School District (sample)"
    assert sample.is_school_day(date(2026, 9, 15))  # a Tuesday in session
    assert not sample.is_school_day(date(2026, 9, 19))  # Saturday
    assert not sample.is_school_day(date(2026, 9, 7))  # Labor Day
    assert sample.closure_name(date(2026, 12, 24)) == "Winter break"
    assert not sample.is_school_day(date(2026, 8, 18))  # day before the first day
    assert sample.is_school_day(date(2026, 8, 19))
    assert sample.is_school_day(date(2027, 6, 3))  # last day
    assert not sample.is_school_day(date(2027, 7, 7))  # summer
    assert sample.in_summer(date(2027, 7, 7))
    assert sample.is_school_day(date(2027, 8, 18))  # next school year starts
    assert not sample.is_school_day(date(2027, 9, 6))  # next year's Labor Day is listed


def test_long_breaks_join_closures_across_weekends_only(sample: SchoolCalendar) -> None:
    over_five = sample.long_break_days(5)
    # Winter break: 10 weekdays plus the weekend inside it, not the weekends at its edges.
    assert date(2026, 12, 21) in over_five
    assert date(2026, 12, 26) in over_five
    assert date(2027, 1, 1) in over_five
    assert date(2026, 12, 19) not in over_five
    assert date(2027, 1, 2) not in over_five
    # Thanksgiving and spring break are exactly 5 school days: not "in excess of five".
    assert date(2026, 11, 25) not in over_five
    assert date(2027, 3, 24) not in over_five
    # With threshold 0 every closure day counts as a break, but lone weekends never do.
    every = sample.long_break_days(0)
    assert date(2026, 9, 7) in every
    assert date(2026, 9, 5) not in every
    assert len(sample.long_break_days(5)) == 12


def test_minimal_calendar_without_closures(write_calendar) -> None:
    calendar = load_school_calendar(
        write_calendar("first_day: '2026-08-19'\nlast_day: '2027-06-03'\n")
    )
    assert calendar.closures == ()
    assert calendar.next_first_day is None
    assert calendar.name == "school calendar"


def _error(write_calendar, text: str) -> str:
    with pytest.raises(DeadlineInputError) as caught:
        load_school_calendar(write_calendar(text))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("calendar file district.yaml")
    return message


def test_missing_field(write_calendar) -> None:
    message = _error(write_calendar, GOOD.replace("last_day: 2027-06-03\n", ""))
    assert message == "calendar file district.yaml: missing last_day (a date as YYYY-MM-DD)"


def test_bad_date(write_calendar) -> None:
    message = _error(write_calendar, GOOD.replace("2026-09-07", "2026-09-31"))
    assert message == (
        "calendar file district.yaml: closures[1] (Labor Day): date: date 2026-09-31 does not"
        " exist: September 2026 has 30 days"
    )


def test_range_end_before_start(write_calendar) -> None:
    message = _error(write_calendar, GOOD.replace("end: 2027-01-01", "end: 2026-12-18"))
    assert message == (
        "calendar file district.yaml: closures[2] (Winter break): end 2026-12-18 is before"
        " start 2026-12-21"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("first_day: 2026-08-19", "first_day: 2027-08-19"), "is not after first_day"),
        (("last_day: 2027-06-03", "last_day: 2028-06-03"), "longer than a school year"),
        (("    date: 2026-09-07", "    date: 2025-09-07"), "outside the school year"),
        (("  - name: Labor Day\n", "  - nom: Labor Day\n"), "unknown field 'nom'"),
        (("  - name: Labor Day\n    date: 2026-09-07\n", "  - Labor Day\n"), "must have a name"),
        (("    date: 2026-09-07", "    start: 2026-09-07"), "(Labor Day): missing end"),
        (("    date: 2026-09-07", "    date: [1, 2]"), "must be a date as YYYY-MM-DD"),
        (("closures:", "closure:"), "unknown field 'closure'"),
        (("name: Test District", "name: [a]"), "name must be text"),
    ],
)
def test_other_calendar_errors(write_calendar, change: tuple[str, str], expected: str) -> None:
    assert expected in _error(write_calendar, GOOD.replace(*change))


def test_next_first_day_must_follow_last_day(write_calendar) -> None:
    message = _error(write_calendar, GOOD + "next_first_day: 2027-05-01\n")
    assert "next_first_day 2027-05-01 is not after last_day 2027-06-03" in message


def test_not_yaml_and_not_a_mapping(write_calendar) -> None:
    assert "is not valid YAML at line" in _error(write_calendar, "first_day: [2026-08-19\n")
    assert "expected keys first_day, last_day" in _error(write_calendar, "- a\n- b\n")
    assert "expected keys first_day, last_day" in _error(write_calendar, "")


def test_missing_file(tmp_path) -> None:
    with pytest.raises(DeadlineInputError) as caught:
        load_school_calendar(tmp_path / "nope.yaml")
    assert str(caught.value) == "calendar file nope.yaml not found"
