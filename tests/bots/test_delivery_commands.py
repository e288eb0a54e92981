"""The delivery actions as typed commands (`done 1`, `skip 1`, `snooze 1 tomorrow`,
`stop 1`) in `iepbot console`, and the rules behind them and the buttons
(``ReminderService.act``): once per delivery, only the owner and the person it is for, never
on an old delivery. The engine's part (claim, send, advance) is done by hand with the same
store calls, so these tests own the clock."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bots.console import console_asker, run_console
from bots.context import Context
from scheduler.identity import Asker
from scheduler.reminders.service import ReminderRefused, ReminderService
from scheduler.store.database import open_store

CHICAGO = "America/Chicago"
SET_AT = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tue 1 Dec 2026, 10:00 in Chicago
WED_9 = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wed 2 Dec 2026, 09:00 CST
THU_9 = WED_9 + timedelta(days=1)
AFTER = WED_9 + timedelta(minutes=5)


@pytest.fixture
def ctx(library, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'actions.sqlite3'}")
    yield Context(library, store=store, reminders=ReminderService(store))
    store.close()


def console(ctx: Context, when: datetime, *lines: str) -> str:
    out = io.StringIO()
    with time_machine.travel(when, tick=False):
        code = asyncio.run(
            run_console(ctx, io.StringIO("\n".join(lines) + "\n"), out, console_asker(CHICAGO))
        )
    assert code == 0
    return out.getvalue()


def deliver(ctx: Context, reminder_id: int, fire_at: datetime, next_at: datetime | None) -> None:
    """What the engine does when a reminder fires: claim, send, move on."""
    assert ctx.store.claim_delivery(reminder_id, fire_at)
    ctx.store.mark_delivery(reminder_id, fire_at, "sent")
    ctx.store.set_next_fire(reminder_id, next_at, status=None if next_at else "done")


def test_done_skip_snooze_and_stop_typed_in_the_console(ctx) -> None:
    out = console(ctx, SET_AT, "remind me to water the plants every day at 9am")
    assert "Reminder #1 set" in out
    assert ctx.store.get_reminder(1).next_fire_at == WED_9
    deliver(ctx, 1, WED_9, THU_9)

    out = console(ctx, AFTER, "done 1", "done 1", "skip 1", "snooze 1 20m", "stop 1", "stop 1")
    assert "Reminder #1 marked done" in out
    assert "Next: Thu 3 Dec 2026, 09:00 CST (America/Chicago)" in out
    assert out.count("Reminder #1 was already handled that way for this delivery.") == 2
    assert "Reminder #1: next one skipped" in out
    assert "Next: Fri 4 Dec 2026, 09:00 CST (America/Chicago)" in out
    # Typed, snooze moves the next time later (the button's snooze is "again, from now").
    assert "Next: Fri 4 Dec 2026, 09:20 CST (America/Chicago)" in out
    assert "Reminder #1 stopped" in out
    assert ctx.store.get_reminder(1).status == "cancelled"
    assert ctx.store.get_delivery(1, WED_9).action == "stop"


def test_a_delivered_one_off_snoozed_to_tomorrow_morning(ctx) -> None:
    console(ctx, SET_AT, "remind me to call the school tomorrow at 9am")
    deliver(ctx, 1, WED_9, None)
    out = console(ctx, AFTER, "snooze 1 tomorrow", "reminders")
    assert "Next: Thu 3 Dec 2026, 09:00 CST (America/Chicago)" in out
    again = ctx.store.get_reminder(1)
    assert (again.status, again.next_fire_at) == ("active", THU_9)


def test_commands_on_a_reminder_never_delivered(ctx) -> None:
    out = console(ctx, SET_AT, "remind me in 1 hour call", "done 1", "skip 1", "stop 1")
    assert "Reminder #1 has not been delivered yet." in out
    assert "Reminder #1 cancelled" in out  # stop before any delivery is a cancel


def _service_with_delivery(ctx, *, target: str = "U1", repeat: bool = False):
    from scheduler.timing.phrases import parse_reminder
    from scheduler.timing.zones import resolve_timezone

    owner = Asker(platform="slack", user_id="U1", workspace_id="T1", is_admin=False)
    phrase = "every day at 9am standup" if repeat else "tomorrow at 9am standup"
    with time_machine.travel(SET_AT, tick=False):
        parsed = parse_reminder(phrase, now=SET_AT, tz=resolve_timezone(CHICAGO))
        record = ctx.reminders.create(
            owner,
            target_kind="user",
            target_id=target,
            text=parsed.message,
            timezone=CHICAGO,
            lang="en",
            first_fire=parsed.first_fire,
            recurrence=parsed.recurrence,
        )
    deliver(ctx, record.id, WED_9, THU_9 if repeat else None)
    return record


def _asker(user: str, admin: bool = False) -> Asker:
    return Asker(platform="slack", user_id=user, workspace_id="T1", is_admin=admin)


def test_only_the_owner_and_the_recipient_may_act_and_only_once(ctx) -> None:
    record = _service_with_delivery(ctx, target="U2")
    service = ctx.reminders
    with time_machine.travel(AFTER, tick=False):
        for stranger in (_asker("U3"), _asker("UADMIN", admin=True)):
            with pytest.raises(ReminderRefused) as refused:
                service.act(stranger, record.id, "snooze", fire_at=WED_9, until=THU_9)
            assert refused.value.code == "not_for_you"
        assert ctx.store.get_delivery(record.id, WED_9).action is None
        snoozed = service.act(_asker("U2"), record.id, "snooze", fire_at=WED_9, until=THU_9)
        assert (snoozed.status, snoozed.next_fire_at) == ("active", THU_9)
        with pytest.raises(ReminderRefused) as twice:
            service.act(_asker("U1"), record.id, "snooze", fire_at=WED_9, until=THU_9)
        assert twice.value.code == "already"
        # Listed for both, cancellable by the recipient.
        assert [r.id for r in service.visible(_asker("U2"))] == [record.id]
        assert [r.id for r in service.visible(_asker("U1"))] == [record.id]
        service.cancel(_asker("U2"), record.id)
    assert ctx.store.get_reminder(record.id).status == "cancelled"


def test_a_button_on_an_older_delivery_is_refused(ctx) -> None:
    record = _service_with_delivery(ctx, repeat=True)
    deliver(ctx, record.id, THU_9, THU_9 + timedelta(days=1))
    with time_machine.travel(THU_9 + timedelta(minutes=1), tick=False):
        with pytest.raises(ReminderRefused) as stale:
            ctx.reminders.act(_asker("U1"), record.id, "skip", fire_at=WED_9)
        assert stale.value.code == "stale"
        skipped = ctx.reminders.act(_asker("U1"), record.id, "skip", fire_at=THU_9)
    assert skipped.next_fire_at == THU_9 + timedelta(days=2)


def test_skip_needs_a_repeating_reminder_and_snooze_a_later_time(ctx) -> None:
    record = _service_with_delivery(ctx)
    with time_machine.travel(AFTER, tick=False):
        with pytest.raises(ReminderRefused) as once:
            ctx.reminders.act(_asker("U1"), record.id, "skip", fire_at=WED_9)
        assert once.value.code == "not_repeating"
        with pytest.raises(ReminderRefused) as past:
            ctx.reminders.act(_asker("U1"), record.id, "snooze", fire_at=WED_9, until=WED_9)
        assert past.value.code == "not_later"
    assert ctx.store.get_delivery(record.id, WED_9).action is None


def test_buttons_and_the_setter_line_in_spanish() -> None:
    from bots.deliveries import asked_by, delivery_actions
    from scheduler.delivery.messages import Outgoing

    message = Outgoing(
        platform="slack",
        target_kind="user",
        target_id="U2",
        text="⏰ Recordatorio (#7): llamar",
        reminder_id=7,
        fire_at=WED_9,
        lang="es",
        actionable=True,
        repeating=True,
        set_by="U1",
    )
    actions = delivery_actions(message)
    assert [a.label for a in actions] == [
        "Listo",
        "Posponer 20 min",
        "1 hora",
        "Mañana 9 a. m.",
        "Saltar la próxima",
        "Detener",
    ]
    stamp = int(WED_9.timestamp())
    assert [a.command for a in actions] == [
        f"done 7 at={stamp}",
        f"snooze 7 20m at={stamp}",
        f"snooze 7 1h at={stamp}",
        f"snooze 7 tomorrow at={stamp}",
        f"skip 7 at={stamp}",
        f"stop 7 at={stamp}",
    ]
    assert asked_by(message, lambda user: f"@{user}") == "@U1 me pidió que te recordara:"


def test_the_console_prints_the_commands_for_a_delivered_reminder() -> None:
    from bots.console import ConsoleNotifier
    from scheduler.delivery.messages import Outgoing

    out = io.StringIO()
    message = Outgoing(
        platform="console",
        target_kind="user",
        target_id="console-user",
        text="⏰ Reminder (#4): call",
        reminder_id=4,
        fire_at=WED_9,
        actionable=True,
    )
    asyncio.run(ConsoleNotifier(out).deliver(message))
    assert out.getvalue().endswith(
        "⏰ Reminder (#4): call\n  → done 4 · snooze 4 20m · snooze 4 1h · snooze 4 tomorrow\n"
    )
