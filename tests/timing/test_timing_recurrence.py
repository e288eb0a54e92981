"""Recurrence: next_fire across daylight-saving changes, cron, JSON, describe, the trigger."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.timing import (
    Recurrence,
    TimeError,
    cron_recurrence,
    describe,
    next_fire,
    parse_reminder,
)

NY = ZoneInfo("America/New_York")
CHI = ZoneInfo("America/Chicago")
MAD = ZoneInfo("Europe/Madrid")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def fires(rec: Recurrence, after: datetime, count: int) -> list[datetime]:
    out: list[datetime] = []
    for _ in range(count):
        nxt = next_fire(rec, after)
        assert nxt is not None
        out.append(nxt)
        after = nxt
    return out


# -- DST: the product rule is "same wall-clock time" -------------------------------------------
def test_every_monday_8am_new_york_across_both_changes() -> None:
    parsed = parse_reminder("every monday 8am check caseload", now=utc(2026, 2, 26, 17, 0), tz=NY)
    rec = parsed.recurrence
    assert rec is not None
    spring = fires(rec, utc(2026, 2, 26), 3)
    assert spring == [utc(2026, 3, 2, 13), utc(2026, 3, 9, 12), utc(2026, 3, 16, 12)]
    autumn = fires(rec, utc(2026, 10, 20), 3)
    assert autumn == [utc(2026, 10, 26, 12), utc(2026, 11, 2, 13), utc(2026, 11, 9, 13)]
    for fire in spring + autumn:
        local = fire.astimezone(NY)
        assert (local.weekday(), local.hour, local.minute) == (0, 8, 0)


def test_every_two_weeks_new_york_across_both_changes() -> None:
    # Thursday 26 Feb 2026, 12:00 EST -> anchored at Friday 27 Feb 08:00.
    parsed = parse_reminder("every 2 weeks at 8am sync", now=utc(2026, 2, 26, 17), tz=NY)
    rec = parsed.recurrence
    assert rec is not None and parsed.first_fire == utc(2026, 2, 27, 13)
    assert fires(rec, parsed.first_fire, 2) == [utc(2026, 3, 13, 12), utc(2026, 3, 27, 12)]
    autumn = fires(rec, utc(2026, 10, 20), 2)
    assert autumn == [utc(2026, 10, 23, 12), utc(2026, 11, 6, 13)]


def test_every_two_weeks_without_time_keeps_wall_clock() -> None:
    parsed = parse_reminder("every 2 weeks sync", now=utc(2026, 2, 26, 19, 45), tz=NY)
    rec = parsed.recurrence
    assert rec is not None
    assert parsed.first_fire == utc(2026, 3, 12, 18, 45)  # 14:45 EDT, was 14:45 EST
    assert parsed.first_fire.astimezone(NY).time() == time(14, 45)


def test_daily_chicago_across_both_changes() -> None:
    rec = Recurrence.daily(9, 0, "America/Chicago")
    assert fires(rec, utc(2026, 3, 6, 20), 3) == [
        utc(2026, 3, 7, 15), utc(2026, 3, 8, 14), utc(2026, 3, 9, 14),
    ]  # fmt: skip
    assert fires(rec, utc(2026, 10, 30, 20), 3) == [
        utc(2026, 10, 31, 14), utc(2026, 11, 1, 15), utc(2026, 11, 2, 15),
    ]  # fmt: skip


def test_every_day_interval_chicago_across_spring_change() -> None:
    rec = Recurrence.interval(1, "days", datetime(2026, 3, 6, 9, 0), "America/Chicago")
    assert fires(rec, utc(2026, 3, 1), 4) == [
        utc(2026, 3, 6, 15), utc(2026, 3, 7, 15), utc(2026, 3, 8, 14), utc(2026, 3, 9, 14),
    ]  # fmt: skip


def test_madrid_weekly_and_interval_across_european_changes() -> None:
    # Europe switches on 29 March and 25 October 2026.
    weekly = Recurrence.weekly({0}, 8, 0, "Europe/Madrid")
    assert fires(weekly, utc(2026, 3, 20), 2) == [utc(2026, 3, 23, 7), utc(2026, 3, 30, 6)]
    assert fires(weekly, utc(2026, 10, 15), 2) == [utc(2026, 10, 19, 6), utc(2026, 10, 26, 7)]
    biweekly = Recurrence.interval(2, "weeks", datetime(2026, 3, 16, 8, 0), "Europe/Madrid")
    assert fires(biweekly, utc(2026, 3, 1), 2) == [utc(2026, 3, 16, 7), utc(2026, 3, 30, 6)]
    parsed = parse_reminder("cada lunes a las 8 revisar", now=utc(2026, 10, 20), tz=MAD, lang="es")
    assert parsed.recurrence == weekly
    assert parsed.first_fire == utc(2026, 10, 26, 7)


def test_nonexistent_spring_forward_time_fires_after_the_jump() -> None:
    rec = Recurrence.daily(2, 30, "America/New_York")
    got = fires(rec, utc(2026, 3, 7, 12), 2)
    assert got == [utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30)]
    assert got[0].astimezone(NY).time() == time(3, 30)


def test_repeated_autumn_time_fires_once_at_the_first_occurrence() -> None:
    rec = Recurrence.daily(1, 30, "America/New_York")
    got = fires(rec, utc(2026, 10, 31, 12), 2)
    assert got == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]
    # Asked during the repeated hour, after the first 01:30, it does not fire again that night.
    assert next_fire(rec, utc(2026, 11, 1, 6, 10)) == utc(2026, 11, 2, 6, 30)
    assert next_fire(rec, utc(2026, 11, 1, 6, 30)) == utc(2026, 11, 2, 6, 30)


def test_raw_apscheduler_repeats_the_autumn_hour_which_is_why_we_wrap_it() -> None:
    """Documents the library behaviour recurrence.py works around; if APScheduler fixes it this
    test may start failing, and the workaround stays correct."""
    trigger = CronTrigger(hour=1, minute=30, timezone=NY)
    first = trigger.get_next_fire_time(None, utc(2026, 10, 31, 12))
    assert first is not None
    second = trigger.get_next_fire_time(first, first + timedelta(microseconds=1))
    assert second is not None and second.astimezone(UTC) == utc(2026, 11, 1, 6, 30)


def test_next_fire_is_strictly_after() -> None:
    rec = Recurrence.weekly({0}, 8, 0, "America/Chicago")
    exactly = utc(2026, 11, 30, 14)
    assert next_fire(rec, exactly) == utc(2026, 12, 7, 14)
    assert next_fire(rec, exactly - timedelta(microseconds=1)) == exactly


def test_naive_after_is_refused() -> None:
    with pytest.raises(ValueError):
        next_fire(Recurrence.daily(9, 0, "UTC"), datetime(2026, 1, 1))


# -- property: weekly recurrences anywhere, any time -----------------------------------------
ZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "Europe/Madrid",
    "Australia/Lord_Howe", "America/Santiago", "America/Havana", "Pacific/Chatham",
    "Asia/Kolkata", "UTC",
]  # fmt: skip


def _is_real(wall: datetime, tz: ZoneInfo) -> bool:
    return wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall


def _expected(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=tz, fold=0).astimezone(UTC)


@settings(max_examples=400, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 1, 15, 29, 30, 45, 59]),
    after=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)),
)
def test_weekly_property(
    zone: str, weekdays: frozenset[int], hour: int, minute: int, after: datetime
) -> None:
    tz = ZoneInfo(zone)
    after = after.replace(tzinfo=UTC)
    rec = Recurrence.weekly(weekdays, hour, minute, zone)
    fire = next_fire(rec, after)
    assert fire is not None and fire.tzinfo is UTC
    assert fire > after
    local = fire.astimezone(tz)
    wanted = datetime.combine(local.date(), time(hour, minute))
    if (local.hour, local.minute) == (hour, minute):
        assert local.weekday() in weekdays
    else:
        # Only a wall-clock time inside a spring-forward gap may move, and only forwards to the
        # instant the clock would show had it not jumped (02:30 -> 03:30). The gap can push it
        # past midnight, so look at the day before too.
        candidates = [wanted, wanted - timedelta(days=1)]
        gap = [
            w
            for w in candidates
            if not _is_real(w, tz) and _expected(w.date(), hour, minute, tz) == fire
        ]
        assert gap, (fire, local)
        assert gap[0].weekday() in weekdays
    # Minimal: no matching day between `after` and `fire` fires earlier.
    day = after.astimezone(tz).date() - timedelta(days=1)
    while day <= local.date():
        if day.weekday() in weekdays:
            candidate = _expected(day, hour, minute, tz)
            assert not (after < candidate < fire), (day, candidate, fire)
        day += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    every=st.integers(1, 8),
    unit=st.sampled_from(["days", "weeks"]),
    anchor=st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2030, 1, 1)),
    offset=st.timedeltas(min_value=timedelta(days=-30), max_value=timedelta(days=800)),
)
def test_interval_property(
    zone: str, every: int, unit: str, anchor: datetime, offset: timedelta
) -> None:
    tz = ZoneInfo(zone)
    anchor = anchor.replace(second=0, microsecond=0)
    rec = Recurrence.interval(every, unit, anchor, zone)  # type: ignore[arg-type]
    after = anchor.replace(tzinfo=tz).astimezone(UTC) + offset
    fire = next_fire(rec, after)
    assert fire is not None and fire > after
    step = timedelta(days=every * (7 if unit == "weeks" else 1))
    steps = [anchor + k * step for k in range(0, 1000)]
    instants = [w.replace(tzinfo=tz, fold=0).astimezone(UTC) for w in steps]
    assert fire == min(i for i in instants if i > after)


# -- cron ------------------------------------------------------------------------------------
def test_cron_weekday_numbers_follow_standard_cron() -> None:
    after = utc(2026, 11, 26, 12)  # Thursday
    sunday = cron_recurrence("0 9 * * 0", "America/Chicago")
    assert next_fire(sunday, after) == utc(2026, 11, 29, 15)  # Sunday, not Monday
    assert next_fire(cron_recurrence("0 9 * * 7", "America/Chicago"), after) == utc(
        2026, 11, 29, 15
    )
    monday = cron_recurrence("0 9 * * 1", "America/Chicago")
    assert next_fire(monday, after) == utc(2026, 11, 30, 15)
    workdays = cron_recurrence("30 7 * * 1-5", "America/Chicago")
    assert next_fire(workdays, utc(2026, 11, 28, 12)) == utc(2026, 11, 30, 13, 30)
    weekend = cron_recurrence("0 10 * * 6-7", "America/Chicago")
    assert next_fire(weekend, after) == utc(2026, 11, 28, 16)
    assert next_fire(weekend, utc(2026, 11, 28, 17)) == utc(2026, 11, 29, 16)
    every_other = cron_recurrence("0 9 * * */2", "UTC")  # Sun, Tue, Thu, Sat
    got = fires(every_other, utc(2026, 11, 22, 10), 4)  # after Sunday 09:00
    assert [f.weekday() for f in got] == [1, 3, 5, 6]


def test_cron_names_macros_and_dst() -> None:
    rec = cron_recurrence("0 8 * * MON", "america/new_york")
    assert rec.tz == "America/New_York" and rec.cron == "0 8 * * mon"
    assert fires(rec, utc(2026, 3, 1), 2) == [utc(2026, 3, 2, 13), utc(2026, 3, 9, 12)]
    weekly = cron_recurrence("@weekly", "UTC")
    assert weekly.cron == "0 0 * * 0"
    assert next_fire(weekly, utc(2026, 11, 26)) == utc(2026, 11, 29)
    monthly = cron_recurrence("0 9 1 * *", "Central")
    assert next_fire(monthly, utc(2026, 11, 26)) == utc(2026, 12, 1, 15)
    leap = cron_recurrence("0 0 29 2 *", "UTC")
    assert next_fire(leap, utc(2026, 1, 1)) == utc(2028, 2, 29)


def test_cron_every_minute_through_the_autumn_hour_never_repeats() -> None:
    rec = cron_recurrence("*/20 * * * *", "America/New_York")
    got = fires(rec, utc(2026, 11, 1, 5, 0), 9)
    assert got == sorted(set(got))
    local = [f.astimezone(NY).strftime("%H:%M") for f in got]
    assert len(local) == len(set(local))  # 01:20 EDT fires; 01:20 EST does not


@pytest.mark.parametrize(
    ("expr", "code"),
    [
        ("* * *", "bad_cron"),
        ("", "bad_cron"),
        ("61 * * * *", "bad_cron"),
        ("0 25 * * *", "bad_cron"),
        ("0 9 * 13 *", "bad_cron"),
        ("0 9 * * 8", "bad_cron"),
        ("0 9 L * *", "bad_cron"),
        ("0 9 last * *", "bad_cron"),
        ("0 9 * * mon#2", "bad_cron"),
        ("0 9 ? * mon", "bad_cron"),
        ("0 9 * * fri-mon", "bad_cron"),
        ("0 9 * * 1 extra", "bad_cron"),
        ("0 9 1 * mon", "cron_dom_and_dow"),
        ("0 0 30 2 *", "cron_never"),
    ],
)
def test_bad_cron_is_refused(expr: str, code: str) -> None:
    with pytest.raises(TimeError) as info:
        cron_recurrence(expr, "America/Chicago")
    assert info.value.code == code
    assert "\n" not in str(info.value) and "`0 9" in str(info.value)


def test_cron_with_unknown_zone() -> None:
    with pytest.raises(TimeError) as info:
        cron_recurrence("0 9 * * 1", "Mars/Olympus")
    assert info.value.code == "bad_zone"


# -- JSON ------------------------------------------------------------------------------------
ALL_KINDS = [
    Recurrence.weekly({0, 2, 4}, 8, 30, "America/Chicago"),
    Recurrence.daily(9, 0, "Europe/Madrid"),
    Recurrence.on_weekdays(7, 30, "America/New_York"),
    Recurrence.interval(2, "weeks", datetime(2026, 12, 10, 15, 37, 44), "America/Chicago"),
    Recurrence.interval(3, "days", datetime(2026, 12, 10, 8, 0), "UTC"),
    cron_recurrence("0 9 1 * *", "America/Denver"),
]


@pytest.mark.parametrize("rec", ALL_KINDS, ids=lambda r: r.kind)
def test_json_round_trip(rec: Recurrence) -> None:
    text = rec.to_json()
    assert Recurrence.from_json(text) == rec
    assert Recurrence.from_json(text).to_json() == text
    assert "\n" not in text
    assert pickle.loads(pickle.dumps(rec)) == rec


def test_interval_anchor_is_whole_minutes() -> None:
    rec = ALL_KINDS[3]
    assert rec.anchor == datetime(2026, 12, 10, 15, 37)


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"v": 2, "kind": "daily", "tz": "UTC", "hour": 9, "minute": 0}',
        '{"v": 1, "kind": "hourly", "tz": "UTC"}',
        '{"v": 1, "kind": "daily", "tz": "Nowhere/Else", "hour": 9, "minute": 0}',
        '{"v": 1, "kind": "daily", "tz": "UTC", "hour": 24, "minute": 0}',
        '{"v": 1, "kind": "daily", "tz": "UTC", "hour": "9", "minute": 0}',
        '{"v": 1, "kind": "weekly", "tz": "UTC", "hour": 9, "minute": 0, "weekdays": []}',
        '{"v": 1, "kind": "weekly", "tz": "UTC", "hour": 9, "minute": 0, "weekdays": [7]}',
        '{"v": 1, "kind": "interval", "tz": "UTC", "every": 0, "unit": "days",'
        ' "anchor": "2026-01-01T09:00:00"}',
        '{"v": 1, "kind": "interval", "tz": "UTC", "every": 1, "unit": "months",'
        ' "anchor": "2026-01-01T09:00:00"}',
        '{"v": 1, "kind": "interval", "tz": "UTC", "every": 1, "unit": "days",'
        ' "anchor": "2026-01-01T09:00:00+00:00"}',
        '{"v": 1, "kind": "cron", "tz": "UTC", "cron": "nope"}',
    ],
)
def test_from_json_rejects_bad_rows(text: str) -> None:
    with pytest.raises(ValueError):
        Recurrence.from_json(text)


# -- describe ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rec", "en", "es"),
    [
        (Recurrence.weekly({0}, 8, 0, "America/Chicago"),
         "every Monday at 08:00 (America/Chicago)", "cada lunes a las 08:00 (America/Chicago)"),
        (Recurrence.weekly({0, 2, 4}, 13, 5, "UTC"),
         "every Monday, Wednesday and Friday at 13:05 (UTC)",
         "cada lunes, miércoles y viernes a las 13:05 (UTC)"),
        (Recurrence.daily(1, 0, "UTC"), "every day at 01:00 (UTC)", "cada día a la 01:00 (UTC)"),
        (Recurrence.on_weekdays(7, 30, "UTC"),
         "every weekday (Monday to Friday) at 07:30 (UTC)",
         "cada día laborable (de lunes a viernes) a las 07:30 (UTC)"),
        (Recurrence.interval(2, "weeks", datetime(2026, 12, 10, 15, 37), "UTC"),
         "every 2 weeks at 15:37, starting Thu 10 Dec 2026 (UTC)",
         "cada 2 semanas a las 15:37, desde el jue 10 dic 2026 (UTC)"),
        (Recurrence.interval(1, "days", datetime(2026, 12, 10, 9, 0), "UTC"),
         "every day at 09:00, starting Thu 10 Dec 2026 (UTC)",
         "cada día a las 09:00, desde el jue 10 dic 2026 (UTC)"),
        (cron_recurrence("0 9 1 * *", "UTC"), "every month on day 1 at 09:00 (UTC)",
         "cada mes el día 1 a las 09:00 (UTC)"),
        (cron_recurrence("0 9 * * 1,3", "UTC"), "every Monday and Wednesday at 09:00 (UTC)",
         "cada lunes y miércoles a las 09:00 (UTC)"),
        (cron_recurrence("30 6 * * *", "UTC"), "every day at 06:30 (UTC)",
         "cada día a las 06:30 (UTC)"),
        (cron_recurrence("*/15 9-17 * * 1-5", "UTC"),
         "on the cron schedule `*/15 9-17 * * 1-5` (UTC)",
         "según el horario cron `*/15 9-17 * * 1-5` (UTC)"),
    ],
)  # fmt: skip
def test_describe(rec: Recurrence, en: str, es: str) -> None:
    assert describe(rec) == en
    assert describe(rec, "en") == en
    assert describe(rec, "es") == es
