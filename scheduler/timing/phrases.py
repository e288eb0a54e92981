"""Splitting a reminder command into *when* and *what*.

The when-phrase must come first (`tomorrow 9am bring the draft`); everything after it is the
message, kept exactly as typed apart from surrounding blanks and a leading separator (`:`, `-`).

Why a small grammar of our own leads and dateparser only follows: fed a whole command, dateparser
silently drops words it does not understand - `tomorrow 9 call` loses the 9, `tomorrow 9am 5
copies` loses the 9am, `2026-13-01` becomes 13 January, `nov 26` typed on 26 November means next
year, and `el próximo martes` is not understood at all. A reminder set for the wrong time is worse
than a refusal, so the grammar below decides exactly which words are the time, and dateparser is
only asked about leading words the grammar does not know (`next week`, `a week from now`, `la
próxima semana`), and only when they look like a date.

Decisions where the product brief was silent (each one is tested):

* A date without a time of day fires at 09:00 local (`DEFAULT_TIME`); `morning`, `afternoon`,
  `evening`, `night` (and `por la mañana/tarde/noche`) mean 09:00, 15:00, 18:00, 20:00.
* `in N days/weeks/months` keeps the current wall-clock time (same as `every 2 weeks` with no
  time); seconds, minutes and hours are elapsed time. `in 2 days at 9am` sets the time.
* A time with no date (`3pm call`) is its next occurrence: today if still ahead, else tomorrow.
* A bare hour is read on the 24-hour clock (`at 3` is 03:00); the confirmation shows the time.
* `friday` / `this friday` is today if today is Friday and the time is still ahead, otherwise
  the coming one; `next friday` is the coming Friday, never today.
* `midnight` is the end of the day it is attached to (`friday midnight` is Saturday 00:00).
* A wall-clock time that falls in a spring-forward gap fires after the jump (02:30 -> 03:30);
  one that happens twice in the autumn fires at the first occurrence.
* Reminders more than `MAX_AHEAD` (366 days) ahead are refused: they outlive school years, and
  a typo in the year is far more likely than a real need.
* Recurring reminders: `every 2 weeks` (no time) starts one interval from now at the current
  time, `every 2 weeks at 10am` starts at the next 10:00, `every 2 weeks on friday` at the next
  Friday (09:00 unless a time is given). Monthly reminders take days 1-28 only, so no month is
  silently skipped.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from scheduler.limits import REMINDER_TEXT_MAX
from scheduler.timing._vocab import (
    EN_MONTH_ABBR,
    EN_WEEKDAY_NAMES,
    ES_MONTH_ABBR,
    ES_WEEKDAY_NAMES,
    MONTHS,
    NUMBER_WORDS,
    UNITS,
    WEEKDAYS,
    fold,
)
from scheduler.timing.errors import TimeError, norm_lang
from scheduler.timing.recurrence import (
    MAX_INTERVAL_DAYS,
    MAX_INTERVAL_WEEKS,
    Recurrence,
    cron_recurrence,
    next_fire,
)

MAX_AHEAD = timedelta(days=366)
DEFAULT_TIME = time(9, 0)
# Longest leading run handed to dateparser; real date phrases are short.
_FALLBACK_MAX_WORDS = 6
# A when-phrase is never this long; text beyond message limit + this is refused before parsing.
_MAX_WHEN_CHARS = 200


@dataclass(frozen=True)
class ParsedReminder:
    """`first_fire` is aware UTC; for a recurrence it equals `next_fire(recurrence, now)`."""

    first_fire: datetime
    recurrence: Recurrence | None
    message: str


# -- tokens -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    word: str  # folded, trailing punctuation removed
    stop: bool  # typed with a trailing ":" or ";" - the when-phrase cannot continue past it


def _tokenize(text: str) -> list[_Tok]:
    tokens = []
    for match in re.finditer(r"\S+", text):
        raw = fold(match.group())
        word = raw.rstrip(",;:!?.")
        word = re.sub(r"([ap])\.m$", r"\1m", word)  # "9 a.m." -> "am"
        tokens.append(_Tok(match.start(), match.end(), word, raw.endswith((":", ";"))))
    return tokens


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    day_shift: int = 0  # 1 for midnight: the end of the day it is attached to


@dataclass(frozen=True)
class _DateHit:
    day: date
    end: int
    roll_week: bool = False  # bare weekday meaning today: a week later if the time has passed
    implied: _Clock | None = None  # "tonight", or the time inside an ISO "T08:00"


@dataclass(frozen=True)
class _Ctx:
    now: datetime  # aware UTC
    tz: ZoneInfo
    lang: str
    toks: list[_Tok]

    @property
    def local(self) -> datetime:
        return self.now.astimezone(self.tz)

    @property
    def today(self) -> date:
        return self.local.date()

    def word(self, i: int) -> str:
        return self.toks[i].word if 0 <= i < len(self.toks) else ""

    def can_extend(self, i: int) -> bool:
        """Whether token `i` may still belong to the when-phrase."""
        return i < len(self.toks) and (i == 0 or not self.toks[i - 1].stop)

    def err(self, code: str, **fields: str) -> TimeError:
        return TimeError(code, self.lang, **fields)


def _instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """Same fold=0 rule as recurrences (see recurrence.py), so one-offs and repeats agree."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


