"""Lengths of time typed by people: snoozes (`2d`, `1h30m`, `2 días`) and deadline leads.

Compact forms and words in English and Spanish are accepted whatever the user's language, since
people mix them; `lang` only picks the language of the refusal.
"""

from __future__ import annotations

import re
from datetime import timedelta

from scheduler.timing._vocab import NUMBER_WORDS, UNITS, fold
from scheduler.timing.errors import TimeError

DEFAULT_LEADS: tuple[timedelta, ...] = (timedelta(days=14), timedelta(days=7), timedelta(days=1))
MAX_DURATION = timedelta(days=365)
MIN_LEAD = timedelta(hours=1)
MAX_LEADS = 10

# Seconds and months are left out on purpose: nobody snoozes for seconds, and a month is not a
# fixed length of time.
_UNIT_SECONDS = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}
_PART = re.compile(r"(\d{1,7}|[a-z]+)\s*([a-z]+)")
_JOINERS = re.compile(r"\s*(?:,|\band\b|\by\b|\+)\s*")


def _seconds(text: str, lang: str) -> int:
    """Total seconds in a duration, with the sign/zero checks left to the caller's wording."""
    cleaned = fold(text).strip()
    if cleaned.startswith("-"):
        raise TimeError("negative_duration", lang)
    cleaned = _JOINERS.sub(" ", cleaned.lstrip("+")).strip()
    if not cleaned or len(cleaned) > 60:
        raise TimeError("bad_duration", lang)
    total, position = 0, 0
    for match in _PART.finditer(cleaned):
        if cleaned[position : match.start()].strip():
            raise TimeError("bad_duration", lang)
        number_text, unit_word = match.groups()
        number = int(number_text) if number_text.isdigit() else NUMBER_WORDS.get(number_text)
        unit = UNITS.get(unit_word)
        if number is None or unit not in _UNIT_SECONDS:
            raise TimeError("bad_duration", lang)
        total += number * _UNIT_SECONDS[unit]
        position = match.end()
    if position == 0 or cleaned[position:].strip():
        raise TimeError("bad_duration", lang)
    return total


def parse_duration(text: str, lang: str = "en") -> timedelta:
    """Snoozes longer than a year are refused: the reminder would outlive the school year."""
    total = _seconds(text, lang)
    if total == 0:
        raise TimeError("zero_duration", lang)
    if total > MAX_DURATION.total_seconds():
        raise TimeError("long_duration", lang)
    return timedelta(seconds=total)


def parse_leads(text: str, lang: str = "en") -> tuple[timedelta, ...]:
    """`lead=14d,7d,1d` -> longest first, duplicates dropped, so reminders go out in order and
    a repeated value cannot send the same reminder twice."""
    body = text.strip()
    body = re.sub(r"^leads?\s*=\s*", "", body, flags=re.IGNORECASE)
    items = [item for item in re.split(r"[,\s]+", body) if item]
    if not items or len(items) > MAX_LEADS:
        raise TimeError("bad_leads", lang)
    leads: set[timedelta] = set()
    for item in items:
        try:
            lead = timedelta(seconds=_seconds(item, lang))
        except TimeError:
            raise TimeError("bad_leads", lang) from None
        if not MIN_LEAD <= lead <= MAX_DURATION:
            raise TimeError("bad_leads", lang)
        leads.add(lead)
    return tuple(sorted(leads, reverse=True))
