"""Snooze durations and deadline leads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.timing import DEFAULT_LEADS, TimeError, parse_duration, parse_leads

D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2d", 2 * D),
        ("3h", 3 * H),
        ("30m", 30 * M),
        ("1w", 7 * D),
        ("1h30m", 90 * M),
        ("1h 30m", 90 * M),
        ("1w2d", 9 * D),
        ("2 days", 2 * D),
        ("3 hours", 3 * H),
        ("1 hour and 30 minutes", 90 * M),
        ("an hour", H),
        ("two weeks", 14 * D),
        ("90 mins", 90 * M),
        ("2 días", 2 * D),
        ("2 dias", 2 * D),
        ("1 semana", 7 * D),
        ("3 horas y 15 minutos", 3 * H + 15 * M),
        ("una hora", H),
        ("  2D  ", 2 * D),
        ("+2d", 2 * D),
        ("365d", 365 * D),
        ("52w", 364 * D),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
    assert parse_duration(text, "es") == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0d", "zero_duration"),
        ("0 hours", "zero_duration"),
        ("-2d", "negative_duration"),
        ("- 2 days", "negative_duration"),
        ("366d", "long_duration"),
        ("53w", "long_duration"),
        ("9999999d", "long_duration"),
        ("", "bad_duration"),
        ("soon", "bad_duration"),
        ("2", "bad_duration"),
        ("d", "bad_duration"),
        ("2x", "bad_duration"),
        ("1.5h", "bad_duration"),
        ("2 months", "bad_duration"),  # a month is not a fixed length
        ("5s", "bad_duration"),
        ("2d garbage", "bad_duration"),
        ("2d; drop table", "bad_duration"),
        ("1" * 80 + "d", "bad_duration"),
    ],
)
def test_duration_refusals(text: str, code: str) -> None:
    with pytest.raises(TimeError) as info:
        parse_duration(text)
    assert info.value.code == code
    assert "\n" not in str(info.value) and "`" in str(info.value)


def test_duration_refusal_in_spanish() -> None:
    with pytest.raises(TimeError) as info:
        parse_duration("pronto", "es")
    assert "p. ej." in str(info.value)


@given(st.integers(1, 365), st.sampled_from(["d", " days", " días"]))
def test_days_property(n: int, unit: str) -> None:
    assert parse_duration(f"{n}{unit}") == timedelta(days=n)


@given(st.text(max_size=30))
def test_garbage_never_crashes(text: str) -> None:
    try:
        result = parse_duration(text)
    except TimeError:
        return
    assert timedelta(0) < result <= timedelta(days=365)


def test_default_leads() -> None:
    assert DEFAULT_LEADS == (14 * D, 7 * D, D)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lead=14d,7d,1d", (14 * D, 7 * D, D)),
        ("14d,7d,1d", (14 * D, 7 * D, D)),
        ("1d,14d,7d", (14 * D, 7 * D, D)),
        ("LEAD=7d, 7d, 1w, 1d", (7 * D, D)),
        ("leads=2d,12h,1h", (2 * D, 12 * H, H)),
        ("lead=365d", (365 * D,)),
        ("lead=30d 2w", (30 * D, 14 * D)),
    ],
)
def test_leads(text: str, expected: tuple[timedelta, ...]) -> None:
    assert parse_leads(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "lead=", "lead=0d", "lead=30m", "lead=366d", "lead=-1d", "lead=soon", "lead=14d,,x",
     "lead=" + ",".join(f"{n}d" for n in range(1, 12))],
)  # fmt: skip
def test_lead_refusals(text: str) -> None:
    with pytest.raises(TimeError) as info:
        parse_leads(text)
    assert info.value.code == "bad_leads"
    assert "lead=14d,7d,1d" in str(info.value)
