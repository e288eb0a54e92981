"""Strict dates and month arithmetic that never runs past an anniversary."""

from __future__ import annotations

from datetime import date

import pytest

from content.deadlines import DeadlineInputError, parse_date
from content.deadlines.dates import add_months, weekday_name


def test_parse_date_accepts_iso_and_leap_day() -> None:
    assert parse_date("2026-09-15") == date(2026, 9, 15)
    assert parse_date(" 2028-02-29 ") == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-02-31", "date 2026-02-31 does not exist: February 2026 has 28 days"),
        ("2027-02-29", "date 2027-02-29 does not exist: February 2027 has 28 days"),
        ("2026-04-31", "date 2026-04-31 does not exist: April 2026 has 30 days"),
        ("2026-13-01", "date 2026-13-01 does not exist: there is no month 13"),
        ("2026-00-10", "date 2026-00-10 does not exist: there is no month 0"),
        ("15/09/2026", "date '15/09/2026' is not a date; write it as YYYY-MM-DD"),
        ("tomorrow", "date 'tomorrow' is not a date; write it as YYYY-MM-DD"),
        ("", "date '' is not a date; write it as YYYY-MM-DD"),
    ],
)
def test_parse_date_explains_bad_dates(text: str, expected: str) -> None:
    with pytest.raises(DeadlineInputError) as caught:
        parse_date(text)
    assert str(caught.value) == expected


def test_parse_date_error_is_one_line_even_for_a_pasted_paragraph() -> None:
    with pytest.raises(DeadlineInputError) as caught:
        parse_date("2026-09-15\n" + "x" * 500)
    assert "\n" not in str(caught.value)
    assert len(str(caught.value)) < 120


@pytest.mark.parametrize(
    ("start", "months", "expected", "clamped"),
    [
        (date(2028, 2, 29), 12, date(2029, 2, 28), True),  # leap day: back, never to 1 March
        (date(2028, 2, 29), 48, date(2032, 2, 29), False),  # next leap year keeps the day
        (date(2026, 1, 31), 1, date(2026, 2, 28), True),  # month end
        (date(2027, 1, 31), 13, date(2028, 2, 29), True),
        (date(2026, 8, 31), 36, date(2029, 8, 31), False),
        (date(2026, 3, 31), -1, date(2026, 2, 28), True),  # backwards too
        (date(2026, 12, 15), 1, date(2027, 1, 15), False),  # year end
        (date(2027, 2, 28), -9, date(2026, 5, 28), False),
    ],
)
def test_add_months_clamps_back_to_the_month_end(
    start: date, months: int, expected: date, clamped: bool
) -> None:
    assert add_months(start, months) == (expected, clamped)


def test_weekday_name() -> None:
    assert weekday_name(date(2026, 11, 14)) == "Saturday"
