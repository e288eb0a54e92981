"""Delivered reminders on Slack: their buttons (Done, Snooze 20 min / 1 hour / Tomorrow 9am,
Skip next and Stop when repeating), pressed as Slack sends them, and reminders for someone
else (`/iep remind @name ...`). Real runtime: SQLite store, scheduler, SlackNotifier, and the
fake Slack recording every Web API call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.identity import Asker
from scheduler.timing.phrases import parse_reminder
from tests.slack.blocks import block_buttons, block_text
from tests.slack.validate import assert_valid_blocks

CHICAGO = ZoneInfo("America/Chicago")


async def _delivered(slack, count=1):
    """The chat.postMessage calls of delivered reminders, once ``count`` have gone out."""
    return (await slack.fake.wait_call("chat.postMessage", count, timeout=20))[:count]


def _all(slack, user="U1"):
    """Every reminder the user set, finished ones too (a delivered one-off is "done")."""
    return slack.ctx.store.list_reminders_for_owner("slack", user, active_only=False)


def _fired(slack, reminder_id):
    """The fire time of a reminder's latest delivery (its ledger row)."""
    return slack.ctx.store.latest_delivery(reminder_id).fire_at


def _labels(post):
    return [b["text"]["text"] for b in block_buttons(post["blocks"])]


async def _press(slack, post, label, user="U1"):
    """Press a button of a delivered message (in a DM or channel, so not ephemeral) and
    return the response Slack got through the response_url."""
    button = next(b for b in block_buttons(post["blocks"]) if b["text"]["text"] == label)
    before = len(slack.fake.responses)
    await slack.sender.press(
        {"type": "button", "action_id": button["action_id"], "value": button["value"]},
        user=user,
        channel=post["channel"],
        ephemeral=False,
        message={"text": post["text"], "blocks": post["blocks"]},
    )
    responses = await slack.fake.wait_response(before + 1)
    return responses[-1]


async def test_a_one_off_reminder_is_delivered_with_done_and_snooze_buttons(slack):
    await slack.sender.command("remind me to call the school in 2 seconds")
    await slack.fake.wait_response()
    [post] = await _delivered(slack)
    assert_valid_blocks(post["blocks"])
    assert "call the school" in block_text(post["blocks"])
    assert _labels(post) == ["Done", "Snooze 20 min", "1 hour", "Tomorrow 9am"]
    [stored] = _all(slack)
    fired = _fired(slack, stored.id)
    # Each button names its delivery: the reminder and the fire time, as a router command.
    stamp = int(fired.timestamp())
    assert block_buttons(post["blocks"])[0]["value"] == f"done {stored.id} at={stamp}"

    done = await _press(slack, post, "Done")
    # The delivered message itself now says what was done, and keeps its buttons.
    assert done["replace_original"] is True
    assert_valid_blocks(done["blocks"])
    assert done["blocks"][-1].get("block_id") == "iep_status"
    assert f"Reminder #{stored.id} marked done" in done["blocks"][-1]["elements"][0]["text"]
    assert "call the school" in block_text(done["blocks"]) and _labels(done) == _labels(post)
    row = slack.ctx.store.get_delivery(stored.id, fired)
    assert row.action == "done" and row.acted_at is not None

    again = await _press(slack, post, "Done")
    assert again["response_type"] == "ephemeral" and again["replace_original"] is False
    assert "already handled" in block_text(again["blocks"])


async def test_snooze_buttons_move_it_once_and_show_the_exact_time(slack):
    await slack.sender.command("remind me in 2 seconds first")
    await slack.sender.command("remind me in 2 seconds second")
    await slack.sender.command("remind me in 2 seconds third")
    await slack.fake.wait_response(3)
    posts = await _delivered(slack, 3)
    by_text = {p["text"].split(": ", 1)[1]: p for p in posts}
    stored = {r.text: r for r in _all(slack)}

    pressed = datetime.now(UTC)
    snoozed = await _press(slack, by_text["first"], "Snooze 20 min")
    first = slack.ctx.store.get_reminder(stored["first"].id)
    assert first.status == "active"
    assert timedelta(minutes=20) <= first.next_fire_at - pressed <= timedelta(minutes=20, seconds=5)
    local = first.next_fire_at.astimezone(CHICAGO)
    shown = block_text(snoozed["blocks"])
    assert f"{local:%H:%M}" in shown and "(America/Chicago)" in shown and f"{local.year}" in shown

    # A double click snoozes once: the second press is refused and changes nothing.
    twice = await _press(slack, by_text["first"], "Snooze 20 min")
    assert "already handled" in block_text(twice["blocks"])
    assert slack.ctx.store.get_reminder(stored["first"].id).next_fire_at == first.next_fire_at

    await _press(slack, by_text["second"], "1 hour")
    second = slack.ctx.store.get_reminder(stored["second"].id)
    assert timedelta(hours=1) <= second.next_fire_at - pressed <= timedelta(hours=1, seconds=5)

    await _press(slack, by_text["third"], "Tomorrow 9am")
    third = slack.ctx.store.get_reminder(stored["third"].id).next_fire_at.astimezone(CHICAGO)
    assert (third.date(), third.hour, third.minute) == (
        pressed.astimezone(CHICAGO).date() + timedelta(days=1),
        9,
        0,
    )


