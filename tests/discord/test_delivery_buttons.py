"""Delivered reminders on Discord: the buttons on the DM (Done, Snooze 20 min / 1 hour /
Tomorrow 9am, Skip next and Stop when repeating) pressed as Discord sends them, and reminders
for someone else (the remind subcommand's `person` option). Real runtime: SQLite store, the
scheduler, DiscordNotifier, the fake Discord API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bots.discord.adapter import IepClient
from bots.runtime import Runtime
from tests.discord import payloads
from tests.discord.conftest import client_with_runtime
from tests.discord.test_lookups import EPHEMERAL, dispatch

NEW_YORK = ZoneInfo("America/New_York")  # the context's default zone: no setting, no profile


@pytest.fixture
async def bot(fake, tmp_path) -> AsyncIterator[tuple[IepClient, Runtime]]:
    async with client_with_runtime(tmp_path) as pair:
        yield pair


def _all(runtime: Runtime, user_id: str = payloads.PARENT) -> list:
    return runtime.store.list_reminders_for_owner("discord", user_id, active_only=False)


async def _deliver(client, fake, runtime, user_id=payloads.PARENT, **options):
    """Set a reminder with /iep remind, fire it now, and return (record, the delivered DM)."""
    await dispatch(client, fake, payloads.command("remind", **options))
    record = max(_all(runtime), key=lambda r: r.id)
    await runtime.engine.fire(record.id, record.next_fire_at)
    await runtime.dispatcher.join()
    sent = [c for c in fake.channel_messages if record.text in c.body["content"]]
    return record, sent[-1]


def _button(sent, label):
    return next(b for b in payloads.buttons(sent.body) if b["label"] == label)


async def _press(client, fake, sent, label, user_id=payloads.PARENT):
    message = payloads.message_from(sent.body, channel_id=sent.path.split("/")[-2])
    payload = payloads.press(_button(sent, label)["custom_id"], message, user_id=user_id, dm=True)
    [answer] = await dispatch(client, fake, payload)
    assert answer.body["flags"] & EPHEMERAL
    return answer.body["embeds"][0]


async def test_the_delivered_dm_carries_persistent_buttons_that_act_once(bot, fake):
    client, runtime = bot
    record, sent = await _deliver(client, fake, runtime, when="tomorrow 9am", what="call school")
    labels = [b["label"] for b in payloads.buttons(sent.body)]
    assert labels == ["Done", "Snooze 20 min", "1 hour", "Tomorrow 9am"]
    stamp = int(record.next_fire_at.timestamp())
    # Dynamic items: the custom_id carries the command, so a restart keeps them working.
    assert _button(sent, "Done")["custom_id"] == f"iep:0:done {record.id} at={stamp}"

    pressed = datetime.now(UTC)
    embed = await _press(client, fake, sent, "Snooze 20 min")
    assert embed["title"] == f"Reminder #{record.id} snoozed"
    snoozed = runtime.store.get_reminder(record.id).next_fire_at
    assert timedelta(minutes=20) <= snoozed - pressed <= timedelta(minutes=20, seconds=5)
    local = snoozed.astimezone(NEW_YORK)
    assert f"{local:%H:%M}" in embed["description"]
    assert "(America/New_York)" in embed["description"]

    twice = await _press(client, fake, sent, "Snooze 20 min")
    assert "already handled" in twice["title"]
    assert runtime.store.get_reminder(record.id).next_fire_at == snoozed

    stranger = await _press(client, fake, sent, "Done", user_id=payloads.STRANGER)
    assert "is not yours" in stranger["title"]
    assert runtime.store.get_delivery(record.id, record.next_fire_at).action == "snooze"

    done = await _press(client, fake, sent, "Done")
    assert done["title"] == f"Reminder #{record.id} marked done"


async def test_one_hour_and_tomorrow_9am(bot, fake):
    client, runtime = bot
    first, first_dm = await _deliver(client, fake, runtime, when="tomorrow 9am", what="hour one")
    second, second_dm = await _deliver(client, fake, runtime, when="tomorrow 9am", what="morning")
    pressed = datetime.now(UTC)
    await _press(client, fake, first_dm, "1 hour")
    hour = runtime.store.get_reminder(first.id).next_fire_at
    assert timedelta(hours=1) <= hour - pressed <= timedelta(hours=1, seconds=5)
    await _press(client, fake, second_dm, "Tomorrow 9am")
    morning = runtime.store.get_reminder(second.id).next_fire_at.astimezone(NEW_YORK)
    assert morning.date() == pressed.astimezone(NEW_YORK).date() + timedelta(days=1)
    assert (morning.hour, morning.minute) == (9, 0)


async def test_a_repeating_reminder_offers_skip_and_stop(bot, fake):
    client, runtime = bot
    record, sent = await _deliver(
        client, fake, runtime, when="every monday 8am", what="check the binder"
    )
    labels = [b["label"] for b in payloads.buttons(sent.body)]
    assert labels == ["Done", "Snooze 20 min", "1 hour", "Tomorrow 9am", "Skip next", "Stop"]
    advanced = runtime.store.get_reminder(record.id).next_fire_at
    skipped = await _press(client, fake, sent, "Skip next")
    assert runtime.store.get_reminder(record.id).next_fire_at - advanced == timedelta(days=7)
    assert "Repeats" in skipped["description"]
    stopped = await _press(client, fake, sent, "Stop")
    assert stopped["title"] == f"Reminder #{record.id} stopped"
    assert runtime.store.get_reminder(record.id).status == "cancelled"


async def test_a_reminder_for_someone_else_reaches_them_naming_the_setter(bot, fake):
    client, runtime = bot
    value, resolved = payloads.user_option(payloads.STRANGER)
    [answer] = await dispatch(
        client,
        fake,
        payloads.command(
            "remind", when="tomorrow 9am", what="bring the forms", person=value, resolved=resolved
        ),
    )
    assert "set" in answer.body["embeds"][0]["title"]
    assert f"<@{payloads.STRANGER}>" in answer.body["embeds"][0]["description"]
    [note] = fake.channel_messages
    assert fake.dm_user(note.path.split("/")[-2]) == payloads.STRANGER
    assert note.body["content"].startswith(f"👋 <@{payloads.PARENT}> set an iepbot reminder")
    assert note.body["allowed_mentions"] == {"parse": []}
    [record] = _all(runtime)
    assert (record.owner_id, record.target_id) == (payloads.PARENT, payloads.STRANGER)

    # Listed for both, and the recipient's buttons work.
    [theirs] = await dispatch(
        client, fake, payloads.command("reminders", user_id=payloads.STRANGER)
    )
    assert "bring the forms" in str(theirs.body["embeds"])
    await runtime.engine.fire(record.id, record.next_fire_at)
    await runtime.dispatcher.join()
    [dm] = [c for c in fake.channel_messages if "bring the forms" in c.body["content"]]
    assert fake.dm_user(dm.path.split("/")[-2]) == payloads.STRANGER
    assert dm.body["content"].startswith(f"<@{payloads.PARENT}> asked me to remind you:\n")
    assert dm.body["allowed_mentions"] == {"parse": []}
    embed = await _press(client, fake, dm, "Snooze 20 min", user_id=payloads.STRANGER)
    assert embed["title"] == f"Reminder #{record.id} snoozed"
    [cancelled] = await dispatch(
        client, fake, payloads.command("cancel", user_id=payloads.STRANGER, reminder=record.id)
    )
    assert "cancelled" in cancelled.body["embeds"][0]["title"]


@pytest.mark.parametrize(
    ("option", "blocked", "reason"),
    [
        (payloads.user_option(bot=True), False, "can't remind a bot"),
        (payloads.user_option(member=False), False, "not in this server"),
        (payloads.user_option(), True, "direct message"),
    ],
)
async def test_people_who_cannot_be_reached_are_refused_with_nothing_stored(
    bot, fake, option, blocked, reason
):
    client, runtime = bot
    if blocked:
        fake.blocked_dm_users.add(payloads.STRANGER)
    value, resolved = option
    before = len(fake.followups)
    payload = payloads.command(
        "remind", when="tomorrow 9am", what="x", person=value, resolved=resolved
    )
    client._connection.parse_interaction_create(payload)
    await fake.wait_for(lambda: len(fake.followups) > before)  # deferred first, then refused
    answer = fake.followups[-1].body
    assert answer["flags"] & EPHEMERAL
    assert reason in answer["embeds"][0]["title"]
    assert "Nothing was saved" in answer["embeds"][0]["description"]
    assert _all(runtime) == []
    # Only the DM probe went out (the one refused with 50007); no reminder was delivered.
    assert all(c.body["content"].startswith("👋") for c in fake.channel_messages)


async def test_buttons_work_after_a_restart(fake, tmp_path):
    """A new process (client and runtime on the same store) answers a press on a message the
    old one delivered: the custom_id alone carries what to do."""
    async with client_with_runtime(tmp_path) as (client, runtime):
        record, sent = await _deliver(client, fake, runtime, when="tomorrow 9am", what="forms")
    async with client_with_runtime(tmp_path) as (client, runtime):
        embed = await _press(client, fake, sent, "Done")
        assert embed["title"] == f"Reminder #{record.id} marked done"
        assert runtime.store.latest_delivery(record.id).action == "done"


async def test_a_person_option_that_is_not_a_user_is_refused_cleanly(bot, fake, caplog):
    # Found by the Discord fuzz test: a `person` option whose value is a string, not a user
    # (Discord's schema says user; a forged or broken payload may not), crashed with an
    # AttributeError behind the apology. It is an unreadable option: refused, nothing stored.
    import logging

    client, runtime = bot
    payload = payloads.command("remind", when="tomorrow 9am", what="x", person="not-a-user")
    with caplog.at_level(logging.WARNING):
        [answer] = await dispatch(client, fake, payload)
    assert answer.body["flags"] & EPHEMERAL
    assert answer.body["embeds"][0]["title"] == "I could not read that"
    assert _all(runtime) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