# -- times of day ----------------------------------------------------------------------------
_CLOCK_RE = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm|h)?")
_H_CLOCK_RE = re.compile(r"(\d{1,2})h(\d{2})")
_NOON = {"noon", "midday", "mediodia"}
_MIDNIGHT = {"midnight", "medianoche"}
_PARTS = {"morning": 9, "afternoon": 15, "evening": 18, "night": 20}
_ES_PARTS = {"manana": 9, "tarde": 15, "noche": 20}
_AM_QUALIFIERS = {"manana", "madrugada"}
_PM_QUALIFIERS = {"tarde", "noche"}


def _time_at(ctx: _Ctx, i: int) -> tuple[_Clock, int] | None:
    """`9am`, `9 am`, `9:30pm`, `15:30`, `15h30`, `at 9`, `a las 9 y media de la tarde`, `noon`.
    A bare number counts only after `at`/`a las`, so `tomorrow 5 copies` keeps its 5."""
    if not ctx.can_extend(i):
        return None
    j, lead = i, False
    if ctx.word(j) in ("at", "@"):
        j, lead = j + 1, True
    elif ctx.word(j) == "a" and ctx.word(j + 1) in ("las", "la"):
        j, lead = j + 2, True
    elif ctx.word(j) in ("a", "al") and ctx.word(j + 1) in _NOON | _MIDNIGHT:
        j += 1
    if not ctx.can_extend(j):
        return None
    word = ctx.word(j)
    if word in _NOON:
        return _Clock(12, 0), j + 1
    if word in _MIDNIGHT:
        return _Clock(0, 0, 1), j + 1
    match = _CLOCK_RE.fullmatch(word) or _H_CLOCK_RE.fullmatch(word)
    if not match:
        return None
    hour = int(match.group(1))
    minute = int(match.group(2)) if match.group(2) else None
    suffix = match.group(3) if match.re is _CLOCK_RE else "h"
    j += 1
    if suffix is None and ctx.can_extend(j) and ctx.word(j) in ("am", "pm"):
        suffix, j = ctx.word(j), j + 1
    if minute is None and ctx.can_extend(j) and ctx.can_extend(j + 1):
        pair = (ctx.word(j), ctx.word(j + 1))
        if pair in (("y", "media"), ("y", "cuarto"), ("menos", "cuarto")):
            minute = {"media": 30, "cuarto": 15}[pair[1]]
            if pair[0] == "menos":
                hour, minute = hour - 1, 45
            j += 2
    qualifier = None
    if ctx.can_extend(j) and ctx.can_extend(j + 2):
        triple = (ctx.word(j), ctx.word(j + 1), ctx.word(j + 2))
        if triple[:2] == ("de", "la") and triple[2] in _AM_QUALIFIERS | _PM_QUALIFIERS:
            qualifier = "am" if triple[2] in _AM_QUALIFIERS else triple[2]
        elif triple[:2] == ("in", "the") and triple[2] in ("morning", "afternoon", "evening"):
            qualifier = "am" if triple[2] == "morning" else "pm"
        if qualifier:
            j += 3
    if minute is None and qualifier is None and not lead and suffix in (None, "h"):
        return None  # a bare number is not a time, and a bare "2h" reads as two hours
    return _validated_clock(ctx, hour, minute or 0, suffix, qualifier), j


def _validated_clock(
    ctx: _Ctx, hour: int, minute: int, suffix: str | None, qualifier: str | None
) -> _Clock:
    if not 0 <= minute <= 59:
        raise ctx.err("bad_time")
    half = suffix if suffix in ("am", "pm") else qualifier
    if half is None:
        if not 0 <= hour <= 23:
            raise ctx.err("bad_time")
        return _Clock(hour, minute)
    if not 1 <= hour <= 12:
        raise ctx.err("bad_time")
    if half == "am":
        return _Clock(0 if hour == 12 else hour, minute)
    if half == "noche":  # "12 de la noche" is midnight; "2 de la noche" is 02:00
        if hour == 12:
            return _Clock(0, minute, 1)
        return _Clock(hour + 12 if hour >= 6 else hour, minute)
    return _Clock(hour if hour == 12 else hour + 12, minute)  # pm, tarde