async def test_a_stranger_pressing_a_button_is_refused_privately(slack):
    await slack.sender.command("remind here in 2 seconds staff notes")
    await slack.fake.wait_response()
    [post] = await _delivered(slack)
    assert post["channel"] == "C1"
    [stored] = _all(slack)
    refused = await _press(slack, post, "Snooze 20 min", user="U2")
    assert refused["response_type"] == "ephemeral"
    assert "is not yours" in block_text(refused["blocks"])
    after = slack.ctx.store.get_reminder(stored.id)
    assert after.status == "done" and after.next_fire_at is None
    assert slack.ctx.store.latest_delivery(stored.id).action is None


async def test_a_repeating_reminder_also_offers_skip_and_stop(slack):
    now = datetime.now(UTC)
    parsed = parse_reminder("every day at 9am water the plants", now=now, tz=CHICAGO)
    asker = Asker(platform="slack", user_id="U1", workspace_id="T1", is_admin=False)
    record = slack.ctx.reminders.create(
        asker,
        target_kind="user",
        target_id="U1",
        text=parsed.message,
        timezone="America/Chicago",
        lang="en",
        first_fire=now + timedelta(seconds=2),
        recurrence=parsed.recurrence,
    )
    [post] = await _delivered(slack)
    assert _labels(post) == ["Done", "Snooze 20 min", "1 hour", "Tomorrow 9am", "Skip next", "Stop"]
    advanced = slack.ctx.store.get_reminder(record.id).next_fire_at
    assert advanced.astimezone(CHICAGO).hour == 9

    skipped = await _press(slack, post, "Skip next")
    after_skip = slack.ctx.store.get_reminder(record.id).next_fire_at
    assert after_skip - advanced == timedelta(days=1)
    assert "next one skipped" in block_text(skipped["blocks"])
    assert "(America/Chicago)" in block_text(skipped["blocks"])

    stopped = await _press(slack, post, "Stop")
    assert f"Reminder #{record.id} stopped" in block_text(stopped["blocks"])
    assert slack.ctx.store.get_reminder(record.id).status == "cancelled"
    again = await _press(slack, post, "Stop")
    assert "already handled" in block_text(again["blocks"])


async def test_remind_someone_else_delivers_to_them_with_who_set_it(slack):
    await slack.sender.command("remind <@U2|pat> to bring the forms in 2 seconds", user="U1")
    [confirmation] = await slack.fake.wait_response()
    assert "Reminder #" in confirmation["text"]
    assert "<@U2>" in block_text(confirmation["blocks"])  # shown by Slack as @pat
    [stored] = _all(slack, "U1")
    assert (stored.owner_id, stored.target_kind, stored.target_id) == ("U1", "user", "U2")
    assert stored.text == "bring the forms"
    # It is on U2's Home tab too.
    await slack.fake.wait_for(
        lambda: any(c.get("user_id") == "U2" for c in slack.fake.called("views.publish"))
    )
    [post] = await _delivered(slack)
    assert post["channel"] == "D2"  # U2's DM with the app
    assert post["text"].startswith("<@U1> asked me to remind you:\n")
    assert "bring the forms" in post["text"]
    assert post["parse"] == "none"  # shown as a name, nobody pinged

    # The recipient's buttons work; a third person's do not, even a workspace admin's.
    refused = await _press(slack, post, "Snooze 20 min", user="UADMIN")
    assert "is not yours" in block_text(refused["blocks"])
    snoozed = await _press(slack, post, "Snooze 20 min", user="U2")
    assert f"Reminder #{stored.id} snoozed" in block_text(snoozed["blocks"])
    # U2 sees the snoozed time in their own zone.
    assert "(America/New_York)" in block_text(snoozed["blocks"])


