"""The chat verb: `/iep deadlines consent 2026-09-15 state=TX` and its refusals."""

from __future__ import annotations

from datetime import date

import pytest

from bots.replies import ReplyKind
from bots.verbs.deadlines import deadlines_verb

TODAY = date(2026, 9, 1)


def test_texas_reply_table() -> None:
    reply = deadlines_verb("consent 2026-09-15 state=TX", TODAY)
    assert reply.kind is ReplyKind.DEADLINES
    assert reply.ok
    assert reply.title == (
        "Deadlines after the consent to evaluate on 2026-09-15 (Tue), Texas rules"
    )
    assert reply.table is not None
    assert reply.table.headers == ("Due", "Deadline", "Rule", "Citation")
    first, second = reply.table.rows
    assert first[0] == "2026-11-17 (Tue)"  # no calendar in chat: 45 weekdays
    assert first[1] == "Initial evaluation report (FIIE) (45 school days after consent)"
    assert first[2].startswith("The written report of the full individual")
    assert first[3] == "Tex. Educ. Code 29.004(a)(1), (a-1)"
    assert second[3] == "19 TAC 89.1011(g)"
    notes = "\n".join(section.text for section in reply.sections)
    assert "school days counted as Monday to Friday" in notes
    assert [link.title for link in reply.links] == [
        "Tex. Educ. Code 29.004(a)(1), (a-1)",
        "19 TAC 89.1011(g)",
    ]


def test_federal_reply_and_weekday() -> None:
    reply = deadlines_verb("consent 2026-09-15", TODAY)
    assert reply.title.endswith("federal rules")
    assert reply.table is not None
    assert reply.table.rows[0][0] == "2026-11-14 (Sat)"


@pytest.mark.parametrize(
    "args",
    ["consent 2026-09-15 state TX", "consent 2026-09-15 tx", "Consent 2026-09-15 state=Texas"],
)
def test_state_spellings_people_type(args: str) -> None:
    reply = deadlines_verb(args, TODAY)
    assert reply.kind is ReplyKind.DEADLINES
    assert reply.title.endswith("Texas rules")


def test_overdue_is_marked() -> None:
    # The IEP in effect at 16 (born 1 Mar 2010) is due the day before the birthday.
    reply = deadlines_verb("birthdate 2010-03-01", date(2026, 3, 20))
    assert reply.table is not None
    assert any(row[0] == "2026-02-28 (Sat), overdue" for row in reply.table.rows)
    assert "overdue since 2026-02-28" in "\n".join(s.text for s in reply.sections)


@pytest.mark.parametrize(
    ("args", "title"),
    [
        ("signature 2026-09-15", "Unknown event 'signature'; use one of: referral"),
        ("consent 2026-02-31", "Date 2026-02-31 does not exist: February 2026 has 28 days"),
        ("consent 2026-09-15 state=XX", "Unknown state 'XX'"),
        ("consent", "I need an event and a date"),
        ("", "I need an event and a date"),
        ("consent 2026-09-15 closures=x.yaml", "Unknown option closures=; the only option"),
        ("consent " + "9" * 300, "That is too long for a deadline question"),
    ],
)
def test_bad_input_gets_one_line_and_an_example(args: str, title: str) -> None:
    reply = deadlines_verb(args, TODAY)
    assert reply.kind is ReplyKind.ERROR
    assert not reply.ok
    assert reply.title.startswith(title)
    assert "\n" not in reply.title
    assert "/iep deadlines consent 2026-09-15 state=TX" in reply.sections[0].text


def test_through_the_router(ctx) -> None:
    from bots.router import route

    reply = route(ctx, "/iep deadlines consent 2026-09-15 state=tx")
    assert reply.kind is ReplyKind.DEADLINES
    assert reply.title.endswith("Texas rules")
