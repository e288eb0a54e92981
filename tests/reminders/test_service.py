"""Reminder verbs through the router on a real store (SQLite and PostgreSQL): what the user
sees, and what is stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bots.replies import ReplyKind
from bots.router import route
from scheduler.identity import Asker
from scheduler.reminders.jobs import occurrences
from scheduler.timing import latest_allowed
from scheduler.timing.recurrence import Recurrence
from tests.reminders.conftest import ALICE, NOW

BOB = Asker(
    platform="slack",
    user_id="UB",
    workspace_id="T1",
    channel_id="C1",
    is_admin=False,
    timezone="America/Chicago",
)
ADMIN = Asker(platform="slack", user_id="UX", workspace_id="T1", channel_id="C1", is_admin=True)


def test_remind_list_cancel_snooze(ctx) -> None:
    made = route(ctx, "remind me tomorrow 9am bring the draft", ALICE)
    assert made.kind is ReplyKind.INFO and made.title == "Reminder #1 set"
    text = made.sections[0].text
    assert "Thu 29 Oct 2026, 09:00" in text and "bring the draft" in text
    stored = ctx.store.get_reminder(1)
    assert stored.next_fire_at == datetime(2026, 10, 29, 14, 0, tzinfo=UTC)  # 9:00 CDT
    assert stored.target_kind == "user" and stored.target_id == "UA"

    listed = route(ctx, "reminders", ALICE)
    assert listed.table.rows[0][0] == "#1" and "bring the draft" in listed.table.rows[0][4]
    assert [a.command for a in listed.actions] == ["cancel 1", "snooze 1 1d"]

    snoozed = route(ctx, "snooze 1 2d", ALICE)
    assert snoozed.title == "Reminder #1 snoozed"
    assert ctx.store.get_reminder(1).next_fire_at == datetime(2026, 10, 31, 14, 0, tzinfo=UTC)

    refused = route(ctx, "cancel 1", BOB)  # Bob cannot see it: as if it did not exist
    assert refused.kind is ReplyKind.ERROR and "There is no reminder #1" in refused.title
    assert ctx.store.get_reminder(1).status == "active"

    assert route(ctx, "cancel 1", ALICE).title == "Reminder #1 cancelled"
    assert ctx.store.get_reminder(1).status == "cancelled"
    assert route(ctx, "reminders", ALICE).title == "No reminders yet"


def test_channel_reminder_visible_in_channel_and_admin_may_cancel(ctx) -> None:
    made = route(ctx, "remind <#C9|sped-team> every monday 8am check caseload", ALICE)
    assert "channel <#C9>" in made.sections[0].text and "every Monday at 08:00" in (
        made.sections[0].text
    )
    in_channel = Asker(platform="slack", user_id="UB", workspace_id="T1", channel_id="C9")
    assert route(ctx, "reminders", in_channel).table.rows[0][0] == "#1"
    assert route(ctx, "cancel 1", ADMIN).title == "Reminder #1 cancelled"


def test_bad_input_changes_nothing(ctx) -> None:
    for text in (
        "remind me yesterday 9am late",
        "remind me 2026-02-31 09:00 impossible",
        "remind me tomorrow",
        "remind me whenever you like",
        "remind me tomorrow 9am " + "x" * 10_000,
        "remind here",
        "snooze 1 forever",
        "cancel abc",
        "track consent 2026-02-31 case=AB-7",
        "track consent 2026-09-15",
        "track consent 2026-09-15 case=Jane Doe",
        "track banana 2026-09-15 case=AB-7",
        "track consent 2026-09-15 case=AB-7 state=ZZ",
        "timezone Mars/Olympus",
        "lang fr",
        "timezone workspace America/Chicago",
    ):
        reply = route(ctx, text, ALICE)
        assert reply.kind is ReplyKind.ERROR, text
        assert "went wrong" not in reply.title, text  # a refusal, never a crash
        assert len(reply.title) < 200
    assert ctx.store.count_active() == 0
    assert ctx.store.list_cases("slack", "UA") == []
    assert ctx.store.get_settings("slack", "user", "UA").timezone is None


def test_recurring_keeps_wall_clock_across_the_november_change(ctx, db_url) -> None:
    route(ctx, "remind me every monday 8am check caseload", ALICE)
    rec = ctx.store.get_reminder(1)
    assert rec.next_fire_at == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # 08:00 CST (after)
    # Fire on 2 Nov (the claim advances the repeat in the same transaction) and check the
    # next Monday is still 08:00 local.
    fired = rec.next_fire_at
    claimed, taken = ctx.store.claim_due(
        fired,
        partial(occurrences, now=fired),
        limit=10,
        missed_before=fired - timedelta(days=1),
    )
    assert taken == 1 and [(c.reminder.id, c.fire_at, c.missed) for c in claimed] == [
        (1, fired, False)
    ]
    nxt = ctx.store.get_reminder(1).next_fire_at
    assert nxt.astimezone(ZoneInfo("America/Chicago")).strftime("%a %H:%M") == "Mon 08:00"
    assert nxt == datetime(2026, 11, 9, 14, 0, tzinfo=UTC)
    rule = Recurrence.from_json(rec.recurrence)
    before = datetime(2026, 10, 26, 13, 0, tzinfo=UTC)  # Monday 26 Oct, 08:00 CDT
    assert rule.zone.key == "America/Chicago" and before.astimezone(rule.zone).hour == 8


def test_track_schedules_lead_reminders_and_exports_a_calendar(ctx) -> None:
    reply = route(ctx, "track consent 2026-11-02 case=AB-7 lead=14d,7d,1d", ALICE)
    assert reply.kind is ReplyKind.DEADLINES, reply.title
    due = date(2026, 11, 2) + timedelta(days=60)
    assert reply.table.rows[0][0] == due.isoformat()
    assert "34 CFR 300.301(c)(1)" in reply.table.rows[0][3]
    reminders = ctx.store.list_reminders_for_owner("slack", "UA")
    fire_days = sorted(
        r.next_fire_at.astimezone(ZoneInfo("America/Chicago")).date() for r in reminders
    )
    assert fire_days[:3] == [
        due - timedelta(days=14),
        due - timedelta(days=7),
        due - timedelta(days=1),
    ]
    assert all("AB-7" in r.text and r.kind == "deadline" for r in reminders)
    again = route(ctx, "track consent 2026-11-02 case=AB-7", ALICE)
    assert again.kind is ReplyKind.ERROR and "already tracked" in again.title

    cal = route(ctx, "calendar", ALICE)
    assert cal.attachment is not None and cal.attachment.mime_type == "text/calendar"
    parsed = icalendar.Calendar.from_ical(cal.attachment.content)
    events = [c for c in parsed.walk("VEVENT")]
    assert any(e.decoded("dtstart") == due and "AB-7" in str(e["summary"]) for e in events)
    assert all(str(e["uid"]).endswith("@iepbot") for e in events)
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_forget_deletes_only_the_asker(ctx) -> None:
    route(ctx, "remind me tomorrow 9am mine", ALICE)
    route(ctx, "remind me tomorrow 9am theirs", BOB)
    route(ctx, "timezone America/Denver", ALICE)
    route(ctx, "track consent 2026-09-15 case=AB-7 state=TX", ALICE)
    reply = route(ctx, "forget", ALICE)
    assert reply.title == "Your data is deleted"
    removed = reply.sections[0].text
    assert "tracked deadlines" in removed and "tracked cases" in removed, removed
    assert "_" not in removed  # what the data is, not the store's table names
    assert ctx.store.list_reminders_for_owner("slack", "UA", active_only=False) == []
    assert ctx.store.get_settings("slack", "user", "UA").timezone is None
    assert len(ctx.store.list_reminders_for_owner("slack", "UB")) == 1


def test_track_a_birthdate_reports_overdue_but_not_a_passed_window_opening(ctx) -> None:
    reply = route(ctx, "track birthdate 2024-01-10 case=TD-3", ALICE)
    assert reply.kind is ReplyKind.DEADLINES
    overdue = " ".join(s.text for s in reply.sections if s.heading == "Overdue")
    assert "Latest day for the transition conference" in overdue
    assert "Earliest day" not in overdue


def test_snooze_has_an_upper_bound_and_changes_nothing_past_it(ctx) -> None:
    # issue 15, point 6: `snooze 1 52w` repeated reached year 9999, then "something went wrong".
    route(ctx, "remind me tomorrow 9am bring the draft", ALICE)
    before = ctx.store.get_reminder(1).next_fire_at
    replies = [route(ctx, "snooze 1 52w", ALICE) for _ in range(8)]
    refused = [r for r in replies if r.kind is ReplyKind.ERROR]
    assert refused, "snoozing forever must be refused at some point"
    assert all("went wrong" not in r.title for r in replies)
    last = ctx.store.get_reminder(1).next_fire_at
    assert before < last <= latest_allowed(NOW) + timedelta(days=1)
    assert "latest" in refused[0].title


def test_someone_elses_private_reminder_looks_like_an_unknown_id(ctx) -> None:
    # issue 15, point 10: "belongs to someone else" vs "no reminder" let ids be probed.
    route(ctx, "remind me tomorrow 9am bring the draft", ALICE)
    theirs = route(ctx, "cancel 1", BOB)
    unknown = route(ctx, "cancel 99", BOB)
    assert theirs.kind is ReplyKind.ERROR and unknown.kind is ReplyKind.ERROR
    assert theirs.title.replace("#1", "#N") == unknown.title.replace("#99", "#N")
    assert route(ctx, "snooze 1 1d", BOB).title == theirs.title.replace("cancel", "snooze")
    assert ctx.store.get_reminder(1).status == "active"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("remind me tomorrow 9am bring\x00 the draft", "bring the draft"),
        ("remind me tomorrow 9am \x1b[31mbring\x1b[0m the\x07 draft\x08", "bring the draft"),
        ("remind me tomorrow 9am bring the \ud800draft", "bring the draft"),
        ("remind me tomorrow 9am bring\u202e the draft", "bring the draft"),
        ("remind me tomorrow 9am bring\x9b the draft\r", "bring the draft"),
    ],
)
def test_control_characters_nul_and_surrogates_never_reach_the_store(ctx, typed, stored) -> None:
    # issue 15, point 7: NUL stored on SQLite and a StoreError on PostgreSQL; ANSI escapes,
    # bell and backspace stored and echoed raw to the terminal; lone surrogates crashed output.
    made = route(ctx, typed, ALICE)
    assert made.kind is ReplyKind.INFO, made.title
    assert ctx.store.get_reminder(1).text == stored
    assert stored in made.sections[0].text


def test_an_enormous_input_is_refused_and_stores_nothing(ctx) -> None:
    reply = route(ctx, "remind me tomorrow 9am " + "word " * 20_000, ALICE)
    assert reply.kind is ReplyKind.ERROR and len(reply.title) < 200
    assert ctx.store.count_active() == 0
