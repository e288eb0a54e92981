"""Edge cases: breaks, the end of the school year, overdue dates, and bad input."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from content.deadlines import (
    DeadlineInputError,
    SchoolCalendar,
    compute_deadlines,
    load_school_calendar,
)

EARLY = date(2020, 1, 1)


def test_calendar_day_due_on_a_closure_is_reported_not_moved(sample: SchoolCalendar) -> None:
    # Consent Thu 22 Oct 2026: 9 days to 31 Oct, 30 in November (39), 21 Dec is day 60.
    report = compute_deadlines("consent", date(2026, 10, 22), calendar=sample, today=EARLY)
    (evaluation,) = report.deadlines
    assert evaluation.due == date(2026, 12, 21)
    assert evaluation.notes == (
        "falls on a school closure (Winter break); the law does not move it",
    )


def test_calendar_day_due_in_summer_on_a_weekend(sample: SchoolCalendar) -> None:
    report = compute_deadlines("eligibility", date(2027, 5, 20), calendar=sample, today=EARLY)
    (meeting,) = report.deadlines
    assert meeting.due == date(2027, 6, 19)
    assert meeting.notes == (
        "falls on a Saturday and in the summer break; the law does not move it",
    )


def test_consent_inside_winter_break(sample: SchoolCalendar) -> None:
    # Federal: plain calendar days. 23 Dec + 8 = 31 Dec, + 31 = 31 Jan (39), + 21 = Sun 21 Feb.
    federal = compute_deadlines("consent", date(2026, 12, 23), calendar=sample, today=EARLY)
    assert federal.deadlines[0].due == date(2027, 2, 21)
    assert "falls on a Sunday; the law does not move it" in federal.deadlines[0].notes
    # Texas: school days start after the break. 4-8 Jan (5), 11-15 (10), 19-22 (14, MLK),
    # 25-29 (19), 1-5 Feb (24), 8-12 (29), 16-19 (33, Presidents' Day), 22-26 (38),
    # 1-5 Mar (43), 8-9 Mar (45).
    texas = compute_deadlines(
        "consent", date(2026, 12, 23), state="TX", calendar=sample, today=EARLY
    )
    assert texas.deadlines[0].due == date(2027, 3, 9)
    # California: the clock is stopped until the break ends; 2 Jan is day 1 -> Tue 2 Mar.
    california = compute_deadlines(
        "consent", date(2026, 12, 23), state="CA", calendar=sample, today=EARLY
    )
    assert california.deadlines[0].due == date(2027, 3, 2)


def test_consent_before_the_first_day_counts_from_the_first_day(sample: SchoolCalendar) -> None:
    # 19-21 Aug (3), 24-28 (8), 31 Aug-4 Sep (13), 8-11 Sep (17), then 22, 27, 32 (2 Oct),
    # 5-8 Oct (36), 12-16 (41), 19-22 Oct (45).
    report = compute_deadlines(
        "consent", date(2026, 7, 1), state="TX", calendar=sample, today=EARLY
    )
    evaluation = report.deadlines[0]
    assert evaluation.due == date(2026, 10, 22)
    assert "the count skips the summer and resumes on 2026-08-19" in evaluation.notes


def test_count_past_the_last_day_without_next_year_is_refused(write_calendar) -> None:
    calendar = load_school_calendar(
        write_calendar("name: Short\nfirst_day: 2026-08-19\nlast_day: 2027-06-03\n")
    )
    with pytest.raises(DeadlineInputError) as caught:
        compute_deadlines("consent", date(2027, 5, 10), state="TX", calendar=calendar, today=EARLY)
    assert str(caught.value) == (
        "the 45th school day after 2027-05-10 falls after the last day of school (2027-06-03)"
        " and the calendar file has no next_first_day; add the first day of the next school"
        " year to count past the summer"
    )
    # A pausing clock cannot know when summer ends either.
    with pytest.raises(DeadlineInputError, match="falls after the last day of school"):
        compute_deadlines("consent", date(2027, 5, 10), state="PA", calendar=calendar, today=EARLY)
    # The federal calendar-day rule needs no school days: it still answers.
    report = compute_deadlines("consent", date(2027, 5, 10), calendar=calendar, today=EARLY)
    assert report.deadlines[0].due == date(2027, 7, 9)


def test_dates_the_calendar_does_not_describe_are_refused(sample: SchoolCalendar) -> None:
    with pytest.raises(DeadlineInputError, match="is in the next school year"):
        compute_deadlines("consent", date(2027, 9, 1), state="TX", calendar=sample, today=EARLY)
    with pytest.raises(DeadlineInputError, match="long before the school year"):
        compute_deadlines("consent", date(2025, 3, 1), state="MN", calendar=sample, today=EARLY)


def test_birthdate_long_ago_shows_only_recent_dates() -> None:
    # Issue 14 changed this test: a 16-year-old's answer used to list the Part C dates of 2012
    # and 2013 as overdue. Now only dates ahead or passed in the last 90 days are shown.
    report = compute_deadlines("birthdate", date(2010, 3, 1), today=date(2026, 3, 20))
    got = {d.id: d for d in report.deadlines}
    assert list(got) == ["transition_services"]
    services = got["transition_services"]
    assert services.due == date(2026, 2, 28)  # the day before the 16th birthday
    assert services.overdue
    assert "overdue since 2026-02-28" in services.notes
    assert report.notes == [
        "3 earlier dates passed more than 90 days ago (before 2025-12-20) and are not shown."
    ]


def test_window_start_is_never_overdue() -> None:
    # The start of a window is never "overdue": it opened.
    report = compute_deadlines("birthdate", date(2010, 3, 1), today=date(2012, 6, 10))
    got = {d.id: d for d in report.deadlines}
    earliest = got["transition_conference_earliest"]
    assert not earliest.overdue
    assert "this window opened on 2012-06-01" in earliest.notes


def test_due_today_is_not_overdue() -> None:
    report = compute_deadlines("consent", date(2026, 9, 15), today=date(2026, 11, 14))
    assert not report.deadlines[0].overdue
    report = compute_deadlines("consent", date(2026, 9, 15), today=date(2026, 11, 15))
    assert report.deadlines[0].overdue


@time_machine.travel(datetime(2026, 11, 26, 12, 0), tick=False)
def test_today_defaults_to_the_current_date() -> None:
    report = compute_deadlines("consent", date(2026, 9, 15))
    assert report.deadlines[0].overdue


def test_leap_day_birthdays() -> None:
    report = compute_deadlines("birthdate", date(2024, 2, 29), today=EARLY)
    got = {d.id: d for d in report.deadlines}
    assert got["iep_by_third_birthday"].due == date(2027, 2, 28)
    assert got["transition_conference"].due == date(2026, 11, 30)
    # 2040 is a leap year: the 16th birthday is 29 Feb, the IEP in effect then is due the 28th.
    assert got["transition_services"].due == date(2040, 2, 28)


@pytest.mark.parametrize(
    ("event", "state", "message"),
    [
        (
            "signature",
            None,
            "unknown event 'signature'; use one of: referral, consent, eligibility, iep,"
            " evaluation, birthdate",
        ),
        ("consent", "XX", "unknown state 'XX'; use a two-letter code such as TX"),
        ("consent", "Texxas", "unknown state 'TEXXAS'"),
    ],
)
def test_unknown_event_or_state(event: str, state: str | None, message: str) -> None:
    with pytest.raises(DeadlineInputError) as caught:
        compute_deadlines(event, date(2026, 9, 15), state=state, today=EARLY)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_event_and_state_are_case_insensitive_and_names_work() -> None:
    report = compute_deadlines(" Consent ", date(2026, 9, 15), state=" tx", today=EARLY)
    assert (report.event, report.state) == ("consent", "TX")
    assert compute_deadlines("iep", date(2026, 9, 15), state="Texas", today=EARLY).state == "TX"
    named = compute_deadlines("iep", date(2026, 9, 15), state="new_jersey", today=EARLY)
    assert named.state == "NJ"


def test_a_datetime_is_not_a_date() -> None:
    with pytest.raises(DeadlineInputError, match="must be a calendar date"):
        compute_deadlines("consent", datetime(2026, 9, 15, 10, 0), today=EARLY)  # type: ignore[arg-type]


def test_report_json_shape(sample: SchoolCalendar) -> None:
    report = compute_deadlines(
        "consent", date(2026, 9, 15), state="TX", calendar=sample, today=EARLY
    )
    data = report.to_json_dict()
    assert list(data) == ["event", "date", "state", "deadlines", "notes"]  # notes: issue 14
    assert (data["event"], data["date"], data["state"]) == ("consent", "2026-09-15", "TX")
    first = data["deadlines"][0]
    assert {"id", "title", "due", "basis", "citation"} <= set(first)
    assert first["due"] == "2026-11-19"
    assert first["weekday"] == "Thursday"


def test_part_c_dates_ignore_school_closures_but_not_weekends(sample: SchoolCalendar) -> None:
    # Referral Mon 9 Nov 2026 + 45 days = Thu 24 Dec, inside winter break: early intervention
    # does not follow the school calendar, so nothing to say.
    report = compute_deadlines("referral", date(2026, 11, 9), calendar=sample, today=EARLY)
    assert (report.deadlines[0].due, report.deadlines[0].notes) == (date(2026, 12, 24), ())
    born = compute_deadlines("birthdate", date(2010, 3, 1), today=date(2010, 3, 1))
    latest = next(d for d in born.deadlines if d.id == "transition_conference")
    assert latest.due == date(2012, 12, 1)
    assert latest.notes == ("falls on a Saturday; the law does not move it",)


@pytest.mark.parametrize("on", [date(9999, 12, 31), date(1, 1, 1)])
def test_far_off_years_are_refused_not_overflowed(on: date) -> None:
    with pytest.raises(DeadlineInputError, match="is out of range; use a date from 1900 to 2199"):
        compute_deadlines("birthdate", on, today=EARLY)
