"""`/iep calendar`: the .ics holds the person's reminders (repeats as one RRULE event in their
time zone) and tracked deadlines with one alarm per lead time, in their language; read with
icalendar and, as a second opinion, vobject."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
import vobject

from bots.context import Context
from bots.replies import ReplyKind
from bots.router import route
from scheduler.identity import Asker
from scheduler.reminders.service import ReminderService
from scheduler.store.database import open_store

NOW = datetime(2026, 10, 28, 15, 0, tzinfo=UTC)  # a Wednesday
CHICAGO = ZoneInfo("America/Chicago")


def asker(lang: str = "en", user: str = "UA") -> Asker:
    return Asker(
        platform="slack",
        user_id=user,
        workspace_id="T1",
        channel_id="C1",
        is_admin=False,
        timezone="America/Chicago",
        lang=lang,
    )


@pytest.fixture
def ctx(library, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'cal.sqlite3'}")
    context = Context(library, store=store, reminders=ReminderService(store))
    with time_machine.travel(NOW, tick=False):
        yield context
    store.close()


def _ics(ctx: Context, who: Asker) -> bytes:
    reply = route(ctx, "calendar", who)
    assert reply.kind is ReplyKind.INFO, reply.title
    assert reply.attachment is not None and reply.attachment.mime_type == "text/calendar"
    return reply.attachment.content


def test_reminders_and_deadlines_with_every_lead_as_an_alarm(ctx) -> None:
    me = asker()
    route(ctx, "remind me every monday 8am team check-in", me)
    route(ctx, "remind me tomorrow 9am bring the draft", me)
    route(ctx, "remind me tomorrow 9am not mine", asker(user="UB"))
    route(ctx, "track consent 2026-11-02 case=AB-7 lead=14d,7d,1d", me)
    route(ctx, "track iep 2026-10-01 case=CD-9 lead=3d", me)
    reply = route(ctx, "calendar", me)
    assert reply.title == "Your calendar: 2 deadlines and 2 reminders"
    raw = reply.attachment.content

    parsed = icalendar.Calendar.from_ical(raw)
    events = {str(e["uid"]): e for e in parsed.walk("VEVENT")}
    weekly = events["reminder-1@iepbot"]
    assert str(weekly["summary"]) == "team check-in"
    start = weekly.decoded("dtstart")
    assert start == datetime(2026, 11, 2, 8, 0, tzinfo=CHICAGO)
    assert weekly["dtstart"].params["TZID"] == "America/Chicago"
    assert weekly["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO"
    assert "rrule" not in events["reminder-2@iepbot"]
    assert not any("not mine" in str(e["summary"]) for e in events.values())
    assert [tz.tz_name for tz in parsed.timezones] == ["America/Chicago"]

    due = date(2026, 11, 2) + timedelta(days=60)
    evaluation = events["case-1-initial_evaluation@iepbot"]
    assert evaluation.decoded("dtstart") == due
    alarms = [a for a in evaluation.walk("VALARM")]
    assert [a.decoded("trigger") for a in alarms] == [
        timedelta(hours=9) - timedelta(days=d) for d in (14, 7, 1)
    ]
    assert [str(a["description"]) for a in alarms] == [
        f"AB-7: Initial evaluation in {d}" for d in ("14 days", "7 days", "1 day")
    ]
    cd9 = [e for uid, e in events.items() if uid.startswith("case-2-")]
    assert cd9 and all(len(e.walk("VALARM")) == 1 for e in cd9)
    assert "Counted from consent on 2026-11-02" in str(evaluation["description"])

    # The second parser reads the same file the same way, and expands the repeat itself.
    second = vobject.readOne(raw.decode())
    by_uid = {e.uid.value: e for e in second.vevent_list}
    assert set(by_uid) == set(events)
    repeat = by_uid["reminder-1@iepbot"]
    mondays = list(repeat.getrruleset())[:3]
    assert [d.astimezone(CHICAGO).strftime("%a %H:%M") for d in mondays] == ["Mon 08:00"] * 3
    assert len(by_uid["case-1-initial_evaluation@iepbot"].valarm_list) == 3


def test_a_cancelled_reminder_leaves_the_calendar(ctx) -> None:
    me = asker()
    route(ctx, "remind me every monday 8am team check-in", me)
    route(ctx, "remind me tomorrow 9am bring the draft", me)
    assert route(ctx, "cancel 1", me).kind is not ReplyKind.ERROR
    uids = {e.uid.value for e in vobject.readOne(_ics(ctx, me).decode()).vevent_list}
    assert uids == {"reminder-2@iepbot"}


def test_spanish_export_is_all_spanish(ctx) -> None:
    me = asker("es")
    route(ctx, "remind me every monday 8am repaso", me)
    route(ctx, "track consent 2026-11-02 case=AB-7 lead=14d,7d,1d", me)
    raw = _ics(ctx, me).decode()
    cal = vobject.readOne(raw)
    assert cal.contents["x-wr-calname"][0].value == "Fechas límite y recordatorios del IEP"
    texts = [e.description.value for e in cal.vevent_list]
    texts += [a.description.value for e in cal.vevent_list for a in e.contents.get("valarm", [])]
    joined = " ".join(texts)
    assert "en 7 días" in joined and "en 1 día" in joined
    assert "Contado desde el consentimiento el 2026-11-02" in joined
    assert "cada lunes a las 08:00" in joined
    # No English word of ours (the user's own "repaso" and the citation aside).
    english = re.compile(r"\b(in|days?|from|on|Tracked|Reminder|every|Counted|calendar)\b")
    assert not english.search(joined.replace("34 CFR", "")), joined


def test_nothing_to_export_says_so(ctx) -> None:
    reply = route(ctx, "calendar", asker())
    assert reply.kind is ReplyKind.ERROR and reply.title == "Nothing in your calendar yet"


def test_feed_follows_cases_snoozes_and_the_owners_language(ctx) -> None:
    ctx.public_url = "https://iepbot.example.org"
    me = asker()
    shown = route(ctx, "calendar feed", me)
    [secret] = re.findall(r"/calendar/([A-Za-z0-9_-]+)\.ics", shown.sections[0].text)
    empty = vobject.readOne(ctx.reminders.feed(secret).decode())
    assert "vevent" not in empty.contents
    assert empty.contents["x-wr-calname"][0].value == "IEP deadlines and reminders"

    route(ctx, "remind me tomorrow 9am bring the draft", me)
    route(ctx, "track consent 2026-11-02 case=AB-7", me)
    cal = icalendar.Calendar.from_ical(ctx.reminders.feed(secret))
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert "case-1-initial_evaluation@iepbot" in events
    assert events["reminder-1@iepbot"].decoded("dtstart") == datetime(
        2026, 10, 29, 9, 0, tzinfo=CHICAGO
    )

    route(ctx, "snooze 1 2d", me)
    route(ctx, "lang es", me)
    cal = icalendar.Calendar.from_ical(ctx.reminders.feed(secret))
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert events["reminder-1@iepbot"].decoded("dtstart") == datetime(
        2026, 10, 31, 9, 0, tzinfo=CHICAGO
    )
    assert str(cal["x-wr-calname"]) == "Fechas límite y recordatorios del IEP"

    route(ctx, "forget", me)
    assert ctx.reminders.feed(secret) is None


def test_a_case_tracked_before_migration_0003_gets_the_default_alarms(tmp_path) -> None:
    from alembic import command
    from sqlalchemy import create_engine, text

    from scheduler.store.database import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002_leader_terms")
        conn.execute(
            text(
                "INSERT INTO tracked_cases (platform, workspace_id, owner_id, label, event, "
                "event_date, created_at) VALUES ('slack', 'T1', 'UA', 'AB-7', 'consent', "
                "'2026-11-02', '2026-10-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO tracked_deadlines (case_id, deadline_id, title, due, citation, "
                "basis) VALUES (1, 'initial_evaluation', 'Initial evaluation', '2027-01-01', "
                "'34 CFR 300.301(c)(1)', '60 calendar days after consent')"
            )
        )
    engine.dispose()
    store = open_store(url)  # migrates to 0003: the case has no stored leads
    try:
        [(case, _)] = store.list_cases("slack", "UA")
        assert case.leads is None
        raw = ReminderService(store).calendar(_who(), "en")
    finally:
        store.close()
    [event] = vobject.readOne(raw.decode()).vevent_list
    assert len(event.valarm_list) == 3  # 14, 7 and 1 days, the defaults it was tracked with


def _who() -> Asker:
    return Asker(platform="slack", workspace_id="T1", user_id="UA")


def test_a_case_tracked_in_english_is_exported_in_spanish_after_lang_es(ctx) -> None:
    me = asker()
    route(ctx, "track consent 2026-11-02 case=AB-7", me)
    route(ctx, "lang es", me)
    [event] = vobject.readOne(_ics(ctx, me).decode()).vevent_list
    assert event.summary.value == "AB-7: Evaluación inicial"
    assert event.description.value.startswith("60 días naturales después del consentimiento.")
    assert event.dtstart.value == date(2027, 1, 1)
