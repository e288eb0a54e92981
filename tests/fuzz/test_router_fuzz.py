"""Property-based fuzzing of the router on a real store (SQLite): whatever is typed, after any
verb, by a person or an admin, in a channel or not, the answer is a reply with a title, never a
traceback, never the "something went wrong" apology (that is a bug caught late), and an error
reply changes nothing in the store."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bots.context import Context
from bots.render_text import render_text
from bots.replies import ReplyKind
from bots.router import ALIASES, VERBS, route
from content.loader import load_library
from scheduler.delivery.dispatcher import Dispatcher
from scheduler.identity import Asker
from scheduler.reminders.jobs import ReminderEngine
from scheduler.reminders.service import ReminderService
from scheduler.store.database import open_store

TABLES = ("reminders", "tracked_cases", "tracked_deadlines", "settings")
APOLOGY = "something went wrong"

WORDS = st.sampled_from(
    [
        "me",
        "here",
        "#C1",
        "<#C2|general>",
        "in",
        "2",
        "0",
        "-1",
        "99999999999999999999",
        "1e9",
        "seconds",
        "hours",
        "52w",
        "30m",
        "tomorrow",
        "9am",
        "25:99",
        "every",
        "monday",
        "weekday",
        "day",
        "consent",
        "referral",
        "iep",
        "birthdate",
        "2026-09-15",
        "2026-02-30",
        "0000-01-01",
        "9999-12-31",
        "state=TX",
        "state=ZZ",
        "case=AB-7",
        "lead=14d,7d",
        "lead=-1d",
        "to=#C1",
        "workspace",
        "America/Chicago",
        "Mars/Olympus",
        "es",
        "xx",
        "1",
        "42",
        "yes",
        "all",
        "504",
        "plan",
        "fape",
        "\x00",
        "\u202e",
        "\ud800",
        "\x1b[31m",
        "@everyone",
        "<!channel>",
        "[x](https://evil.example)",
    ]
)
VERB = st.sampled_from(sorted(VERBS) + sorted(ALIASES) + ["/iep", "REMIND", "Recuérdame"])
WHEN = st.sampled_from(
    ["in 2 hours", "tomorrow 9am", "every monday 8am", "in 30 minutes", "every weekday 7:30am"]
)
# Commands that succeed, so later examples find rows to cancel, snooze, list and forget.
VALID = st.one_of(
    st.builds(
        lambda target, when, what: f"remind {target} {when} {what}",
        st.sampled_from(["me", "here"]),
        WHEN,
        st.text(min_size=1, max_size=60),
    ),
    st.builds(
        lambda event, day, case: f"track {event} {day} case={case}",
        st.sampled_from(["consent", "referral", "eligibility", "iep"]),
        st.dates(date(2025, 1, 1), date(2027, 12, 31)).map(lambda d: d.isoformat()),
        st.text(min_size=1, max_size=12),
    ),
    st.builds(
        lambda verb, rid, extra: f"{verb} {rid} {extra}".strip(),
        st.sampled_from(["cancel", "snooze", "posponer", "cancelar"]),
        st.integers(min_value=-2, max_value=30),
        st.sampled_from(["", "1d", "3h", "52w", "0m", "x"]),
    ),
    st.sampled_from(
        ["reminders", "timezone America/Chicago", "timezone workspace UTC", "lang es", "forget"]
    ),
)
COMMAND = st.one_of(
    VALID,
    st.text(max_size=200),
    st.builds(
        lambda verb, words, tail: " ".join([verb, *words, tail]),
        VERB,
        st.lists(WORDS, max_size=8),
        st.text(max_size=40),
    ),
)
ASKER = st.builds(
    Asker,
    platform=st.sampled_from(["slack", "discord", "console"]),
    user_id=st.sampled_from(["U1", "U2"]),
    workspace_id=st.just("T1"),
    channel_id=st.sampled_from([None, "C1"]),
    is_admin=st.booleans(),
    lang=st.sampled_from([None, "en", "es"]),
)


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """One store for every example, so later examples meet reminders and cases made earlier
    (cancel, snooze and forget then act on real rows). The scheduler is not started: arming a
    reminder writes its job row, which is all the router needs."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    store = open_store(f"sqlite:///{folder}/fuzz.sqlite3")
    engine = ReminderEngine(store, Dispatcher({}))
    ctx = Context(load_library(), store=store, reminders=ReminderService(store, engine))
    yield ctx
    store.close()


def _snapshot(ctx: Context) -> dict[str, list[tuple]]:
    assert ctx.store is not None
    with ctx.store.engine.connect() as conn:
        return {
            table: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {table}")).all()))  # noqa: S608
            for table in TABLES
        }


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=COMMAND, asker=ASKER)
def test_any_command_gets_a_titled_reply_and_errors_store_nothing(
    stored: Context, caplog: pytest.LogCaptureFixture, command: str, asker: Asker
) -> None:
    caplog.clear()
    before = _snapshot(stored)
    with caplog.at_level(logging.ERROR):
        reply = route(stored, command, asker)
    assert reply.title.strip(), command
    assert APOLOGY not in reply.title.lower(), (command, caplog.text)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert render_text(reply).strip()
    if reply.kind is ReplyKind.ERROR:
        assert _snapshot(stored) == before, (command, reply.title)