def _part_of_day_at(ctx: _Ctx, i: int) -> tuple[_Clock, int] | None:
    """`tomorrow morning`, `friday evening`, `mañana por la tarde`."""
    if not ctx.can_extend(i):
        return None
    word = ctx.word(i)
    if word in _PARTS:
        return _Clock(_PARTS[word], 0), i + 1
    if not ctx.can_extend(i + 2):
        return None
    if (word, ctx.word(i + 1)) == ("in", "the") and ctx.word(i + 2) in _PARTS:
        return _Clock(_PARTS[ctx.word(i + 2)], 0), i + 3
    if (word, ctx.word(i + 1)) == ("por", "la") and ctx.word(i + 2) in _ES_PARTS:
        return _Clock(_ES_PARTS[ctx.word(i + 2)], 0), i + 3
    return None


def _clock_after(ctx: _Ctx, i: int) -> tuple[_Clock | None, int]:
    """An explicit time beats a part of the day: `tomorrow morning at 10` is 10:00."""
    timed = _time_at(ctx, i)
    if timed:
        return timed
    part = _part_of_day_at(ctx, i)
    if part:
        timed = _time_at(ctx, part[1])
        return timed if timed else part
    return None, i


# -- dates -------------------------------------------------------------------------------------
_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:t(\d{1,2}):(\d{2}))?")
_SLASH_RE = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?")
_DAYNUM_RE = re.compile(r"(\d{1,2})(?:st|nd|rd|th|o|a|er|ro)?")
_YEAR_RE = re.compile(r"(19|20|21)\d\d")
_NEXT = {"next", "coming", "proximo", "proxima", "siguiente"}
_THIS = {"this", "este", "esta"}
_LAST = {"last", "pasado", "pasada"}
_TOMORROW = {"tomorrow", "tmrw", "tmr", "tomorow", "manana"}


def _date_at(ctx: _Ctx, i: int) -> _DateHit | None:
    """Relative days, weekdays (with next/this/last in both languages) and literal dates."""
    if not ctx.can_extend(i):
        return None
    j = i
    if ctx.word(j) in ("on", "el", "for", "para") and ctx.can_extend(j + 1):
        j += 1
    word, today = ctx.word(j), ctx.today
    simple = {"today": 0, "hoy": 0, "yesterday": -1, "ayer": -1, "anteayer": -2}
    if word in simple:
        return _DateHit(today + timedelta(days=simple[word]), j + 1)
    if word == "pasado" and ctx.word(j + 1) == "manana" and ctx.can_extend(j + 1):
        return _DateHit(today + timedelta(days=2), j + 2)
    if word in _TOMORROW:
        return _DateHit(today + timedelta(days=1), j + 1)
    words3 = tuple(ctx.word(k) for k in range(j, j + 4))
    if words3[:3] == ("day", "after", "tomorrow") or words3 == ("the", "day", "after", "tomorrow"):
        skip = 3 if words3[0] == "day" else 4
        if ctx.can_extend(j + skip - 1):
            return _DateHit(today + timedelta(days=2), j + skip)
    if word == "tonight":
        return _DateHit(today, j + 1, implied=_Clock(_PARTS["night"], 0))
    if word in _THIS and ctx.can_extend(j + 1):
        part = ctx.word(j + 1)
        if part in _PARTS or part in _ES_PARTS:
            hour = _PARTS.get(part) or _ES_PARTS[part]
            return _DateHit(today, j + 2, implied=_Clock(hour, 0))
    return _weekday_at(ctx, j) or _literal_at(ctx, j)


def _weekday_at(ctx: _Ctx, j: int) -> _DateHit | None:
    mode = "bare"
    if ctx.word(j) in _NEXT | _THIS | {"last"} and ctx.can_extend(j + 1):
        mode = "next" if ctx.word(j) in _NEXT else "this" if ctx.word(j) in _THIS else "last"
        j += 1
    weekday = WEEKDAYS.get(ctx.word(j))
    if weekday is None:
        return None
    j += 1
    if mode == "bare" and ctx.can_extend(j):
        if ctx.word(j) in ("proximo", "proxima"):
            mode, j = "next", j + 1
        elif (ctx.word(j), ctx.word(j + 1)) == ("que", "viene") and ctx.can_extend(j + 1):
            mode, j = "next", j + 2
        elif ctx.word(j) in ("pasado", "pasada") and ctx.word(j + 1) != "manana":
            mode, j = "last", j + 1
    today = ctx.today
    if mode == "last":
        back = (today.weekday() - weekday) % 7 or 7
        return _DateHit(today - timedelta(days=back), j)
    ahead = (weekday - today.weekday()) % 7
    if mode == "next":
        return _DateHit(today + timedelta(days=ahead or 7), j)
    # "friday dec 4" / "viernes 4 de diciembre": the literal date wins, if it agrees.
    literal = _literal_at(ctx, j)
    if literal is not None:
        if literal.day.weekday() != weekday:
            raise _weekday_mismatch(ctx, literal.day, weekday)
        return literal
    return _DateHit(today + timedelta(days=ahead), j, roll_week=ahead == 0)


