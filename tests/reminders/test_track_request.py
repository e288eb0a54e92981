"""`track request`: the answer-to-a-request clock is followed like any other (issue 14), and a
state without such a clock says so instead of storing an empty case."""

from __future__ import annotations

from bots.replies import ReplyKind
from bots.router import route
from tests.reminders.conftest import ALICE


def test_track_a_texas_request(ctx) -> None:
    # 19 TAC 89.1011(b): "not later than the 15th school day after the date the district
    # receives the request". No calendar in chat: 15 weekdays after Mon 2 Nov 2026 are 3-6 Nov
    # (4), 9-13 (9), 16-20 (14), Mon 23 Nov (15).
    reply = route(ctx, "track request 2026-11-02 case=RQ-1 state=TX", ALICE)
    assert reply.kind is ReplyKind.DEADLINES, reply.title
    assert reply.title == "Tracking RQ-1: request on 2026-11-02"
    assert reply.table is not None
    assert reply.table.rows == (
        (
            "2026-11-23",
            "Mon",
            "Answer to a written request for an evaluation (FIIE)",
            "19 TAC 89.1011(b)",
        ),
    )
    reminders = ctx.store.list_reminders_for_owner("slack", "UA")
    assert reminders and all("RQ-1" in r.text for r in reminders)


def test_track_a_request_where_no_clock_is_on_file(ctx) -> None:
    reply = route(ctx, "track request 2026-11-02 case=RQ-2 state=ND", ALICE)
    assert reply.kind is ReplyKind.ERROR
    assert reply.title == "No deadline to track"
    text = " ".join(section.text for section in reply.sections)
    assert "No North Dakota clock on file" in text and "34 CFR 300.503" in text
    assert ctx.store.list_reminders_for_owner("slack", "UA") == []


def test_track_may_be_overdue_without_a_calendar(ctx) -> None:
    # 45 weekdays after Tue 15 Sep 2026 is Tue 17 Nov... use a date that has passed by 28 Oct:
    # 15 weekdays after Mon 28 Sep are 29 Sep-2 Oct (4), 5-9 (9), 12-16 (14), Mon 19 Oct (15).
    reply = route(ctx, "track request 2026-09-28 case=RQ-3 state=TX", ALICE)
    overdue = " ".join(s.text for s in reply.sections if s.heading == "Overdue")
    assert "may be overdue: the counted date 2026-10-19 has passed" in overdue
    assert "overdue since" not in overdue
