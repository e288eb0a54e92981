"""Issue 14: the Texas, California and Illinois rules to the letter, honest wording, the
request event and --explain. Each test quotes the rule it checks.

Sample calendar (Maple Valley, 2026-27): last day of school Thu 3 Jun 2027, next year from
Wed 18 Aug 2027; closed 31 May (Memorial Day) and 6 Sep 2027 (Labor Day); spring break
22-26 Mar 2027. School days left after a date = school days from the next day to 3 Jun.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine

from bots.deadlines_cli import add_deadlines_parser, run_deadlines
from bots.verbs.deadlines import deadlines_verb
from content.deadlines import SchoolCalendar, compute_deadlines

EARLY = date(2020, 1, 1)
SAMPLE = Path(__file__).parents[2] / "content" / "deadlines" / "data" / "sample_calendar.yaml"


def got(state: str | None, event: str, on: date, calendar=None, today=EARLY, **kw):
    report = compute_deadlines(event, on, state=state, calendar=calendar, today=today, **kw)
    return {d.id: d for d in report.deadlines}


# --- Texas: Tex. Educ. Code 29.004 ---------------------------------------------------------
# (a-1) "at least 35 but less than 45 school days before the last instructional day of the
# school year, the evaluation must be completed and the written report ... provided to the
# parent ... not later than June 30 of that year."
# School days left after Wed 14 Apr 2027: 15-16 Apr (2), then 19 Apr-3 Jun = 33 -> 35.
# After Thu 1 Apr 2027: 2 Apr, 5-9, 12-16 Apr (11), 35 - 2 (13-14 Apr) + 11... counted by the
# engine and shown in --explain; 1 Apr leaves 44, 31 Mar leaves 45.


def test_texas_june_30_rule_changes_the_date_with_a_calendar(sample: SchoolCalendar) -> None:
    tx = got("TX", "consent", date(2027, 4, 14), sample)
    report = tx["initial_evaluation"]
    assert report.due == date(2027, 6, 30)
    assert any(
        note.startswith("35 school days were left in the school year") for note in report.notes
    )
    assert (
        "Days left in the school year after 2027-04-14: 35 school days (last day 2027-06-03)."
        in report.explain
    )
    # 29.004(a-1): the ARD committee meets "not later than the 15th school day of the following
    # school year": 30 June + 30 days is in the summer -> 18-20 Aug (3), 23-27 (8), 30 Aug-3
    # Sep (13), 6 Sep closed, 7 Sep (14), Wed 8 Sep (15).
    assert tx["ard_meeting"].due == date(2027, 9, 8)


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        (date(2027, 4, 1), date(2027, 6, 30)),  # 44 school days left: June 30
        (date(2027, 3, 31), date(2027, 6, 3)),  # 45 left: the 45th school day is the last day
        # 34 left: (a)(1) counts on after the summer: 34 + 18-20 Aug (37), 23-27 (42),
        # 30 Aug-1 Sep (45).
        (date(2027, 4, 15), date(2027, 9, 1)),
    ],
)
def test_texas_june_30_rule_boundaries(
    sample: SchoolCalendar, consent: date, expected: date
) -> None:
    assert got("TX", "consent", consent, sample)["initial_evaluation"].due == expected


def test_texas_absences_extend_the_count_and_cancel_june_30(sample: SchoolCalendar) -> None:
    # 29.004(a)(1): "if a student has been absent from school during that period on three or
    # more days, that period must be extended by a number of school days equal to the number
    # of school days during that period on which the student has been absent". Consent 14 Apr
    # with 3 absences: 48 school days = 35 to 3 Jun + 18-20 Aug (38), 23-27 (43), 30 Aug-3 Sep.
    tx = got("TX", "consent", date(2027, 4, 14), sample, absences=3)
    assert tx["initial_evaluation"].due == date(2027, 9, 3)
    assert any("extended by 3 school days" in n for n in tx["initial_evaluation"].notes)
    # Two absences do not extend it, and the June 30 rule stands.
    assert got("TX", "consent", date(2027, 4, 14), sample, absences=2)[
        "initial_evaluation"
    ].due == date(2027, 6, 30)
    # Without a calendar: 45 + 4 weekdays after Tue 15 Sep 2026 -> Mon 23 Nov 2026.
    assert got("TX", "consent", date(2026, 9, 15), None, absences=4)[
        "initial_evaluation"
    ].due == date(2026, 11, 23)


def test_texas_ard_summer_rule_and_esy(sample: SchoolCalendar) -> None:
    # 19 TAC 89.1011(g) as amended in 2024: "If the 30th day falls during the summer and school
    # is not in session, the ARD committee must meet not later than the 15th school day of the
    # following school year"; if the report shows ESY is needed, "as expeditiously as possible".
    ard = got("TX", "consent", date(2027, 3, 15), sample)["ard_meeting"]
    assert ard.due == date(2027, 9, 8)
    assert any("extended school year (ESY)" in note for note in ard.notes)
    assert "(its first day, 2027-08-18, is day 1) is 2027-09-08 (Wednesday)" in ard.explain[-1]


def test_texas_ard_summer_rule_without_a_calendar_is_honest() -> None:
    # 45 weekdays after Mon 15 Mar 2027: 16-19 Mar (4), eight full weeks (44) to 14 May,
    # Mon 17 May (45); +30 -> Wed 16 Jun: maybe in the summer, which only a calendar knows.
    ard = got("TX", "consent", date(2027, 3, 15))["ard_meeting"]
    assert ard.due == date(2027, 6, 16)
    assert ard.uncertain
    assert any(
        "if 2027-06-16 falls in the summer break, the rule moves it to the 15th school day" in note
        for note in ard.notes
    )


# --- Transition: "in effect when the student turns N" ---------------------------------------


@pytest.mark.parametrize(
    ("state", "age", "due", "title"),
    [
        (None, "16", date(2028, 5, 9), "Transition goals and services in the IEP in effect at 16"),
        ("TX", "14", date(2026, 5, 9), "Transition planning in the IEP in effect at 14"),
        (
            "IL",
            "14 1/2",
            date(2026, 11, 9),
            "Transition goals and services in the IEP in effect at 14 1/2",
        ),
    ],
)
def test_transition_is_the_iep_in_effect_at_the_state_age(
    state: str | None, age: str, due: date, title: str
) -> None:
    # 34 CFR 300.320(b): "the first IEP to be in effect when the child turns 16"; Tex. Educ.
    # Code 29.0111: "not later than when the student reaches 14 years of age"; 105 ILCS
    # 5/14-8.03(a-5): "the first ... IEP in effect when the student turns age 14 1/2".
    services = got(state, "birthdate", date(2012, 5, 10))["transition_services"]
    assert services.due == due  # the day before that birthday
    assert services.title == title
    assert services.basis == f"IEP in effect when the student turns {age}; due the day before"
    assert f"in the IEP in effect when the student turns {age}" in services.plain


# --- Illinois: 23 Ill. Adm. Code 226.110 -----------------------------------------------------


def test_illinois_one_rule_for_evaluation_eligibility_and_iep(sample: SchoolCalendar) -> None:
    il = got("IL", "consent", date(2026, 9, 15), sample)
    assert list(il) == ["initial_evaluation"]  # no federal "30 days after" fallback
    assert il["initial_evaluation"].title == "Evaluation, eligibility decision and IEP meeting"
    assert il["initial_evaluation"].due == date(2026, 12, 17)  # 60th school day (see states test)


def test_illinois_fewer_than_60_school_days_left(sample: SchoolCalendar) -> None:
    # "If parental consent is obtained with fewer than 60 pupil attendance days left in the
    # school year, the eligibility determination shall be made and the IEP meeting shall be
    # completed prior to the first day of the following school year." 45 left after 31 Mar.
    evaluation = got("IL", "consent", date(2027, 3, 31), sample)["initial_evaluation"]
    assert evaluation.due == date(2027, 8, 17)
    assert any(n.startswith("45 school days were left") for n in evaluation.notes)


# --- California: Educ. Code 56344(a) ---------------------------------------------------------


def test_california_year_end_rule_changes_the_date(sample: SchoolCalendar) -> None:
    # "within 30 days after the commencement of the subsequent regular school year ... for
    # each pupil for whom a referral has been made 30 days or less prior to the end of the
    # regular school year". Consent Tue 4 May 2027 is 30 days before Thu 3 Jun: 18 Aug + 30.
    assert got("CA", "consent", date(2027, 5, 4), sample)["initial_evaluation"].due == date(
        2027, 9, 17
    )
    # 31 days before: the 60 days run, summer not counted: 4 May-3 Jun = 31 days, 18 Aug is
    # day 32, day 60 is 15 Sep.
    assert got("CA", "consent", date(2027, 5, 3), sample)["initial_evaluation"].due == date(
        2027, 9, 15
    )


def test_california_without_calendar_says_the_year_end_rule_may_apply() -> None:
    evaluation = got("CA", "consent", date(2027, 5, 4))["initial_evaluation"]
    assert evaluation.uncertain
    assert any(
        "30 days or less before the end of the regular school year" in n for n in evaluation.notes
    )


# --- Honest wording ---------------------------------------------------------------------------


def test_may_be_overdue_without_a_calendar() -> None:
    # 45 weekdays after Tue 15 Sep 2026 is Tue 17 Nov; on 20 Nov it has passed, but holidays
    # were not skipped, so the real date may be later: "may be overdue", never "overdue since".
    evaluation = got("TX", "consent", date(2026, 9, 15), today=date(2026, 11, 20))[
        "initial_evaluation"
    ]
    assert evaluation.overdue and evaluation.uncertain
    notes = " ".join(evaluation.notes)
    assert "may be overdue: the counted date 2026-11-17 has passed" in notes
    assert "overdue since" not in notes
    reply = deadlines_verb("consent 2026-09-15 state=TX", date(2026, 11, 20))
    assert reply.table is not None
    assert reply.table.rows[0][0] == "2026-11-17 (Tue), may be overdue"
    # A calendar-day federal date is certain: "overdue since".
    federal = got(None, "consent", date(2026, 9, 15), today=date(2026, 11, 20))
    assert "overdue since 2026-11-14" in federal["initial_evaluation"].notes


def test_birth_date_output_of_a_10_year_old_has_no_early_intervention_noise() -> None:
    reply = deadlines_verb("birthdate 2016-11-01", date(2026, 12, 1))
    assert reply.table is not None
    titles = " ".join(row[1] for row in reply.table.rows)
    assert "Part C" not in titles and "age 3" not in titles
    assert ", overdue" not in " ".join(row[0] for row in reply.table.rows)
    assert reply.sections[0].text == (
        # the Part C window (2019-02-01), the conference (2019-08-03) and age 3 (2019-11-01)
        "3 earlier dates passed more than 90 days ago (before 2026-09-02) and are not shown."
    )


def test_spanish_wording() -> None:
    reply = deadlines_verb("birthdate 2016-11-01", date(2026, 12, 1), lang="es")
    assert "no se muestran" in reply.sections[0].text
    request = deadlines_verb("request 2026-09-15", date(2026, 9, 1), lang="es")
    assert "34 CFR 300.503" in request.sections[0].text
    assert "días" in request.sections[0].text


# --- The request event ------------------------------------------------------------------------


def test_request_in_chat() -> None:
    reply = deadlines_verb("request 2026-09-15 state=TX", date(2026, 9, 1))
    assert reply.title == (
        "Deadlines after the request for an evaluation on 2026-09-15 (Tue), Texas rules"
    )
    assert reply.table is not None
    assert reply.table.rows[0][0] == "2026-10-06 (Tue)"
    assert reply.table.rows[0][3] == "19 TAC 89.1011(b)"


def test_request_without_a_state_clock_says_so_plainly() -> None:
    for args, name in (
        ("request 2026-09-15", "Federal law"),
        ("request 2026-09-15 state=ND", "No North Dakota clock"),
    ):
        reply = deadlines_verb(args, date(2026, 9, 1))
        assert reply.table is None
        text = reply.sections[0].text
        assert text.startswith(name)
        assert "no fixed number of days" in text
        assert "34 CFR 300.503, 300.301(b)" in text


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="iepbot")
    add_deadlines_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["deadlines", *argv])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    with time_machine.travel(datetime(2026, 9, 1, 12, 0), tick=False):
        code = run_deadlines(parse(*argv))
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


def test_request_in_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "request", "2026-09-15", "--state", "TX", "--json")
    data = json.loads(out)
    assert code == 0
    assert [(d["id"], d["due"]) for d in data["deadlines"]] == [("request_response", "2026-10-06")]
    code, out = run(capsys, "request", "2026-09-15", "--json")
    data = json.loads(out)
    assert (code, data["deadlines"]) == (0, [])
    assert "34 CFR 300.503" in data["notes"][0]


# --- --explain ----------------------------------------------------------------------------------


def test_explain_in_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("consent", "2026-09-15", "--state", "TX", "--closures", str(SAMPLE))
    code, out = run(capsys, *argv, "--explain")
    assert code == 0
    assert "How Initial evaluation report (FIIE) was counted:" in out
    assert "- Start: Tue 2026-09-15; day 1 is the next day that counts." in out
    assert "- days 1-3: Wed 2026-09-16 – Fri 2026-09-18" in out
    assert "- not counted: Fri 2026-10-09 (Teacher workday)" in out
    assert "- not counted: Wed 2026-11-11 (Veterans Day)" in out
    assert "- Due: day 45, Thu 2026-11-19." in out
    code, out = run(capsys, *argv, "--json")
    data = json.loads(out)
    first = data["deadlines"][0]
    assert {"id", "title", "due", "basis", "citation", "weekday", "notes", "overdue"} <= set(first)
    assert first["explain"][-1] == "Due: day 45, Thu 2026-11-19."
    assert data["deadlines"][1]["explain"][-1] == "Due: day 30, Sat 2026-12-19."


def test_explain_shows_the_summer_and_breaks(sample: SchoolCalendar) -> None:
    # California, consent Tue 1 Dec 2026: the winter break (10 school days > 5) stops the clock.
    evaluation = got("CA", "consent", date(2026, 12, 1), sample)["initial_evaluation"]
    assert any(
        step.startswith("not counted: Mon 2026-12-21 – Fri 2027-01-01 (break: the clock stops")
        for step in evaluation.explain
    )
    # Texas across the summer: the summer is named.
    evaluation = got("TX", "consent", date(2027, 5, 10), sample)["initial_evaluation"]
    assert "not counted: Fri 2027-06-04 – Tue 2027-08-17 (summer)" in evaluation.explain