def _weekday_mismatch(ctx: _Ctx, day: date, given: int) -> TimeError:
    names = ES_WEEKDAY_NAMES if ctx.lang == "es" else EN_WEEKDAY_NAMES
    if ctx.lang == "es":
        shown = f"{day.day} de {ES_MONTH_ABBR[day.month - 1]}"
    else:
        shown = f"{EN_MONTH_ABBR[day.month - 1]} {day.day}"
    return ctx.err("weekday_mismatch", actual=names[day.weekday()], given=names[given], date=shown)


def _literal_at(ctx: _Ctx, j: int) -> _DateHit | None:
    """Numeric dates are read strictly (ISO always, then M/D in English and D/M in Spanish):
    an impossible one is refused, never swapped into a different valid date."""
    if not ctx.can_extend(j):
        return None
    word = ctx.word(j)
    iso = _ISO_RE.fullmatch(word)
    if iso:
        year, month, day = (int(g) for g in iso.groups()[:3])
        found = _checked_date(ctx, year, month, day)
        implied = None
        if iso.group(4) is not None:
            implied = _validated_clock(ctx, int(iso.group(4)), int(iso.group(5)), None, None)
        return _DateHit(found, j + 1, implied=implied)
    slash = _SLASH_RE.fullmatch(word)
    if slash:
        first, second = int(slash.group(1)), int(slash.group(2))
        month, day = (second, first) if ctx.lang == "es" else (first, second)
        year_text = slash.group(3)
        if year_text is None:
            return _DateHit(_upcoming(ctx, month, day), j + 1)
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        return _DateHit(_checked_date(ctx, year, month, day), j + 1)
    return _named_month_at(ctx, j)


def _named_month_at(ctx: _Ctx, j: int) -> _DateHit | None:
    """`dec 3`, `december 3rd, 2026`, `3 dec`, `the 3rd of december`, `3 de diciembre de 2026`."""
    k = j + 1 if ctx.word(j) == "the" else j
    month = day = None
    if ctx.word(k) in MONTHS:  # month first
        k2 = k + 2 if ctx.word(k + 1) == "the" else k + 1
        day_match = _DAYNUM_RE.fullmatch(ctx.word(k2))
        if k == j and day_match and ctx.can_extend(k2):
            month, day, k = MONTHS[ctx.word(k)], int(day_match.group(1)), k2 + 1
    else:
        day_match = _DAYNUM_RE.fullmatch(ctx.word(k))
        if day_match:
            k2 = k + 2 if ctx.word(k + 1) in ("of", "de") else k + 1
            if ctx.word(k2) in MONTHS and ctx.can_extend(k2):
                month, day, k = MONTHS[ctx.word(k2)], int(day_match.group(1)), k2 + 1
    if month is None or day is None:
        return None
    year_at = k + 1 if ctx.word(k) in ("de", "del", "of") else k
    if _YEAR_RE.fullmatch(ctx.word(year_at)) and ctx.can_extend(year_at):
        return _DateHit(_checked_date(ctx, int(ctx.word(year_at)), month, day), year_at + 1)
    return _DateHit(_upcoming(ctx, month, day), k)


