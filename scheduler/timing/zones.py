"""Turning what people call their time zone into an IANA zone, and showing times in it.

Users type `central`, `ET` or `america/chicago`; the store and APScheduler need one canonical
IANA key, because only IANA zones carry the daylight-saving rules that keep a 9:00 reminder at
9:00 all year.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler.timing._vocab import (
    EN_MONTH_ABBR,
    EN_WEEKDAY_ABBR,
    ES_MONTH_ABBR,
    ES_WEEKDAY_ABBR,
    fold,
)
from scheduler.timing.errors import TimeError, norm_lang

# Checked before IANA names on purpose: "EST" and "MST" are also IANA zones, but fixed-offset
# ones without daylight saving, which is never what a US school means by "EST".
US_ALIASES: dict[str, str] = {
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "eastern": "America/New_York", "eastern time": "America/New_York",
    "ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago",
    "central": "America/Chicago", "central time": "America/Chicago",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "mountain": "America/Denver", "mountain time": "America/Denver",
    "arizona": "America/Phoenix",
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles", "pacific time": "America/Los_Angeles",
    "akt": "America/Anchorage", "akst": "America/Anchorage", "akdt": "America/Anchorage",
    "alaska": "America/Anchorage", "alaska time": "America/Anchorage",
    "ht": "Pacific/Honolulu", "hst": "Pacific/Honolulu", "hawaii": "Pacific/Honolulu",
    "hawaii time": "Pacific/Honolulu",
    "utc": "UTC", "gmt": "UTC",
}  # fmt: skip

_MAX_NAME = 64


@functools.cache
def _iana_names() -> frozenset[str]:
    """Built once: scanning tzdata is slow, and the set of zones cannot change while we run."""
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def _iana_by_folded_name() -> dict[str, str]:
    return {fold(name): name for name in _iana_names()}


def is_iana_zone(name: str) -> bool:
    """Stored zone names are checked against the list too, never opened as paths."""
    return name in _iana_names()


def resolve_timezone(name: str, lang: str = "en") -> ZoneInfo:
    """Look names up in the known-zone list instead of calling ZoneInfo(name) directly, so user
    text can never be read as a file path, and spelling/case slips still resolve."""
    cleaned = " ".join(name.strip().split()) if isinstance(name, str) else ""
    if not cleaned or len(cleaned) > _MAX_NAME:
        raise TimeError("bad_zone", lang)
    key = fold(cleaned)
    if key in US_ALIASES:
        return ZoneInfo(US_ALIASES[key])
    zones = _iana_by_folded_name()
    canonical = zones.get(key) or zones.get(key.replace(" ", "_"))
    if canonical is None:
        raise TimeError("bad_zone", lang)
    return ZoneInfo(canonical)


def _babel_formatter() -> Callable[[datetime, str, str], str] | None:
    """Babel is optional: without it Spanish still works from our own short tables."""
    try:
        from babel.dates import format_datetime
    except ImportError:  # pragma: no cover - depends on the environment
        return None

    def _format(local: datetime, pattern: str, locale: str) -> str:
        return str(format_datetime(local, pattern, locale=locale))

    return _format


_babel = _babel_formatter()


def format_date_short(local: datetime, lang: str = "en") -> str:
    """Day-first with abbreviated names in both languages, so en and es read alike and
    `1 Dec` can never be mistaken for January 12."""
    if norm_lang(lang) == "es":
        if _babel is not None:
            return _babel(local, "EEE d MMM y", "es")
        return (
            f"{ES_WEEKDAY_ABBR[local.weekday()]} {local.day} "
            f"{ES_MONTH_ABBR[local.month - 1]} {local.year}"
        )
    # Our own English tables rather than %a/%b: strftime follows the process locale.
    return (
        f"{EN_WEEKDAY_ABBR[local.weekday()]} {local.day} "
        f"{EN_MONTH_ABBR[local.month - 1]} {local.year}"
    )


def format_local(dt_utc: datetime, tz: ZoneInfo, lang: str = "en") -> str:
    """Confirmations show the zone abbreviation so a user who set the wrong zone notices, and
    seconds when there are any (`in 90 seconds`), so the time shown is the exact fire time."""
    if dt_utc.tzinfo is None:
        raise ValueError("format_local needs an aware datetime")
    local = dt_utc.astimezone(tz)
    clock = f"{local:%H:%M:%S}" if local.second else f"{local:%H:%M}"
    return f"{format_date_short(local, lang)}, {clock} {local.tzname()}"
