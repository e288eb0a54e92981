"""`describe` takes its words from the message catalogue: Spanish grammar that depends on a
number (the hour's article, singular and plural units) comes from the catalogue's plural rule."""

from __future__ import annotations

from datetime import datetime

import pytest

from scheduler.timing.recurrence import Recurrence, describe


@pytest.mark.parametrize(
    ("hour", "spanish"),
    [(0, "a las 00:00"), (1, "a la 01:00"), (2, "a las 02:00"), (13, "a las 13:00")],
)
def test_the_spanish_article_follows_the_hour(hour: int, spanish: str) -> None:
    assert describe(Recurrence.daily(hour, 0, "UTC"), "es") == f"cada día {spanish} (UTC)"
    assert describe(Recurrence.daily(hour, 0, "UTC")) == f"every day at {hour:02d}:00 (UTC)"


@pytest.mark.parametrize(
    ("every", "unit", "en", "es"),
    [
        (1, "weeks", "every week", "cada semana"),
        (3, "days", "every 3 days", "cada 3 días"),
        (52, "weeks", "every 52 weeks", "cada 52 semanas"),
    ],
)
def test_interval_units_are_singular_or_plural(every: int, unit, en: str, es: str) -> None:
    rec = Recurrence.interval(every, unit, datetime(2026, 12, 10, 1, 5), "America/Chicago")
    assert describe(rec) == f"{en} at 01:05, starting Thu 10 Dec 2026 (America/Chicago)"
    assert describe(rec, "es-MX") == (
        f"{es} a la 01:05, desde el jue 10 dic 2026 (America/Chicago)"
    )


def test_weekday_lists_join_in_each_language() -> None:
    rec = Recurrence.weekly({1, 3}, 9, 30, "UTC")
    assert describe(rec) == "every Tuesday and Thursday at 09:30 (UTC)"
    assert describe(rec, "es") == "cada martes y jueves a las 09:30 (UTC)"
