"""Issue 13's four Slack-style reminders typed into `iepbot console` (run_console, the real
router and store): each is saved for the right time with the right text, and the confirmation
shows the exact date, time, zone and repeat rule."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

import pytest
import time_machine

from bots.console import console_asker, run_console
from bots.context import Context
from scheduler.reminders.service import ReminderService
from scheduler.store.database import open_store
from scheduler.timing import Recurrence

NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 10:00 in Chicago
CHICAGO = "America/Chicago"


@pytest.fixture
def ctx(library, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    yield Context(library, store=store, reminders=ReminderService(store))
    store.close()


def console(ctx: Context, *lines: str) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        code = asyncio.run(
            run_console(ctx, io.StringIO("\n".join(lines) + "\n"), out, console_asker(CHICAGO))
        )
    assert code == 0
    return out.getvalue()


def stored(ctx: Context) -> list[tuple[str, str, str, datetime, str | None]]:
    rows = ctx.store.list_reminders_for_owner("console", "console-user")
    return [
        (r.target_kind, r.target_id, r.text, r.next_fire_at.astimezone(UTC), r.recurrence)
        for r in rows
    ]


def test_the_four_examples_of_issue_13(ctx) -> None:
    out = console(
        ctx,
        "remind me to call the school tomorrow at 3pm",
        "remind me call the school at 3pm every day",
        "remind #sped-team to submit progress notes every friday at 2pm",
        "remind me about the IEP meeting on December 15 at 10am",
    )
    assert "! " not in out  # no refusal
    # Exact date, time, zone abbreviation and IANA zone in every confirmation.
    assert "When: Wed 2 Dec 2026, 15:00 CST (America/Chicago)" in out
    assert "When: Tue 1 Dec 2026, 15:00 CST (America/Chicago)" in out
    assert "When: Fri 4 Dec 2026, 14:00 CST (America/Chicago)" in out
    assert "When: Tue 15 Dec 2026, 10:00 CST (America/Chicago)" in out
    assert "Repeats: every day at 15:00 (America/Chicago)" in out
    assert "Repeats: every Friday at 14:00 (America/Chicago)" in out
    assert "To: channel #sped-team" in out
    for text in ("call the school", "submit progress notes", "the IEP meeting"):
        assert f"What: {text}\n" in out
    rows = stored(ctx)
    me = ("user", "console-user")
    daily = Recurrence.daily(15, 0, CHICAGO).to_json()
    friday = Recurrence.weekly({4}, 14, 0, CHICAGO).to_json()
    assert sorted(rows, key=str) == sorted([
        (*me, "call the school", datetime(2026, 12, 2, 21, 0, tzinfo=UTC), None),
        (*me, "call the school", datetime(2026, 12, 1, 21, 0, tzinfo=UTC), daily),
        ("channel", "sped-team", "submit progress notes",
         datetime(2026, 12, 4, 20, 0, tzinfo=UTC), friday),
        (*me, "the IEP meeting", datetime(2026, 12, 15, 16, 0, tzinfo=UTC), None),
    ], key=str)  # fmt: skip


def test_a_left_over_time_is_refused_not_saved(ctx) -> None:
    out = console(
        ctx, "remind me tomorrow call the school at 3pm", "remind me tomorrow at 9.30 call"
    )
    assert "! I found more than one time in that, so I didn't save it." in out
    assert "When: Wed 2 Dec 2026, 09:30 CST (America/Chicago)" in out
    assert stored(ctx) == [
        ("user", "console-user", "call", datetime(2026, 12, 2, 15, 30, tzinfo=UTC), None)
    ]


def test_spanish_slack_form_and_the_31st_rule_in_words(ctx) -> None:
    out = console(
        ctx,
        "lang es",
        "remind me que llame a la escuela mañana a las 3 de la tarde",
        "remind me notas de progreso el 31 de cada mes",
    )
    assert "Cuándo: mié 2 dic 2026, 15:00 CST (America/Chicago)" in out
    assert "Qué: llame a la escuela" in out
    assert "Cuándo: jue 31 dic 2026, 09:00 CST (America/Chicago)" in out
    assert (
        "Se repite: cada mes el día 31 (el último día en los meses que no lo tienen) "
        "a las 09:00 (America/Chicago)"
    ) in " ".join(out.split())  # the console wraps long lines
    assert "Qué: notas de progreso" in out
