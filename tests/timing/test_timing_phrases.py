"""parse_reminder: when/what splitting in English and Spanish, with a fixed `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from scheduler.limits import REMINDER_TEXT_MAX
from scheduler.timing import (
    ParsedReminder,
    Recurrence,
    TimeError,
    describe,
    next_fire,
    parse_reminder,
)

CHI = ZoneInfo("America/Chicago")
NY = ZoneInfo("America/New_York")
# Thursday 26 November 2026, 15:37:12 in Chicago (CST, UTC-6).
NOW = datetime(2026, 11, 26, 21, 37, 12, tzinfo=UTC)


def chi(*args: int) -> datetime:
    """A Chicago wall-clock time as aware UTC, the form parse_reminder returns."""
    return datetime(*args, tzinfo=CHI).astimezone(UTC)


def parse(text: str, lang: str = "en", now: datetime = NOW, tz: ZoneInfo = CHI) -> ParsedReminder:
    return parse_reminder(text, now=now, tz=tz, lang=lang)


def refused(text: str, lang: str = "en", now: datetime = NOW, tz: ZoneInfo = CHI) -> TimeError:
    with pytest.raises(TimeError) as info:
        parse(text, lang, now, tz)
    return info.value


# -- the examples from the brief ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "fire", "message"),
    [
        ("tomorrow 9am bring the draft", chi(2026, 11, 27, 9, 0), "bring the draft"),
        # "in N days" keeps the current wall-clock time (seconds included).
        ("in 3 days call the district", chi(2026, 11, 29, 15, 37, 12), "call the district"),
        ("next tuesday at 15:30 meeting prep", chi(2026, 12, 1, 15, 30), "meeting prep"),
        ("2026-12-03 08:00 send notice", chi(2026, 12, 3, 8, 0), "send notice"),
        ("in 5 seconds hello", NOW + timedelta(seconds=5), "hello"),
    ],
)
def test_one_off_examples_en(text: str, fire: datetime, message: str) -> None:
    parsed = parse(text)
    assert parsed == ParsedReminder(first_fire=fire, recurrence=None, message=message)
    assert parsed.first_fire.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "fire", "message"),
    [
        ("mañana a las 9 llevar el borrador", chi(2026, 11, 27, 9, 0), "llevar el borrador"),
        ("el próximo martes a las 15:30 reunión", chi(2026, 12, 1, 15, 30), "reunión"),
        ("en 3 días llamar", chi(2026, 11, 29, 15, 37, 12), "llamar"),
        ("pasado mañana revisar", chi(2026, 11, 28, 9, 0), "revisar"),
        ("dentro de 2 días llamar", chi(2026, 11, 28, 15, 37, 12), "llamar"),
        ("en una hora llamar", NOW + timedelta(hours=1), "llamar"),
        ("en media hora salir", NOW + timedelta(minutes=30), "salir"),
        ("3 de diciembre a las 9 enviar", chi(2026, 12, 3, 9, 0), "enviar"),
        ("el 3 de diciembre de 2026 enviar", chi(2026, 12, 3, 9, 0), "enviar"),
        ("3/12 enviar", chi(2026, 12, 3, 9, 0), "enviar"),  # D/M in Spanish
        ("mañana a las 9 y media x", chi(2026, 11, 27, 9, 30), "x"),
        ("mañana a las 8 menos cuarto x", chi(2026, 11, 27, 7, 45), "x"),
        ("mañana a las 3 de la tarde x", chi(2026, 11, 27, 15, 0), "x"),
        ("mañana a las 9 de la noche x", chi(2026, 11, 27, 21, 0), "x"),
        ("mañana a las 7 de la mañana x", chi(2026, 11, 27, 7, 0), "x"),
        ("mañana por la tarde x", chi(2026, 11, 27, 15, 0), "x"),
        ("mañana al mediodía x", chi(2026, 11, 27, 12, 0), "x"),
        ("el martes que viene x", chi(2026, 12, 1, 9, 0), "x"),
        ("martes próximo x", chi(2026, 12, 1, 9, 0), "x"),
        ("esta noche x", chi(2026, 11, 26, 20, 0), "x"),
        ("hoy a las 23:30 x", chi(2026, 11, 26, 23, 30), "x"),
        ("la próxima semana revisar", chi(2026, 12, 3, 15, 37, 12), "revisar"),
        ("el próximo mes revisar", chi(2026, 12, 26, 15, 37, 12), "revisar"),
        ("mañana a las 15h revisar", chi(2026, 11, 27, 15, 0), "revisar"),
    ],
)
def test_one_off_examples_es(text: str, fire: datetime, message: str) -> None:
    parsed = parse(text, "es")
    assert (parsed.first_fire, parsed.message, parsed.recurrence) == (fire, message, None)


@pytest.mark.parametrize(
    ("text", "fire", "message"),
    [
        ("tomorrow at 9 call", chi(2026, 11, 27, 9, 0), "call"),
        ("tomorrow 9 am call", chi(2026, 11, 27, 9, 0), "call"),
        ("tomorrow 9 a.m. call", chi(2026, 11, 27, 9, 0), "call"),
        ("tomorrow 3:30pm call", chi(2026, 11, 27, 15, 30), "call"),
        ("tomorrow 15h30 call", chi(2026, 11, 27, 15, 30), "call"),
        ("tomorrow at 15h call", chi(2026, 11, 27, 15, 0), "call"),
        ("3 days from now call", chi(2026, 11, 29, 15, 37, 12), "call"),
        ("in a fortnight call", chi(2026, 12, 10, 15, 37, 12), "call"),
        ("next week at 10am call", chi(2026, 12, 3, 10, 0), "call"),
        ("tomorrow at noon call", chi(2026, 11, 27, 12, 0), "call"),
        ("tomorrow call", chi(2026, 11, 27, 9, 0), "call"),  # date only -> 09:00
        ("tomorrow morning call", chi(2026, 11, 27, 9, 0), "call"),
        ("tomorrow afternoon call", chi(2026, 11, 27, 15, 0), "call"),
        ("tomorrow evening call", chi(2026, 11, 27, 18, 0), "call"),
        ("tomorrow morning at 10 call", chi(2026, 11, 27, 10, 0), "call"),
        ("tomorrow at 7 in the evening call", chi(2026, 11, 27, 19, 0), "call"),
        ("tonight call", chi(2026, 11, 26, 20, 0), "call"),
        ("this evening call", chi(2026, 11, 26, 18, 0), "call"),
        ("today 11pm call", chi(2026, 11, 26, 23, 0), "call"),
        ("day after tomorrow call", chi(2026, 11, 28, 9, 0), "call"),
        ("9am tomorrow call", chi(2026, 11, 27, 9, 0), "call"),
        ("at 3pm on friday call", chi(2026, 11, 27, 15, 0), "call"),
        ("on friday at 3pm call", chi(2026, 11, 27, 15, 0), "call"),
        ("friday, 3pm call", chi(2026, 11, 27, 15, 0), "call"),
        ("dec 3 at 5pm call", chi(2026, 12, 3, 17, 0), "call"),
        ("december 3rd, 2026 call", chi(2026, 12, 3, 9, 0), "call"),
        ("3 dec call", chi(2026, 12, 3, 9, 0), "call"),
        ("the 3rd of december call", chi(2026, 12, 3, 9, 0), "call"),
        ("12/3 call", chi(2026, 12, 3, 9, 0), "call"),  # M/D in English
        ("12/3/2026 call", chi(2026, 12, 3, 9, 0), "call"),
        ("friday dec 4 call", chi(2026, 12, 4, 9, 0), "call"),
        ("jan 5 call", chi(2027, 1, 5, 9, 0), "call"),  # no year: the next 5 January
        ("nov 26 5pm call", chi(2026, 11, 26, 17, 0), "call"),  # today's date is today
        ("2026-12-03T08:00 call", chi(2026, 12, 3, 8, 0), "call"),
        ("in 2 hours call", NOW + timedelta(hours=2), "call"),
        ("in an hour call", NOW + timedelta(hours=1), "call"),
        ("in half an hour call", NOW + timedelta(minutes=30), "call"),
        ("in 1h30m call", NOW + timedelta(hours=1, minutes=30), "call"),
        ("in 1 hour and 30 minutes call", NOW + timedelta(hours=1, minutes=30), "call"),
        ("in a week call", chi(2026, 12, 3, 15, 37, 12), "call"),
        ("in 2 weeks call", chi(2026, 12, 10, 15, 37, 12), "call"),
        ("in 1 month call", chi(2026, 12, 26, 15, 37, 12), "call"),
        ("in 2 days at 9am call", chi(2026, 11, 28, 9, 0), "call"),
        ("next week call", chi(2026, 12, 3, 15, 37, 12), "call"),
        ("a week from now call", chi(2026, 12, 3, 15, 37, 12), "call"),
        ("tomorrow at midnight call", chi(2026, 11, 28, 0, 0), "call"),
        ("midnight call", chi(2026, 11, 27, 0, 0), "call"),
    ],
)
def test_more_english_phrases(text: str, fire: datetime, message: str) -> None:
    parsed = parse(text)
    assert (parsed.first_fire, parsed.message) == (fire, message)


def test_time_without_date_is_its_next_occurrence() -> None:
    assert parse("3pm call").first_fire == chi(2026, 11, 27, 15, 0)  # 15:00 passed today
    assert parse("5pm call").first_fire == chi(2026, 11, 26, 17, 0)
    assert parse("at 9 call").first_fire == chi(2026, 11, 27, 9, 0)
    assert parse("a las 16 llamar", "es").first_fire == chi(2026, 11, 26, 16, 0)


def test_bare_hour_is_24_hour_clock() -> None:
    assert parse("tomorrow at 3 call").first_fire == chi(2026, 11, 27, 3, 0)


def test_weekday_today_means_today_while_the_time_is_ahead() -> None:
    assert parse("thursday 5pm x").first_fire == chi(2026, 11, 26, 17, 0)
    assert parse("thursday 3pm x").first_fire == chi(2026, 12, 3, 15, 0)
    assert parse("next thursday 5pm x").first_fire == chi(2026, 12, 3, 17, 0)
    assert parse("friday x").first_fire == chi(2026, 11, 27, 9, 0)
    assert parse("next friday x").first_fire == chi(2026, 11, 27, 9, 0)


# -- messages are never swallowed ------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tomorrow 9am bring the draft", "bring the draft"),
        ("tomorrow 9am 5 copies of the IEP", "5 copies of the IEP"),
        ("tomorrow 9 call", "9 call"),  # a bare number is not a time
        ("tomorrow 2h call", "2h call"),
        ("tomorrow 9am may be late", "may be late"),
        ("tomorrow 9am march forward", "march forward"),
        ("friday 3pm sat test prep", "sat test prep"),
        ("tomorrow 9am next steps", "next steps"),
        ("tomorrow 9am the draft is due", "the draft is due"),
        ("tomorrow 9am at the office", "at the office"),
        ("tomorrow at the office", "at the office"),
        ("tomorrow 9am in room 5", "in room 5"),
        ("tomorrow 9am on the district portal", "on the district portal"),
        ("tomorrow 9am: bring the draft", "bring the draft"),
        ("tomorrow 9am - bring the draft", "bring the draft"),
        ("tomorrow, 9am, bring the draft", "bring the draft"),
        ("tomorrow 9am   Bring  the DRAFT!  ", "Bring  the DRAFT!"),
        ("tomorrow 9am línea 1\nlínea 2 🎉", "línea 1\nlínea 2 🎉"),
        ("in 5 seconds hello", "hello"),
        ("in 5 seconds in 5 minutes", "in 5 minutes"),
        ("mañana a las 9 la reunión", "la reunión"),
        ("mañana a las 9 de nuevo", "de nuevo"),
        ("tomorrow 9am <!channel> @everyone", "<!channel> @everyone"),
    ],
)
def test_message_is_kept_exactly(text: str, message: str) -> None:
    lang = "es" if text.startswith("mañana") else "en"
    assert parse(text, lang).message == message


@given(st.text(min_size=0, max_size=200))
def test_message_property_anything_after_the_time_survives(tail: str) -> None:
    message = "x" + tail  # "x..." can never be read as part of a time
    parsed = parse(f"tomorrow 9am {message}")
    assert parsed.message == message.rstrip()
    assert parsed.first_fire == chi(2026, 11, 27, 9, 0)


# -- recurrences -------------------------------------------------------------------------------
def test_every_monday() -> None:
    parsed = parse("every monday 8am check caseload")
    assert parsed.recurrence == Recurrence.weekly({0}, 8, 0, "America/Chicago")
    assert parsed.first_fire == chi(2026, 11, 30, 8, 0)
    assert parsed.message == "check caseload"


def test_every_weekday_and_every_day() -> None:
    weekday = parse("every weekday at 7:30 attendance")
    assert weekday.recurrence == Recurrence.on_weekdays(7, 30, "America/Chicago")
    assert weekday.first_fire == chi(2026, 11, 27, 7, 30)
    assert weekday.message == "attendance"
    daily = parse("every day at 9 water plants")
    assert daily.recurrence == Recurrence.daily(9, 0, "America/Chicago")
    assert daily.first_fire == chi(2026, 11, 27, 9, 0)
    assert daily.message == "water plants"


def test_every_two_weeks_without_time_starts_one_interval_from_now() -> None:
    parsed = parse("every 2 weeks team sync")
    rec = parsed.recurrence
    assert rec is not None and rec.kind == "interval"
    assert (rec.every, rec.unit) == (2, "weeks")
    assert rec.anchor == datetime(2026, 12, 10, 15, 37)  # seconds dropped
    assert parsed.first_fire == chi(2026, 12, 10, 15, 37)
    assert parsed.message == "team sync"
    assert next_fire(rec, parsed.first_fire) == chi(2026, 12, 24, 15, 37)


def test_every_two_weeks_with_time_or_weekday_starts_at_the_next_match() -> None:
    at_ten = parse("every 2 weeks at 10am sync")
    assert at_ten.first_fire == chi(2026, 11, 27, 10, 0)
    on_friday = parse("every 2 weeks on friday sync")
    assert on_friday.first_fire == chi(2026, 11, 27, 9, 0)
    both = parse("every 2 weeks at 4pm on thursday sync")
    assert both.first_fire == chi(2026, 11, 26, 16, 0)
    assert both.message == "sync"


def test_every_month_on_the_first() -> None:
    parsed = parse("every month on the 1st at 9am progress notes")
    assert parsed.recurrence is not None and parsed.recurrence.kind == "cron"
    assert parsed.recurrence.cron == "0 9 1 * *"
    assert parsed.first_fire == chi(2026, 12, 1, 9, 0)
    assert parsed.message == "progress notes"
    es = parse("cada mes el día 15 a las 8 notas", "es")
    assert es.first_fire == chi(2026, 12, 15, 8, 0)
    assert describe(es.recurrence, "es") == "cada mes el día 15 a las 08:00 (America/Chicago)"


@pytest.mark.parametrize(
    ("text", "recurrence", "first"),
    [
        ("cada lunes a las 8 revisar", Recurrence.weekly({0}, 8, 0, "America/Chicago"),
         chi(2026, 11, 30, 8, 0)),
        ("todos los lunes y miércoles a las 8 revisar",
         Recurrence.weekly({0, 2}, 8, 0, "America/Chicago"), chi(2026, 11, 30, 8, 0)),
        ("cada día laborable a las 7:30 revisar", Recurrence.on_weekdays(7, 30, "America/Chicago"),
         chi(2026, 11, 27, 7, 30)),
        ("de lunes a viernes a las 8 revisar", Recurrence.on_weekdays(8, 0, "America/Chicago"),
         chi(2026, 11, 27, 8, 0)),
        ("todos los días a las 9 revisar", Recurrence.daily(9, 0, "America/Chicago"),
         chi(2026, 11, 27, 9, 0)),
        ("cada noche revisar", Recurrence.daily(20, 0, "America/Chicago"),
         chi(2026, 11, 26, 20, 0)),
    ],
)  # fmt: skip
def test_spanish_recurrences(text: str, recurrence: Recurrence, first: datetime) -> None:
    parsed = parse(text, "es")
    assert (parsed.recurrence, parsed.first_fire, parsed.message) == (recurrence, first, "revisar")


def test_spanish_intervals() -> None:
    parsed = parse("cada 2 semanas reunión", "es")
    assert parsed.recurrence is not None
    assert (parsed.recurrence.every, parsed.recurrence.unit) == (2, "weeks")
    assert parsed.message == "reunión"
    quince = parse("cada quince días revisar", "es").recurrence
    assert quince is not None and (quince.every, quince.unit) == (15, "days")


@pytest.mark.parametrize(
    ("text", "weekdays"),
    [
        ("every mon, wed and fri at 3pm x", {0, 2, 4}),
        ("every tuesday & thursday at 3pm x", {1, 3}),
        ("every saturday to monday at 3pm x", {5, 6, 0}),
        ("every mon-wed at 3pm x", {0, 1, 2}),
        ("every mondays at 3pm x", {0}),
    ],
)
def test_weekday_lists(text: str, weekdays: set[int]) -> None:
    rec = parse(text).recurrence
    assert rec is not None and rec.kind == "weekly" and rec.weekdays == frozenset(weekdays)
    assert parse(text).message == "x"


def test_other_recurrence_openers() -> None:
    assert parse("daily 6pm x").recurrence == Recurrence.daily(18, 0, "America/Chicago")
    assert parse("weekdays at 7 x").recurrence == Recurrence.on_weekdays(7, 0, "America/Chicago")
    assert parse("every monday to friday at 7 x").recurrence == Recurrence.on_weekdays(
        7, 0, "America/Chicago"
    )
    assert parse("every monday x").recurrence == Recurrence.weekly({0}, 9, 0, "America/Chicago")
    other = parse("every other day x").recurrence
    assert other is not None and (other.every, other.unit) == (2, "days")
    week = parse("every week x").recurrence
    assert week is not None and (week.every, week.unit) == (1, "weeks")


def test_midnight_recurrence_is_the_night_after_the_named_day() -> None:
    parsed = parse("every friday at midnight x")
    assert parsed.recurrence == Recurrence.weekly({5}, 0, 0, "America/Chicago")


# -- refusals ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("bring the draft", "no_time"),
        ("may I remind you", "no_time"),
        ("in a bit call", "no_time"),
        ("   ", "no_time"),
        ("", "no_time"),
        ("yesterday 9am bring the draft", "past"),
        ("2020-01-01 08:00 send notice", "past"),
        ("last friday x", "past"),
        ("today 9am x", "past"),
        ("today x", "past"),  # 09:00 default already passed
        ("in 0 minutes x", "past"),
        ("2026-02-31 09:00 x", "bad_date"),
        ("2026-13-01 09:00 x", "bad_date"),  # never swapped into 13 January
        ("31 February x", "bad_date"),
        ("february 30 x", "bad_date"),
        ("april 31 x", "bad_date"),
        ("2/31 x", "bad_date"),
        ("tuesday dec 3 x", "weekday_mismatch"),
        ("tomorrow 25:00 x", "bad_time"),
        ("tomorrow 13pm x", "bad_time"),
        ("tomorrow 9:75 x", "bad_time"),
        ("tomorrow at 24 x", "bad_time"),
        ("tomorrow 9am", "empty_message"),
        ("tomorrow 9am   ", "empty_message"),
        ("tomorrow 9am - ", "empty_message"),
        ("every monday 8am", "empty_message"),
        ("2027-12-25 x", "too_far"),
        ("in 2 years x", "too_far"),
        ("in 999999 days x", "too_far"),
        ("feb 29 x", "too_far"),  # the next 29 February is in 2028
        ("every 0 days x", "bad_interval"),
        ("every 60 weeks x", "bad_interval"),
        ("every month team sync", "bad_month_day"),
        ("every month on the 31st x", "bad_month_day"),
        ("every time the bell rings", "bad_recurrence"),
        ("every 2 months x", "bad_recurrence"),
        ("2h call mom", "no_time"),  # not 02:00
        ("days 3rd months call", "no_time"),  # not a date phrase opener
    ],
)
def test_refusals(text: str, code: str) -> None:
    error = refused(text)
    assert error.code == code
    assert "\n" not in str(error) and "`" in str(error)  # one line with an example


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ayer a las 9 x", "past"),
        ("31 de febrero x", "bad_date"),
        ("mañana a las 9", "empty_message"),
        ("llevar el borrador", "no_time"),
        ("el martes pasado x", "past"),
    ],
)
def test_spanish_refusals_are_in_spanish(text: str, code: str) -> None:
    error = refused(text, "es")
    assert error.code == code
    assert "p. ej." in str(error) or "Prueba" in str(error)


def test_message_length_limit() -> None:
    ok = parse("tomorrow 9am " + "a" * REMINDER_TEXT_MAX)
    assert len(ok.message) == REMINDER_TEXT_MAX
    assert refused("tomorrow 9am " + "a" * (REMINDER_TEXT_MAX + 1)).code == "too_long"
    assert refused("tomorrow 9am " + "a" * 50_000).code == "too_long"


def test_one_year_limit_is_366_days() -> None:
    assert parse("2027-11-26 09:00 x").first_fire == chi(2027, 11, 26, 9, 0)
    assert refused("2027-11-28 09:00 x").code == "too_far"


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError) as info:
        parse_reminder("tomorrow 9am x", now=datetime(2026, 1, 1), tz=CHI)
    assert not isinstance(info.value, TimeError)


def test_other_language_tags_fall_back_sensibly() -> None:
    assert parse("mañana a las 9 x", "es-MX").first_fire == chi(2026, 11, 27, 9, 0)
    assert parse("tomorrow 9am x", "fr").first_fire == chi(2026, 11, 27, 9, 0)


def test_now_in_another_zone_is_accepted() -> None:
    local_now = NOW.astimezone(ZoneInfo("Asia/Tokyo"))
    assert parse("tomorrow 9am x", now=local_now).first_fire == chi(2026, 11, 27, 9, 0)


def test_frozen_clock_with_time_machine() -> None:
    with time_machine.travel(NOW, tick=False):
        parsed = parse_reminder("in 5 seconds hello", now=datetime.now(UTC), tz=CHI)
    assert parsed.first_fire == NOW + timedelta(seconds=5)


# -- daylight saving in one-off phrases ----------------------------------------------------------
def test_one_off_in_the_spring_forward_gap_fires_after_the_jump() -> None:
    now = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    parsed = parse("tomorrow 2:30am x", now=now, tz=NY)
    assert parsed.first_fire == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert parsed.first_fire.astimezone(NY).hour == 3


def test_one_off_in_the_repeated_autumn_hour_fires_at_the_first() -> None:
    now = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    parsed = parse("tomorrow 1:30am x", now=now, tz=NY)
    assert parsed.first_fire == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT


def test_in_days_keeps_wall_clock_across_dst_but_hours_are_elapsed() -> None:
    now = datetime(2026, 3, 7, 14, 0, tzinfo=UTC)  # Saturday 09:00 EST
    assert parse("in 2 days x", now=now, tz=NY).first_fire == datetime(
        2026, 3, 9, 13, 0, tzinfo=UTC
    )  # Monday 09:00 EDT
    assert parse("in 48 hours x", now=now, tz=NY).first_fire == now + timedelta(hours=48)