def _checked_date(ctx: _Ctx, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ctx.err("bad_date") from None


def _upcoming(ctx: _Ctx, month: int, day: int) -> date:
    """A date without a year is its next occurrence, today included (dateparser's
    "prefer future" would push today's date to next year)."""
    if not 1 <= month <= 12 or not 1 <= day <= 31 or day > (29 if month == 2 else 31):
        raise ctx.err("bad_date")
    if day > calendar.monthrange(2001, month)[1] and month != 2:
        raise ctx.err("bad_date")
    year = ctx.today.year
    while True:  # terminates within 8 years even for 29 February
        if month != 2 or day != 29 or calendar.isleap(year):
            found = date(year, month, day)
            if found >= ctx.today:
                return found
        year += 1


# -- relative amounts (in 3 days, en una hora) --------------------------------------------------
_COMPACT_RE = re.compile(r"(?:\d{1,6}[wdhms])+")
_COMPACT_PART = re.compile(r"(\d{1,6})([wdhms])")
_COMPACT_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_MAX_AMOUNT = 100_000


def _amount_word(word: str) -> int | None:
    if word.isdigit() and len(word) <= 6:
        return int(word)
    return NUMBER_WORDS.get(word)


def _amounts_at(ctx: _Ctx, i: int) -> tuple[dict[str, int], int] | None:
    """`in 3 days`, `in 1h30m`, `in an hour and 30 minutes`, `en una semana`, `dentro de 2 días`,
    `in half an hour` / `en media hora`."""
    if ctx.word(i) in ("in", "en"):
        j = i + 1
    elif (ctx.word(i), ctx.word(i + 1)) == ("dentro", "de"):
        j = i + 2
    else:
        return None
    totals: dict[str, int] = {}
    while ctx.can_extend(j):
        word = ctx.word(j)
        if _COMPACT_RE.fullmatch(word):
            for number, letter in _COMPACT_PART.findall(word):
                unit = _COMPACT_UNITS[letter]
                totals[unit] = totals.get(unit, 0) + int(number)
            j += 1
        elif (word, ctx.word(j + 1), ctx.word(j + 2)) == ("half", "an", "hour"):
            totals["minutes"] = totals.get("minutes", 0) + 30
            j += 3
        elif (word, ctx.word(j + 1)) == ("media", "hora"):
            totals["minutes"] = totals.get("minutes", 0) + 30
            j += 2
        elif _amount_word(word) is not None and ctx.word(j + 1) in UNITS and ctx.can_extend(j + 1):
            unit = UNITS[ctx.word(j + 1)]
            totals[unit] = totals.get(unit, 0) + (_amount_word(word) or 0)
            j += 2
        else:
            break
        if ctx.word(j) in ("and", "y") and ctx.can_extend(j + 1) and _starts_amount(ctx, j + 1):
            j += 1
    if not totals:
        return None
    if any(value > _MAX_AMOUNT for value in totals.values()):
        raise ctx.err("too_far")
    return totals, j


def _starts_amount(ctx: _Ctx, i: int) -> bool:
    word = ctx.word(i)
    return bool(_COMPACT_RE.fullmatch(word)) or (
        _amount_word(word) is not None and ctx.word(i + 1) in UNITS
    )


def _add_months(wall: datetime, months: int) -> datetime:
    """Calendar months, clipping the day: 31 January + 1 month is 28/29 February."""
    index = wall.month - 1 + months
    year, month = wall.year + index // 12, index % 12 + 1
    day = min(wall.day, calendar.monthrange(year, month)[1])
    return wall.replace(year=year, month=month, day=day)


def _apply_amounts(ctx: _Ctx, totals: dict[str, int], end: int) -> tuple[datetime, int]:
    try:
        wall = ctx.local.replace(tzinfo=None)
        months = totals.get("months", 0) + 12 * totals.get("years", 0)
        wall = _add_months(wall, months) + timedelta(
            days=totals.get("days", 0) + 7 * totals.get("weeks", 0)
        )
        sub_day = timedelta(
            hours=totals.get("hours", 0),
            minutes=totals.get("minutes", 0),
            seconds=totals.get("seconds", 0),
        )
        if not sub_day:  # whole days: an explicit time may follow ("in 2 days at 9am")
            clock, after = _clock_after(ctx, end)
            if clock is not None:
                target = datetime.combine(wall.date(), time(clock.hour, clock.minute))
                return _instant(target + timedelta(days=clock.day_shift), ctx.tz), after
        if wall == ctx.local.replace(tzinfo=None):  # sub-day only: elapsed time, not wall time
            return ctx.now + sub_day, end
        return _instant(wall, ctx.tz) + sub_day, end
    except (OverflowError, ValueError):
        raise ctx.err("too_far") from None


# -- one-off phrases ---------------------------------------------------------------------------
def _at_date(ctx: _Ctx, hit: _DateHit, clock: _Clock | None) -> datetime:
    clock = clock or hit.implied or _Clock(DEFAULT_TIME.hour, DEFAULT_TIME.minute)
    day = hit.day + timedelta(days=clock.day_shift)
    fire = _instant(datetime.combine(day, time(clock.hour, clock.minute)), ctx.tz)
    if hit.roll_week and fire <= ctx.now:
        fire = _instant(datetime.combine(day + timedelta(days=7), time(clock.hour, clock.minute)),
                        ctx.tz)  # fmt: skip
    return fire


def _next_clock(ctx: _Ctx, clock: _Clock) -> datetime:
    for offset in (0, 1, 2):
        day = ctx.today + timedelta(days=offset + clock.day_shift)
        fire = _instant(datetime.combine(day, time(clock.hour, clock.minute)), ctx.tz)
        if fire > ctx.now:
            return fire
    raise AssertionError("a wall-clock time recurs within two days")  # pragma: no cover


def _parse_once(ctx: _Ctx) -> tuple[datetime, int]:
    amounts = _amounts_at(ctx, 0)
    if amounts:
        return _apply_amounts(ctx, *amounts)
    timed = _time_at(ctx, 0)
    if timed:
        clock, end = timed
        hit = _date_at(ctx, end)
        if hit:
            return _at_date(ctx, hit, clock), hit.end
        return _next_clock(ctx, clock), end
    hit = _date_at(ctx, 0)
    if hit:
        maybe_clock, end = _clock_after(ctx, hit.end)
        return _at_date(ctx, hit, maybe_clock), end
    fallback = _dateparser_fallback(ctx)
    if fallback:
        return fallback
    raise ctx.err("no_time")


# -- dateparser fallback -------------------------------------------------------------------------
_FALLBACK_ANCHORS = {
    "next", "week", "weeks", "fortnight", "month", "months", "year", "years", "now",
    "day", "days", "semana", "semanas", "mes", "meses", "ano", "anos", "dia", "dias",
    "proxima", "proximo", "siguiente", "hours", "hour", "minutes", "horas", "hora", "minutos",
}  # fmt: skip
_FALLBACK_WORDS = _FALLBACK_ANCHORS | {
    "this", "coming", "from", "later", "after", "the", "of", "on", "in", "a", "an",
    "la", "el", "los", "las", "de", "del", "que", "viene", "dentro", "en", "desde", "ahora",
    "por", "al",
} | set(NUMBER_WORDS) | set(MONTHS) | set(WEEKDAYS)  # fmt: skip
_FALLBACK_OPENERS = {
    "next", "this", "coming", "a", "an", "the", "in", "la", "el", "en", "dentro", "proxima",
    "proximo", "siguiente",
} | set(NUMBER_WORDS)  # fmt: skip
_FILLER_END = {
    "the", "a", "an", "at", "on", "in", "of", "from", "this", "next", "coming", "el", "la",
    "los", "las", "de", "del", "en", "que", "dentro", "desde", "por", "al", "proxima",
    "proximo", "siguiente",
}  # fmt: skip


def _fallback_word(word: str) -> bool:
    return word in _FALLBACK_WORDS or bool(_DAYNUM_RE.fullmatch(word))


def _dateparser_fallback(ctx: _Ctx) -> tuple[datetime, int] | None:
    """Only a short leading run of date-ish words is offered, longest first: it must open like
    a date phrase (`next`, `in`, `la`, a number...) and contain a relative word like `week`, so a
    lone `may` or `march` opening a message is never read as a month. Results are taken as
    naive local wall-clock times and placed in the zone by our own fold rule."""
    import dateparser  # deferred: it is slow to import and most commands never need it

    base = ctx.local.replace(tzinfo=None, microsecond=0)
    other = "en" if ctx.lang == "es" else "es"
    limit = min(_FALLBACK_MAX_WORDS, len(ctx.toks))
    for k in range(limit, 0, -1):
        span = ctx.toks[:k]
        if any(tok.stop for tok in span[:-1]) or span[-1].word in _FILLER_END:
            continue
        if not all(_fallback_word(tok.word) for tok in span):
            continue
        if not any(tok.word in _FALLBACK_ANCHORS for tok in span):
            continue
        if not (span[0].word in _FALLBACK_OPENERS or span[0].word.isdigit()):
            continue
        phrase = " ".join(tok.word for tok in span)
        for language in (ctx.lang, other):
            parsed = dateparser.parse(
                phrase,
                languages=[language],
                settings={
                    "PREFER_DATES_FROM": "future",
                    "RELATIVE_BASE": base,
                    "RETURN_AS_TIMEZONE_AWARE": False,
                    "PARSERS": ["relative-time", "absolute-time"],
                },
            )
            if parsed is not None:
                return _fallback_fire(ctx, parsed, base, k)
    return None


def _fallback_fire(ctx: _Ctx, parsed: datetime, base: datetime, end: int) -> tuple[datetime, int]:
    clock, after = _clock_after(ctx, end)
    if clock is not None:
        wall = datetime.combine(parsed.date() + timedelta(days=clock.day_shift),
                                time(clock.hour, clock.minute))  # fmt: skip
        return _instant(wall, ctx.tz), after
    if parsed.time() == base.time():  # relative ("next week"): keep the time, like "in 7 days"
        return _instant(parsed, ctx.tz), end
    if parsed.time() == time(0, 0):  # a date without a time
        return _instant(datetime.combine(parsed.date(), DEFAULT_TIME), ctx.tz), end
    return _instant(parsed, ctx.tz), end


# -- recurrences ----------------------------------------------------------------------------------
_EVERY = {"every", "each", "cada"}
_DAY_WORDS = {"day", "days", "dia", "dias"}
_WEEK_WORDS = {"week", "weeks", "semana", "semanas"}
_MONTH_WORDS = {"month", "months", "mes", "meses"}
_WORKDAY_WORDS = {"weekday", "weekdays", "workday", "workdays"}
_ES_WORKDAY_TAILS = {"laborable", "laborables", "habil", "habiles"}
_LIST_JOINERS = {"and", "y", "e", "&", "/"}
_RANGE_JOINERS = {"to", "through", "thru", "-", "a"}


@dataclass
class _RecDraft:
    kind: str
    end: int
    weekdays: frozenset[int] = frozenset()
    every: int = 1
    unit: str = "days"
    month_day: int = 0
    clock: _Clock | None = None
    anchor_weekday: int | None = None


def _recurrence_head(ctx: _Ctx) -> _RecDraft | None:
    """What repeats, before any `on <weekday>` or time."""
    w0, w1 = ctx.word(0), ctx.word(1)
    if w0 in ("daily", "diariamente") or (w0, w1) == ("a", "diario"):
        return _RecDraft("daily", 1 if w0 != "a" else 2)
    if w0 in ("weekdays", "weekday"):
        return _RecDraft("weekdays", 1)
    if (w0, w1, ctx.word(2), ctx.word(3)) == ("de", "lunes", "a", "viernes"):
        return _RecDraft("weekdays", 4)
    if w0 in _EVERY:
        j = 1
    elif w0 in ("todos", "todas") and w1 in ("los", "las"):
        j = 2
    else:
        return None
    return _recurrence_body(ctx, j)


def _recurrence_body(ctx: _Ctx, j: int) -> _RecDraft:
    word, nxt = ctx.word(j), ctx.word(j + 1)
    if word in _WORKDAY_WORDS or (word, nxt) in (("work", "day"), ("school", "day")):
        return _RecDraft("weekdays", j + (2 if word in ("work", "school") else 1))
    if word in _DAY_WORDS:
        if nxt in _ES_WORKDAY_TAILS:
            return _RecDraft("weekdays", j + 2)
        if (nxt, ctx.word(j + 2)) in (("de", "semana"), ("entre", "semana")):
            return _RecDraft("weekdays", j + 3)
        return _RecDraft("daily", j + 1)
    if word in _PARTS or word in _ES_PARTS:  # "every morning", "cada noche"
        hour = _PARTS.get(word) or _ES_PARTS[word]
        return _RecDraft("daily", j + 1, clock=_Clock(hour, 0))
    if word in _WEEK_WORDS:
        return _RecDraft("interval", j + 1, every=1, unit="weeks")
    if word in _MONTH_WORDS:
        return _RecDraft("monthly", j + 1)
    if word == "other" and nxt in _DAY_WORDS | _WEEK_WORDS:
        return _RecDraft("interval", j + 2, every=2, unit="weeks" if nxt in _WEEK_WORDS else "days")
    amount = _amount_word(word)
    if amount is not None and nxt in _DAY_WORDS | _WEEK_WORDS:
        return _RecDraft("interval", j + 2, every=amount,
                         unit="weeks" if nxt in _WEEK_WORDS else "days")  # fmt: skip
    days = _weekday_list(ctx, j)
    if days:
        weekdays, end = days
        if weekdays == frozenset(range(5)):
            return _RecDraft("weekdays", end)
        return _RecDraft("weekly", end, weekdays=weekdays)
    raise ctx.err("bad_recurrence")


def _weekday_list(ctx: _Ctx, j: int) -> tuple[frozenset[int], int] | None:
    """`monday`, `mon, wed and fri`, `lunes y miércoles`, `monday to friday`, `mon-fri`."""
    compact = re.fullmatch(r"([a-z]+)-([a-z]+)", ctx.word(j))
    if compact and compact.group(1) in WEEKDAYS and compact.group(2) in WEEKDAYS:
        first, last = WEEKDAYS[compact.group(1)], WEEKDAYS[compact.group(2)]
        return _weekday_range(first, last), j + 1
    if ctx.word(j) not in WEEKDAYS:
        return None
    first = WEEKDAYS[ctx.word(j)]
    if ctx.word(j + 1) in _RANGE_JOINERS and ctx.word(j + 2) in WEEKDAYS and ctx.can_extend(j + 2):
        return _weekday_range(first, WEEKDAYS[ctx.word(j + 2)]), j + 3
    days, j = {first}, j + 1
    while ctx.can_extend(j):
        if ctx.word(j) in WEEKDAYS:
            days.add(WEEKDAYS[ctx.word(j)])
            j += 1
        elif ctx.word(j) in _LIST_JOINERS and ctx.word(j + 1) in WEEKDAYS and ctx.can_extend(j + 1):
            days.add(WEEKDAYS[ctx.word(j + 1)])
            j += 2
        else:
            break
    return frozenset(days), j


def _weekday_range(first: int, last: int) -> frozenset[int]:
    span = (last - first) % 7
    return frozenset((first + k) % 7 for k in range(span + 1))


def _recurrence_options(ctx: _Ctx, draft: _RecDraft) -> None:
    """`on friday` (intervals), `on the 1st` / `el día 1` (monthly) and a time, in any order."""
    for _ in range(2):
        j = draft.end
        if not ctx.can_extend(j):
            return
        if draft.kind == "monthly" and not draft.month_day:
            found = _month_day_at(ctx, j)
            if found:
                draft.month_day, draft.end = found
                continue
        if draft.kind == "interval" and draft.anchor_weekday is None:
            k = j + 1 if ctx.word(j) in ("on", "el", "los") else j
            if ctx.word(k) in WEEKDAYS and ctx.can_extend(k):
                draft.anchor_weekday, draft.end = WEEKDAYS[ctx.word(k)], k + 1
                continue
        if draft.clock is None or draft.kind == "daily":
            timed = _time_at(ctx, j)
            if timed:
                draft.clock, draft.end = timed
                continue
        return


def _month_day_at(ctx: _Ctx, j: int) -> tuple[int, int] | None:
    k = j
    if ctx.word(k) in ("on", "el"):
        k += 1
    if ctx.word(k) == "the":
        k += 1
    if ctx.word(k) in ("day", "dia"):
        k += 1
    match = _DAYNUM_RE.fullmatch(ctx.word(k))
    if not match or k == j or not ctx.can_extend(k):
        return None
    return int(match.group(1)), k + 1


def _build_recurrence(ctx: _Ctx, draft: _RecDraft) -> Recurrence:
    tz = ctx.tz.key
    clock = draft.clock or _Clock(DEFAULT_TIME.hour, DEFAULT_TIME.minute)
    if draft.kind == "interval":
        return _build_interval(ctx, draft)
    if draft.kind == "monthly":
        day = draft.month_day + clock.day_shift
        if not 1 <= day <= 28:
            raise ctx.err("bad_month_day")
        return cron_recurrence(f"{clock.minute} {clock.hour} {day} * *", tz, ctx.lang)
    if draft.kind == "daily":
        return Recurrence.daily(clock.hour, clock.minute, tz)
    days = draft.weekdays if draft.kind == "weekly" else frozenset(range(5))
    if clock.day_shift:  # "every friday at midnight" is the night from Friday to Saturday
        return Recurrence.weekly({(d + 1) % 7 for d in days}, clock.hour, clock.minute, tz)
    if draft.kind == "weekdays":
        return Recurrence.on_weekdays(clock.hour, clock.minute, tz)
    return Recurrence.weekly(days, clock.hour, clock.minute, tz)


def _build_interval(ctx: _Ctx, draft: _RecDraft) -> Recurrence:
    unit: Literal["days", "weeks"] = "weeks" if draft.unit == "weeks" else "days"
    limit = MAX_INTERVAL_WEEKS if unit == "weeks" else MAX_INTERVAL_DAYS
    if not 1 <= draft.every <= limit:
        raise ctx.err("bad_interval")
    step = timedelta(days=draft.every * (7 if unit == "weeks" else 1))
    local = ctx.local.replace(tzinfo=None, second=0, microsecond=0)
    if draft.clock is None and draft.anchor_weekday is None:
        return Recurrence.interval(draft.every, unit, local + step, ctx.tz.key)
    clock = draft.clock or _Clock(DEFAULT_TIME.hour, DEFAULT_TIME.minute)
    for offset in range(0, 9):
        day = ctx.today + timedelta(days=offset)
        if draft.anchor_weekday is not None and day.weekday() != draft.anchor_weekday:
            continue
        wall = datetime.combine(day + timedelta(days=clock.day_shift),
                                time(clock.hour, clock.minute))  # fmt: skip
        if _instant(wall, ctx.tz) > ctx.now:
            return Recurrence.interval(draft.every, unit, wall, ctx.tz.key)
    raise AssertionError("a weekday recurs within 9 days")  # pragma: no cover


def _parse_recurring(ctx: _Ctx) -> tuple[Recurrence, int] | None:
    draft = _recurrence_head(ctx)
    if draft is None:
        return None
    _recurrence_options(ctx, draft)
    if draft.kind == "monthly" and not draft.month_day:
        raise ctx.err("bad_month_day")
    return _build_recurrence(ctx, draft), draft.end


# -- entry point ----------------------------------------------------------------------------------
_LEADING_SEPARATORS = re.compile(r"^[\s,:;\-\u2013\u2014]+")


def parse_reminder(text: str, *, now: datetime, tz: ZoneInfo, lang: str = "en") -> ParsedReminder:
    """Refusals are `TimeError`s with a one-line, example-bearing reply; nothing here logs, so
    user text never reaches the logs."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    lang = norm_lang(lang)
    if len(text) > REMINDER_TEXT_MAX + _MAX_WHEN_CHARS:
        raise TimeError("too_long", lang)
    ctx = _Ctx(now=now.astimezone(UTC), tz=tz, lang=lang, toks=_tokenize(text))
    if not ctx.toks:
        raise ctx.err("no_time")
    recurring = _parse_recurring(ctx)
    if recurring:
        recurrence, end = recurring
        first = next_fire(recurrence, ctx.now)
        assert first is not None  # only unsatisfiable crons return None, and we build none
    else:
        recurrence = None
        first, end = _parse_once(ctx)
    if first <= ctx.now:
        raise ctx.err("past")
    if first - ctx.now > MAX_AHEAD:
        raise ctx.err("too_far")
    message = _LEADING_SEPARATORS.sub("", text[ctx.toks[end - 1].end :]).rstrip()
    if not message:
        raise ctx.err("empty_message")
    if len(message) > REMINDER_TEXT_MAX:
        raise ctx.err("too_long")
    return ParsedReminder(first_fire=first, recurrence=recurrence, message=message)
