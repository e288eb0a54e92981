"""Time-zone names and local display."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduler.timing import TimeError, format_local, resolve_timezone
from scheduler.timing import zones as zones_module


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("America/Chicago", "America/Chicago"),
        ("america/chicago", "America/Chicago"),
        ("  AMERICA/NEW_YORK ", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("Europe/Madrid", "Europe/Madrid"),
        ("ET", "America/New_York"),
        ("eastern", "America/New_York"),
        ("Eastern Time", "America/New_York"),
        ("EST", "America/New_York"),  # not the DST-less IANA "EST"
        ("CT", "America/Chicago"),
        ("central", "America/Chicago"),
        ("MT", "America/Denver"),
        ("Mountain", "America/Denver"),
        ("PT", "America/Los_Angeles"),
        ("pacific", "America/Los_Angeles"),
        ("AKT", "America/Anchorage"),
        ("HT", "Pacific/Honolulu"),
        ("Hawaii", "Pacific/Honolulu"),
        ("Arizona", "America/Phoenix"),
        ("utc", "UTC"),
        ("US/Eastern", "US/Eastern"),
    ],
)
def test_resolve(name: str, key: str) -> None:
    assert resolve_timezone(name) == ZoneInfo(key)
    assert resolve_timezone(name).key == key


@pytest.mark.parametrize(
    "name",
    ["", "   ", "Mars/Olympus", "Chicago", "../../etc/passwd", "/etc/localtime", "x" * 500,
     "America/", "CST6CDT/../../x"],
)  # fmt: skip
def test_unknown_zones(name: str) -> None:
    with pytest.raises(TimeError) as info:
        resolve_timezone(name)
    assert info.value.code == "bad_zone"
    assert "America/Chicago" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(TimeError) as es:
        resolve_timezone(name, "es")
    assert "zona horaria" in str(es.value)


WINTER = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SUMMER = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)


def test_format_local_english() -> None:
    chicago = ZoneInfo("America/Chicago")
    assert format_local(WINTER, chicago) == "Tue 1 Dec 2026, 09:00 CST"
    assert format_local(SUMMER, chicago, "en") == "Tue 1 Sep 2026, 10:00 CDT"


def test_format_local_spanish() -> None:
    madrid = ZoneInfo("Europe/Madrid")
    assert format_local(WINTER, ZoneInfo("America/Chicago"), "es") == "mar 1 dic 2026, 09:00 CST"
    assert format_local(SUMMER, madrid, "es").startswith("mar 1 sept 2026, 17:00")


def test_format_local_spanish_without_babel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zones_module, "_babel", None)
    assert format_local(WINTER, ZoneInfo("America/Chicago"), "es") == "mar 1 dic 2026, 09:00 CST"


def test_format_local_refuses_naive() -> None:
    with pytest.raises(ValueError):
        format_local(datetime(2026, 1, 1), ZoneInfo("UTC"))
