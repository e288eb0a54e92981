"""RFC 5545 rules (monthly day 29-31, last day of the month, yearly dates) as stored recurrences,
and "never early": fractions of a second round up, in the parser and in the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bots.context import Context
from bots.router import route
from scheduler.identity import Asker
from scheduler.reminders.service import ReminderService
from scheduler.store.database import open_store
from scheduler.timing import Recurrence, describe, next_fire, parse_reminder

CHI = ZoneInfo("America/Chicago")
ANCHOR = datetime(2026, 12, 1, 9, 0)
LAST_DAY = Recurrence.rfc5545("FREQ=MONTHLY;BYMONTHDAY=-1", ANCHOR, "America/Chicago")
THIRTY_FIRST = Recurrence.rfc5545(
    "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1", ANCHOR, "America/Chicago"
)
JAN_25 = Recurrence.rfc5545("FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=25", ANCHOR, "America/Chicago")
FEB_29 = Recurrence.rfc5545(
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1", ANCHOR, "America/Chicago"
)


@pytest.mark.parametrize("rec", [LAST_DAY, THIRTY_FIRST, JAN_25, FEB_29])
def test_rrule_recurrences_survive_json(rec: Recurrence) -> None:
    assert Recurrence.from_json(rec.to_json()) == rec


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;COUNT=3",  # a reminder repeats until cancelled
        "DTSTART:20200101T000000\nFREQ=DAILY",  # the anchor is the start, not the row's text
        "FREQ=MONTHLY;BYMONTHDAY=40",  # would never fire
        "FREQ=MONTHLY;BYMONTHDAY=0",
        "FREQ=YEARLY;BYMONTH=13",
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=SOMETIMES",
        "",
    ],
)
def test_malformed_or_unsupported_rules_fail_at_load(rule: str) -> None:
    with pytest.raises(ValueError):
        Recurrence.rfc5545(rule, ANCHOR, "America/Chicago")


@pytest.mark.parametrize(
    ("rec", "en", "es"),
    [
        (LAST_DAY, "every month on its last day at 09:00", "cada mes el último día a las 09:00"),
        (
            THIRTY_FIRST,
            "every month on day 31 (on the last day in months without one) at 09:00",
            "cada mes el día 31 (el último día en los meses que no lo tienen) a las 09:00",
        ),
        (JAN_25, "every year on 25 January at 09:00", "cada año el 25 de enero a las 09:00"),
        (
            FEB_29,
            "every year on 29 February (28 February when there is no 29th) at 09:00",
            "cada año el 29 de febrero (el 28 de febrero cuando no hay 29) a las 09:00",
        ),
    ],
)
def test_rules_are_described_in_words(rec: Recurrence, en: str, es: str) -> None:
    assert describe(rec) == f"{en} (America/Chicago)"
    assert describe(rec, "es") == f"{es} (America/Chicago)"


def test_the_engine_follows_the_rule() -> None:
    """The engine arms each next time with ``next_fire`` (the last day of a short month)."""
    first = next_fire(THIRTY_FIRST, datetime(2027, 2, 1, tzinfo=UTC))
    assert first == datetime(2027, 2, 28, 9, 0, tzinfo=CHI).astimezone(UTC)
    assert first is not None
    assert next_fire(THIRTY_FIRST, first) == datetime(2027, 3, 31, 9, 0, tzinfo=CHI)


def test_next_fire_is_strictly_after() -> None:
    fire = datetime(2026, 12, 31, 9, 0, tzinfo=CHI)
    assert next_fire(LAST_DAY, fire - timedelta(microseconds=1)) == fire
    assert next_fire(LAST_DAY, fire) == datetime(2027, 1, 31, 9, 0, tzinfo=CHI)


def test_parser_rounds_a_fraction_of_a_second_up() -> None:
    now = datetime(2026, 12, 1, 18, 0, 0, 300_000, tzinfo=UTC)
    parsed = parse_reminder("in 4 seconds x", now=now, tz=CHI)
    assert parsed.first_fire == datetime(2026, 12, 1, 18, 0, 5, tzinfo=UTC)  # never :04


def test_the_store_rounds_up_too(library, tmp_path) -> None:
    """The service keeps whole seconds; a fraction is rounded up, so snooze cannot fire early."""
    store = open_store(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    ctx = Context(library, store=store, reminders=ReminderService(store))
    asker = Asker(user_id="u1", timezone="America/Chicago")
    now = datetime(2026, 12, 1, 18, 0, 0, 300_000, tzinfo=UTC)
    try:
        with time_machine.travel(now, tick=False):
            route(ctx, "remind me in 4 seconds x", asker)
            [made] = store.list_reminders_for_owner("console", "u1")
            assert made.next_fire_at.astimezone(UTC) == datetime(2026, 12, 1, 18, 0, 5, tzinfo=UTC)
            route(ctx, f"snooze {made.id} 1m", asker)
            [moved] = store.list_reminders_for_owner("console", "u1")
            assert moved.next_fire_at.astimezone(UTC) == datetime(2026, 12, 1, 18, 1, 5, tzinfo=UTC)
    finally:
        store.close()