async def test_reminders_for_someone_else_are_listed_and_cancellable_by_both(slack):
    await slack.sender.command("remind <@U2|pat> in 3 hours first", user="U1")
    await slack.sender.command("remind <@U2|pat> in 4 hours second", user="U1")
    await slack.fake.wait_response(2)
    first, second = sorted(_all(slack, "U1"), key=lambda r: r.id)

    await slack.sender.command("reminders", user="U2")
    theirs = (await slack.fake.wait_response(3))[-1]
    assert "first" in block_text(theirs["blocks"]) and "second" in block_text(theirs["blocks"])
    assert "you (from <@U1>)" in block_text(theirs["blocks"])
    await slack.sender.command("reminders", user="U1")
    mine = (await slack.fake.wait_response(4))[-1]
    assert "<@U2>" in block_text(mine["blocks"]) and "first" in block_text(mine["blocks"])

    await slack.sender.command(f"cancel {first.id}", user="U2")
    assert "cancelled" in (await slack.fake.wait_response(5))[-1]["text"]
    await slack.sender.command(f"cancel {second.id}", user="U1")
    assert "cancelled" in (await slack.fake.wait_response(6))[-1]["text"]
    assert {r.status for r in _all(slack, "U1")} == {"cancelled"}
    # Someone who is neither may not.
    await slack.sender.command("remind <@U2|pat> in 4 hours third", user="U1")
    await slack.fake.wait_response(7)
    third = max(_all(slack, "U1"), key=lambda r: r.id)
    slack.fake.users["U3"] = {"tz": "America/Chicago", "is_admin": False}
    await slack.sender.command(f"cancel {third.id}", user="U3")
    # U3 cannot see it, so it answers like an unknown id (no probing of ids: issue 15)
    assert f"There is no reminder #{third.id}" in (await slack.fake.wait_response(8))[-1]["text"]
    assert {r.status for r in _all(slack, "U1") if r.id == third.id} == {"active"}


@pytest.mark.parametrize(
    ("person", "profile", "dm_error", "reason"),
    [
        ("UBOTX", {"is_bot": True}, None, "can't remind a bot"),
        ("UGONE", {"deleted": True}, None, "deactivated"),
        ("UEXT", {"team_id": "T9"}, None, "outside this workspace"),
        ("UNODM", {}, "user_disabled", "direct message"),
        ("UNOBODY", None, None, "can't find that person"),
    ],
)
async def test_people_who_cannot_be_reached_are_refused_with_nothing_stored(
    slack, person, profile, dm_error, reason
):
    if profile is not None:
        slack.fake.users[person] = {"tz": "America/Chicago", "team_id": "T1", **profile}
    if dm_error:
        slack.fake.dm_errors[person] = dm_error
    await slack.sender.command(f"remind <@{person}|someone> tomorrow at 9am call", user="U1")
    [answer] = await slack.fake.wait_response()
    assert answer["response_type"] == "ephemeral"
    assert reason in answer["text"] and "Nothing was saved" in block_text(answer["blocks"])
    assert _all(slack, "U1") == []
    assert slack.ctx.store.list_reminders_for_target("slack", person, active_only=False) == []


async def test_remind_at_myself_is_remind_me(slack):
    await slack.sender.command("remind <@U1|casey> to stretch in 3 hours", user="U1")
    [confirmation] = await slack.fake.wait_response()
    assert "you (a direct message)" in block_text(confirmation["blocks"])
    [stored] = _all(slack, "U1")
    assert (stored.target_id, stored.text) == ("U1", "stretch")
    # No reachability check for yourself (it would ask users.info about the person again):
    # only the asker's profile, and their own DM learned once for the delivery.
    await slack.fake.wait_call("conversations.open", timeout=10)
    await slack.adapter.bot.drain()
    assert len(slack.fake.called("users.info")) == 1
    assert [c["users"] for c in slack.fake.called("conversations.open")] == ["U1"]


async def test_buttons_work_after_the_app_restarts(slack):
    """A new app on the same store answers a press on a message the old one delivered: the
    action_id and value carry all it needs."""
    from tests.slack.conftest import _started
    from tests.slack.fake_slack import SlackSender

    await slack.sender.command("remind me in 2 seconds restart check")
    await slack.fake.wait_response()
    [post] = await _delivered(slack)
    [stored] = _all(slack)
    await slack.sender.close()
    await slack.adapter.stop()
    adapter, sender = await _started(slack.fake, slack.ctx)
    try:
        restarted = type(slack)(slack.fake, adapter, sender, slack.ctx)
        done = await _press(restarted, post, "Done")
        assert f"Reminder #{stored.id} marked done" in block_text(done["blocks"])
    finally:
        await sender.close()
        await adapter.stop()
        slack.sender = SlackSender(slack.adapter.url, slack.fake)  # closed again by the fixture
