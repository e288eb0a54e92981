"""Repeating schedules and their next fire time.

Product rule: a recurring reminder keeps its wall-clock time across daylight-saving changes
("every Monday 8:00" is 8:00 local in March and in November, so the UTC hour moves).

Why the wall-clock arithmetic is ours and not APScheduler's time-zone handling: APScheduler
3.11's CronTrigger, given a ZoneInfo zone, fires *twice* on an hour repeated at the autumn change
(01:30 EDT and again 01:30 EST) and, asked again just after the second one, can return that same
instant again - a time not after `now`. So the CronTrigger here matches fields on a pure wall-clock
calendar (a DST-free zone) and we map each wall-clock match to an instant ourselves, with one
deliberate rule for the two odd cases:

* a wall-clock time that does not exist (the spring-forward gap, e.g. 02:30 on 8 March 2026 in
  New York) fires at the same instant the clock would show had it not jumped, i.e. 03:30 local;
* a wall-clock time that happens twice (the autumn overlap) fires once, at the first occurrence.

This is Python's `fold=0` reading of a local time, so one-off reminders behave the same way.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from content.i18n import tr, trn
from scheduler.timing._vocab import EN_WEEKDAY_NAMES, ES_WEEKDAY_NAMES, join_names
from scheduler.timing.errors import TimeError, norm_lang
from scheduler.timing.zones import format_date_short, is_iana_zone, resolve_timezone

Kind = Literal["weekly", "daily", "weekdays", "interval", "cron"]
Unit = Literal["days", "weeks"]
KINDS: frozenset[str] = frozenset(("weekly", "daily", "weekdays", "interval", "cron"))
_JSON_VERSION = 1
MAX_INTERVAL_DAYS = 365
MAX_INTERVAL_WEEKS = 52

# The largest forward jump any IANA zone has made in recent decades is 2 hours; 3 is a margin.
_MAX_GAP = timedelta(hours=3)
_CRON_DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # standard cron: 0 = Sunday
_APS_DOW_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = datetime.weekday()
_CRON_MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}


@dataclass(frozen=True)
class Recurrence:
    """Stored as JSON next to each reminder, so it holds plain values only (zone by IANA name,
    interval anchor as a naive local wall-clock time) and validates itself on construction:
    a row that was hand-edited or written by an older version fails loudly at load time."""

    kind: Kind
    tz: str
    hour: int = 9
    minute: int = 0
    weekdays: frozenset[int] = field(default_factory=frozenset)
    every: int = 1
    unit: Unit = "days"
    anchor: datetime | None = None
    cron: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown recurrence kind {self.kind!r}")
        if not isinstance(self.tz, str) or not is_iana_zone(self.tz):
            raise ValueError("unknown time zone")
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError("hour/minute out of range")
        if self.kind == "weekly" and (
            not self.weekdays or not self.weekdays <= frozenset(range(7))
        ):
            raise ValueError("weekly needs weekdays within 0..6")
        if self.kind != "weekly" and self.weekdays:
            raise ValueError("weekdays only apply to weekly recurrences")
        if self.kind == "interval":
            self._check_interval()
        elif self.anchor is not None:
            raise ValueError("anchor only applies to interval recurrences")
        if self.kind == "cron":
            _cron_fields(self.cron)  # raises ValueError if malformed
        elif self.cron:
            raise ValueError("cron only applies to cron recurrences")

    def _check_interval(self) -> None:
        if self.unit not in ("days", "weeks"):
            raise ValueError("interval unit must be days or weeks")
        limit = MAX_INTERVAL_DAYS if self.unit == "days" else MAX_INTERVAL_WEEKS
        if not 1 <= self.every <= limit:
            raise ValueError("interval out of range")
        anchor = self.anchor
        if anchor is None or anchor.tzinfo is not None or anchor.second or anchor.microsecond:
            raise ValueError("interval needs a naive, whole-minute local anchor")
        if (anchor.hour, anchor.minute) != (self.hour, self.minute):
            raise ValueError("interval hour/minute must match its anchor")

    # -- constructors ---------------------------------------------------------------------
    @classmethod
    def weekly(
        cls, weekdays: set[int] | frozenset[int], hour: int, minute: int, tz: str
    ) -> Recurrence:
        return cls("weekly", tz, hour, minute, frozenset(weekdays))

    @classmethod
    def daily(cls, hour: int, minute: int, tz: str) -> Recurrence:
        return cls("daily", tz, hour, minute)

    @classmethod
    def on_weekdays(cls, hour: int, minute: int, tz: str) -> Recurrence:
        return cls("weekdays", tz, hour, minute)

    @classmethod
    def interval(cls, every: int, unit: Unit, anchor: datetime, tz: str) -> Recurrence:
        """The anchor is the first wall-clock occurrence; later ones are whole days after it."""
        anchor = anchor.replace(second=0, microsecond=0)
        return cls(
            "interval", tz, anchor.hour, anchor.minute, every=every, unit=unit, anchor=anchor
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    # -- JSON -----------------------------------------------------------------------------
    def to_json(self) -> str:
        """Keys are sorted and defaults included so equal recurrences serialise identically."""
        data: dict[str, Any] = {"v": _JSON_VERSION, "kind": self.kind, "tz": self.tz}
        if self.kind in ("weekly", "daily", "weekdays"):
            data |= {"hour": self.hour, "minute": self.minute}
        if self.kind == "weekly":
            data["weekdays"] = sorted(self.weekdays)
        if self.kind == "interval" and self.anchor is not None:
            data |= {"every": self.every, "unit": self.unit, "anchor": self.anchor.isoformat()}
        if self.kind == "cron":
            data["cron"] = self.cron
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, s: str) -> Recurrence:
        data = json.loads(s)
        if not isinstance(data, dict) or data.get("v") != _JSON_VERSION:
            raise ValueError("not a recurrence of a known version")
        kind = data.get("kind")
        tz = data.get("tz")
        if not isinstance(tz, str):
            raise ValueError("recurrence without a time zone")
        if kind in ("weekly", "daily", "weekdays"):
            hour, minute = _int(data, "hour"), _int(data, "minute")
            days = data.get("weekdays", [])
            if not isinstance(days, list) or not all(type(d) is int for d in days):
                raise ValueError("weekdays must be a list of integers")
            return cls(kind, tz, hour, minute, frozenset(days))
        if kind == "interval":
            anchor = datetime.fromisoformat(str(data.get("anchor")))
            unit = data.get("unit")
            if unit not in ("days", "weeks"):
                raise ValueError("bad interval unit")
            return cls(
                "interval", tz, anchor.hour, anchor.minute,
                every=_int(data, "every"), unit=unit, anchor=anchor,
            )  # fmt: skip
        if kind == "cron":
            return cls("cron", tz, cron=str(data.get("cron", "")))
        raise ValueError(f"unknown recurrence kind {kind!r}")


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if type(value) is not int:
        raise ValueError(f"{key} must be an integer")
    return value


# -- cron -------------------------------------------------------------------------------------
_NUM_ITEM = re.compile(r"^(\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/(\d+))?$")


def _normalise_cron(expr: str) -> str:
    text = " ".join(expr.strip().lower().split())
    return _CRON_MACROS.get(text, text)


def _expand_dow(field_text: str) -> str:
    """Translate a standard-cron weekday field into explicit APScheduler names: APScheduler 3
    numbers weekdays from Monday = 0 (its `from_crontab` keeps that, see its issue #286), whereas
    every crontab ever written by an admin means Sunday = 0 (and 7)."""
    if field_text == "*":
        return "*"
    chosen: set[int] = set()
    for item in field_text.split(","):
        match = _NUM_ITEM.match(item)
        if not match:
            raise ValueError("bad day-of-week item")
        span, step_text = match.groups()
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError("bad step")
        if span == "*":
            first, last = 0, 6
        else:
            ends = span.split("-")
            first = _dow_number(ends[0])
            last = _dow_number(ends[1]) if len(ends) == 2 else (6 if step_text else first)
            if first > last and not (len(ends) == 2 and last == 0):
                raise ValueError("descending day-of-week range")
            if len(ends) == 2 and last == 0:  # "5-0"/"fri-sun": 0 means 7 at a range end
                last = 7
        chosen.update(day % 7 for day in range(first, last + 1, step))
    # Sunday-first numbers -> APScheduler names, in Monday-first order for a stable string.
    names = [_CRON_DOW_NAMES[n] for n in (1, 2, 3, 4, 5, 6, 0) if n in chosen]
    return ",".join(names)


def _dow_number(token: str) -> int:
    if token.isdigit():
        number = int(token)
        if not 0 <= number <= 7:
            raise ValueError("day of week out of range")
        return number
    if token in _CRON_DOW_NAMES:
        return _CRON_DOW_NAMES.index(token)
    raise ValueError("unknown day-of-week name")


_STD_FIELD = re.compile(
    r"^(\*|[0-9a-z]+(-[0-9a-z]+)?)(/\d+)?(,(\*|[0-9a-z]+(-[0-9a-z]+)?)(/\d+)?)*$"
)


@functools.lru_cache(maxsize=512)
def _cron_fields(expr: str) -> dict[str, str]:
    """Only standard 5-field syntax is accepted (no APScheduler extras like `last` or `2nd
    mon`), so a YAML file means the same thing to us as to any cron-literate admin."""
    parts = _normalise_cron(expr).split(" ")
    if len(parts) != 5 or not all(_STD_FIELD.match(p) for p in parts):
        raise ValueError("not a 5-field cron expression")
    minute, hour, day, month, dow = parts
    for name, value in (("minute", minute), ("hour", hour), ("day", day)):
        if re.search(r"[a-z]", value):
            raise ValueError(f"letters are not allowed in the {name} field")
    if not day.startswith("*") and not dow.startswith("*"):
        # Classic cron ORs the two fields, APScheduler ANDs them: refuse rather than guess.
        raise _DomAndDowError()
    fields = {"minute": minute, "hour": hour, "day": day, "month": month,
              "day_of_week": _expand_dow(dow)}  # fmt: skip
    CronTrigger(**fields, timezone=UTC)  # range checks (minute 60, month 13...)
    return fields


class _DomAndDowError(ValueError):
    pass


def cron_recurrence(expr: str, tz: str, lang: str = "en") -> Recurrence:
    """Scheduled pushes come from admin YAML; refusing bad input here means a reload can report
    the broken entry instead of the scheduler failing at fire time."""
    zone = resolve_timezone(tz, lang)
    try:
        normalised = _normalise_cron(expr) if isinstance(expr, str) else ""
        _cron_fields(normalised)
    except _DomAndDowError:
        raise TimeError("cron_dom_and_dow", lang) from None
    except (ValueError, TypeError):
        raise TimeError("bad_cron", lang) from None
    rec = Recurrence("cron", zone.key, cron=normalised)
    # Feb 30 and friends are syntactically fine but never happen.
    if next_fire(rec, datetime(2024, 1, 1, tzinfo=UTC)) is None:
        raise TimeError("cron_never", lang)
    return rec


# -- next fire --------------------------------------------------------------------------------
def _fields_for(rec: Recurrence) -> dict[str, str]:
    if rec.kind == "cron":
        return _cron_fields(rec.cron)
    base = {"hour": str(rec.hour), "minute": str(rec.minute), "second": "0"}
    if rec.kind == "weekly":
        base["day_of_week"] = ",".join(_APS_DOW_NAMES[d] for d in sorted(rec.weekdays))
    elif rec.kind == "weekdays":
        base["day_of_week"] = "mon-fri"
    return base


@functools.lru_cache(maxsize=1024)
def _wall_trigger(rec: Recurrence) -> CronTrigger:
    """A CronTrigger on a DST-free calendar: it answers "which wall-clock minute matches next"
    and nothing else; turning that into an instant is `_instant`'s job."""
    return CronTrigger(**_fields_for(rec), timezone=UTC)


def _instant(wall: datetime, zone: tzinfo) -> datetime:
    """fold=0: a gap time lands after the jump (02:30 -> 03:30), an overlap time fires once."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _scan_start(after: datetime, zone: tzinfo) -> datetime:
    """Usually the wall-clock time of `after`; if the offset changed within the last few hours,
    start earlier, because a wall-clock time inside a spring-forward gap maps to an instant later
    than its wall-clock position suggests."""
    local = after.astimezone(zone)
    earlier = (after - _MAX_GAP).astimezone(zone)
    if local.utcoffset() != earlier.utcoffset():
        return earlier.replace(tzinfo=None)
    return local.replace(tzinfo=None)


def next_fire(rec: Recurrence, after: datetime) -> datetime | None:
    """None only for cron schedules that can never fire again."""
    if after.tzinfo is None:
        raise ValueError("next_fire needs an aware datetime")
    after = after.astimezone(UTC)
    zone = rec.zone
    if rec.kind == "interval":
        return _next_interval(rec, after, zone)
    trigger = _wall_trigger(rec)
    wall = _scan_start(after, zone)
    while True:
        match = trigger.get_next_fire_time(None, wall.replace(tzinfo=UTC))
        if match is None:
            return None
        candidate = _instant(match.replace(tzinfo=None), zone)
        if candidate > after:
            return candidate
        wall = match.replace(tzinfo=None) + timedelta(seconds=1)


def _next_interval(rec: Recurrence, after: datetime, zone: tzinfo) -> datetime:
    assert rec.anchor is not None  # guaranteed by __post_init__
    step = timedelta(days=rec.every * (7 if rec.unit == "weeks" else 1))
    local = _scan_start(after, zone)
    k = max(0, (local - rec.anchor) // step - 1)
    while True:
        candidate = _instant(rec.anchor + k * step, zone)
        if candidate > after:
            return candidate
        k += 1


# -- describe ---------------------------------------------------------------------------------
# Every phrase is a catalogue message (content/i18n): the English msgid is today's English text,
# and the Spanish grammar that depends on a number (`a la 01:00` / `a las 13:00`, `cada día` /
# `cada 3 días`) is the catalogue's plural rule, not an `if` here.
def _at(hour: int, minute: int, lang: str) -> str:
    # n is the hour: Spanish says "a la 01:00" (one o'clock) but "a las 00:00" and "a las 13:00".
    clock = f"{hour:02d}:{minute:02d}"
    return trn(lang, "at {time}", "at {time}", hour, time=clock)


def _day_names(days: frozenset[int], lang: str) -> str:
    table = ES_WEEKDAY_NAMES if lang == "es" else EN_WEEKDAY_NAMES
    return join_names([table[d] for d in sorted(days)], lang)


def describe(rec: Recurrence, lang: str = "en") -> str:
    """The zone is always named: a channel reminder is read by people in several zones."""
    lang = norm_lang(lang)
    at = _at(rec.hour, rec.minute, lang)
    if rec.kind == "weekly":
        text = tr(lang, "every {days} {at}", days=_day_names(rec.weekdays, lang), at=at)
    elif rec.kind == "daily":
        text = tr(lang, "every day {at}", at=at)
    elif rec.kind == "weekdays":
        text = tr(lang, "every weekday (Monday to Friday) {at}", at=at)
    elif rec.kind == "interval":
        text = _describe_interval(rec, lang, at)
    else:
        text = _describe_cron(rec, lang)
    return f"{text} ({rec.tz})"


def _describe_interval(rec: Recurrence, lang: str, at: str) -> str:
    assert rec.anchor is not None
    if rec.unit == "days":
        every = trn(lang, "every day", "every {n} days", rec.every)
    else:
        every = trn(lang, "every week", "every {n} weeks", rec.every)
    start = format_date_short(rec.anchor, lang)
    return tr(lang, "{every} {at}, starting {start}", every=every, at=at, start=start)


def _describe_cron(rec: Recurrence, lang: str) -> str:
    fields = _cron_fields(rec.cron)
    minute, hour, day, month = fields["minute"], fields["hour"], fields["day"], fields["month"]
    dow = fields["day_of_week"]
    if minute.isdigit() and hour.isdigit() and month == "*":
        at = _at(int(hour), int(minute), lang)
        if day == "*" and dow == "*":
            return tr(lang, "every day {at}", at=at)
        if day == "*":
            days = frozenset(_APS_DOW_NAMES.index(d) for d in dow.split(","))
            return tr(lang, "every {days} {at}", days=_day_names(days, lang), at=at)
        if day.isdigit() and dow == "*":
            return tr(lang, "every month on day {day} {at}", day=int(day), at=at)
    return tr(lang, "on the cron schedule `{cron}`", cron=rec.cron)
