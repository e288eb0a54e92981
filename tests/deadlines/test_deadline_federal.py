"""Hand-checked federal examples, one or more per rule, counted on paper.

Consent on Tue 15 Sep 2026: 15 days to 30 Sep, 31 in October (46), 14 in November -> Sat 14 Nov.
"""

from __future__ import annotations

from datetime import date

import pytest

from content.deadlines import compute_deadlines

EARLY = date(2020, 1, 1)  # before every example: nothing is overdue unless a test says so


def _one(event: str, on: date, **kwargs) -> dict[str, date]:
    report = compute_deadlines(event, on, today=kwargs.pop("today", EARLY), **kwargs)
    return {d.id: d.due for d in report.deadlines}


def test_initial_evaluation_60_days_from_consent() -> None:
    report = compute_deadlines("consent", date(2026, 9, 15), today=EARLY)
    (deadline,) = report.deadlines
    assert deadline.id == "initial_evaluation"
    assert deadline.due == date(2026, 11, 14)
    assert deadline.weekday == "Saturday"
    assert deadline.basis == "60 calendar days after consent"
    assert deadline.citation == "34 CFR 300.301(c)(1)"
    assert deadline.notes == ("falls on a Saturday; the law does not move it",)
    assert not deadline.overdue


@pytest.mark.parametrize(
    ("on", "due"),
    [
        (date(2026, 1, 31), date(2026, 4, 1)),  # 28-day February: 28 + 31 + 1
        (date(2028, 1, 31), date(2028, 3, 31)),  # leap February: 29 + 31
        (date(2026, 12, 15), date(2027, 2, 13)),  # across New Year: 16 + 31 + 13
    ],
)
def test_initial_evaluation_across_month_and_year_ends(on: date, due: date) -> None:
    assert _one("consent", on) == {"initial_evaluation": due}


def test_iep_meeting_30_days_from_eligibility() -> None:
    report = compute_deadlines("eligibility", date(2026, 10, 1), today=EARLY)
    (deadline,) = report.deadlines
    assert (deadline.id, deadline.due) == ("iep_meeting", date(2026, 10, 31))
    assert deadline.citation == "34 CFR 300.323(c)(1)"


def test_annual_review_12_months() -> None:
    assert _one("iep", date(2026, 3, 10)) == {"annual_review": date(2027, 3, 10)}
    assert _one("iep", date(2026, 12, 31)) == {"annual_review": date(2027, 12, 31)}


def test_annual_review_of_a_leap_day_iep_is_28_february() -> None:
    report = compute_deadlines("iep", date(2028, 2, 29), today=EARLY)
    (deadline,) = report.deadlines
    assert deadline.due == date(2029, 2, 28)
    assert deadline.citation == "34 CFR 300.324(b)(1)(i)"
    assert "2029 has no 29 February" in deadline.notes[0]


def test_reevaluation_3_years() -> None:
    assert _one("evaluation", date(2026, 8, 31)) == {"reevaluation": date(2029, 8, 31)}
    assert _one("evaluation", date(2028, 2, 29)) == {"reevaluation": date(2031, 2, 28)}


def test_part_c_ifsp_meeting_45_days_from_referral() -> None:
    report = compute_deadlines("referral", date(2026, 9, 15), today=EARLY)
    (deadline,) = report.deadlines
    assert (deadline.due, deadline.weekday) == (date(2026, 10, 30), "Friday")
    assert deadline.citation == "34 CFR 303.310(a)"


def test_birthdate_gives_transition_window_age_3_and_age_16() -> None:
    # Born 10 May 2024. Third birthday 10 May 2027; 90 days back: 10 days of May, 30 of April,
    # 31 of March -> 10 March is 61 days back, 19 more days of February -> 9 February 2027.
    report = compute_deadlines("birthdate", date(2024, 5, 10), today=EARLY)
    got = {d.id: d for d in report.deadlines}
    assert got["transition_conference_earliest"].due == date(2026, 8, 10)
    assert got["transition_conference_earliest"].kind == "window_start"
    assert got["transition_conference"].due == date(2027, 2, 9)
    assert got["transition_conference"].citation == "34 CFR 303.209(c)(1)"
    assert got["iep_by_third_birthday"].due == date(2027, 5, 10)
    assert got["iep_by_third_birthday"].citation == "34 CFR 300.124(b)"
    # Issue 14: 34 CFR 300.320(b) asks for transition content in the IEP in effect when the
    # student turns 16, i.e. the IEP written before the birthday: due the day before it.
    assert got["transition_services"].due == date(2040, 5, 9)
    assert got["transition_services"].citation == "34 CFR 300.320(b)"
    assert got["transition_services"].basis == (
        "IEP in effect when the student turns 16; due the day before"
    )
    assert [d.id for d in report.deadlines] == [
        "transition_conference_earliest",
        "transition_conference",
        "iep_by_third_birthday",
        "transition_services",
    ]


def test_every_federal_rule_is_cited_with_a_link() -> None:
    events = ("referral", "consent", "eligibility", "iep", "evaluation", "birthdate")
    ids = set()
    for event in events:
        for deadline in compute_deadlines(event, date(2026, 9, 15), today=EARLY).deadlines:
            assert deadline.citation.startswith("34 CFR 30")
            assert deadline.source.startswith("https://www.ecfr.gov/")
            assert deadline.plain
            ids.add(deadline.id)
    assert ids == {
        "initial_evaluation",
        "iep_meeting",
        "annual_review",
        "reevaluation",
        "ifsp_meeting",
        "transition_conference_earliest",
        "transition_conference",
        "iep_by_third_birthday",
        "transition_services",
    }
