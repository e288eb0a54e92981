"""Reminder verbs through Slack on the real runtime: stored in SQLite, fired by the scheduler,
delivered by SlackNotifier to the fake Slack, with its buttons pressed as Slack sends them."""

from __future__ import annotations

import asyncio
import time

from tests.slack.blocks import block_buttons, block_text
from tests.slack.validate import assert_valid_blocks


async def eventually(read, status, timeout=10.0):
    """Wait (polling, bounded) until the ledger row reaches ``status``."""
    deadline = time.monotonic() + timeout
    while True:
        found = read()
        if found is not None and found.status == status:
            return found
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.02)


def _reminders(slack, user="U1"):
    return slack.ctx.store.list_reminders_for_owner("slack", user)


async def test_personal_reminder_is_stored_fired_and_sent_as_a_dm(slack):
    reply = await slack.sender.command("remind me in 2 seconds bring the draft")
    assert reply.status == 200
    [confirmation] = await slack.fake.wait_response()
    assert confirmation["response_type"] == "ephemeral"
    assert_valid_blocks(confirmation["blocks"])
    assert "Reminder #" in confirmation["text"]
    [post] = await slack.fake.wait_call("chat.postMessage", timeout=15)
    assert post["channel"] == "D1"  # the DM opened with conversations.open
    assert slack.fake.called("conversations.open")[0]["users"] == "U1"
    assert "bring the draft" in post["text"]
    assert post["parse"] == "none" and post["link_names"] in (False, "false", 0, "0")
    assert post["_auth"] == "Bearer xoxb-test-token"


async def test_mentions_typed_by_a_user_never_ping(slack):
    # What Slack sends for "@channel @here @everyone @pat <b> & <@U2>" typed in /iep:
    typed = (
        "remind here in 2 seconds <!channel> <!here|here> <!everyone> @here <@U2|pat> "
        "&lt;b&gt; &amp; x"
    )
    await slack.sender.command(typed)
    [confirmation] = await slack.fake.wait_response()
    assert "<!" not in str(confirmation) and "<@" not in str(confirmation)
    [post] = await slack.fake.wait_call("chat.postMessage", timeout=15)
    text = post["text"]
    assert post["channel"] == "C1"
    for live in ("<!channel>", "<!here", "<!everyone>", "<@U2", "<b>"):
        assert live not in text
    assert "@\u2060channel" in text and "@\u2060here" in text and "@\u2060everyone" in text
    assert "&lt;b&gt; &amp; x" in text and "@pat" in text
    assert post["parse"] == "none"


async def test_rate_limited_post_is_retried_after_retry_after(slack):
    slack.fake.rate_limit_posts = 1
    slack.fake.retry_after = "1"
    await slack.sender.command("remind me in 2 seconds retry me")
    await slack.fake.wait_response()
    [stored] = _reminders(slack)
    await slack.fake.wait_call("chat.postMessage", timeout=20)
    posts = [c for c in slack.fake.calls if c.method == "chat.postMessage"]
    assert [c.status for c in posts] == [429, 200]  # slack_sdk did not retry on its own
    assert posts[1].at - posts[0].at >= 0.9  # Retry-After honoured
    delivery = await eventually(
        lambda: slack.ctx.store.get_delivery(stored.id, stored.next_fire_at), "sent"
    )
    assert delivery.status == "sent" and delivery.attempts == 2


async def test_ten_thousand_characters_are_refused_politely(slack):
    await slack.sender.command("remind me tomorrow 9am " + "x" * 10_000)
    [response] = await slack.fake.wait_response()
    assert response["response_type"] == "ephemeral"
    assert_valid_blocks(response["blocks"])
    assert "the most I read is 4,000" in response["text"]  # refused before any parsing
    assert _reminders(slack) == []


async def test_list_buttons_cancel_and_snooze(slack):
    await slack.sender.command("remind me in 3 hours first one")
    await slack.sender.command("remind me in 5 hours second one")
    await slack.fake.wait_response(2)
    await slack.sender.command("reminders")
    listing = (await slack.fake.wait_response(3))[-1]
    assert_valid_blocks(listing["blocks"])
    buttons = block_buttons(listing["blocks"])
    first, second = sorted(r.id for r in _reminders(slack))
    cancel = next(b for b in buttons if b["value"] == f"cancel {first}")
    assert cancel["style"] == "danger"
    await slack.sender.press({"type": "button", **{k: cancel[k] for k in ("action_id", "value")}})
    updated = (await slack.fake.wait_response(4))[-1]
    assert updated["replace_original"] is True and updated["response_type"] == "ephemeral"
    assert f"Reminder #{first} cancelled" in block_text(updated["blocks"])
    assert all(b["value"] != f"cancel {first}" for b in block_buttons(updated["blocks"]))
    assert slack.ctx.store.get_reminder(first).status == "cancelled"

    before = slack.ctx.store.get_reminder(second).next_fire_at
    snooze = next(
        b for b in block_buttons(updated["blocks"]) if b["value"] == f"snooze {second} 1d"
    )
    await slack.sender.press({"type": "button", **{k: snooze[k] for k in ("action_id", "value")}})
    snoozed = (await slack.fake.wait_response(5))[-1]
    assert f"Reminder #{second} snoozed" in block_text(snoozed["blocks"])
    after = slack.ctx.store.get_reminder(second).next_fire_at
    assert (after - before).total_seconds() == 86400


async def test_someone_else_cannot_cancel_my_reminder(slack):
    await slack.sender.command("remind me in 3 hours mine")
    await slack.fake.wait_response()
    [mine] = _reminders(slack)
    await slack.sender.press(
        {"type": "button", "action_id": "iep_cmd_0", "value": f"cancel {mine.id}"}, user="U2"
    )
    response = (await slack.fake.wait_response(2))[-1]
    # U2 cannot see it, so it answers like an id that does not exist (no probing: issue 15)
    assert f"There is no reminder #{mine.id}" in block_text(response["blocks"])
    assert slack.ctx.store.get_reminder(mine.id).status == "active"


async def test_channel_reminders_only_by_members(slack):
    await slack.sender.command("remind <#C2|other> in 1 hour staff meeting", user="U1")
    refused = (await slack.fake.wait_response())[-1]
    assert "member" in refused["text"]
    assert _reminders(slack, "U1") == []
    await slack.sender.command("remind <#C2|other> in 1 hour staff meeting", user="U2")
    accepted = (await slack.fake.wait_response(2))[-1]
    assert "Reminder #" in accepted["text"]
    [stored] = _reminders(slack, "U2")
    assert (stored.target_kind, stored.target_id) == ("channel", "C2")
    members = slack.fake.called("conversations.members")
    assert {m["channel"] for m in members} == {"C2"}


async def test_timezone_comes_from_slack_unless_the_user_set_one(slack):
    await slack.sender.command("timezone")
    assert "America/Chicago" in (await slack.fake.wait_response())[-1]["text"]
    await slack.sender.command("timezone Europe/Madrid")
    await slack.fake.wait_response(2)
    await slack.sender.command("timezone")
    assert "Europe/Madrid" in (await slack.fake.wait_response(3))[-1]["text"]
    # users.info is cached: one call for three commands.
    assert len(slack.fake.called("users.info")) == 1


async def test_workspace_settings_only_for_admins_or_the_admin_group(slack):
    await slack.sender.command("timezone workspace America/Denver", user="U1")
    assert "Only workspace" in (await slack.fake.wait_response())[-1]["text"]
    await slack.sender.command("timezone workspace America/Denver", user="UGROUP")
    assert "workspace default" in (await slack.fake.wait_response(2))[-1]["text"]
    await slack.sender.command("lang workspace es", user="UADMIN")
    assert "Español" in (await slack.fake.wait_response(3))[-1]["text"]
    assert slack.fake.called("usergroups.users.list")[0]["usergroup"] == "SADMINS"


async def test_home_tab_shows_reminders_and_refreshes_on_change(slack):
    await slack.sender.event(
        {
            "type": "app_home_opened",
            "user": "U1",
            "channel": "D1",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
    )
    [first] = await slack.fake.wait_call("views.publish")
    assert first["user_id"] == "U1"
    assert_valid_blocks(first["view"]["blocks"], max_blocks=100)
    assert "No reminders yet" in block_text(first["view"]["blocks"])
    await slack.sender.command("remind me in 3 hours home check")
    published = await slack.fake.wait_call("views.publish", 2)
    view = published[-1]["view"]
    assert_valid_blocks(view["blocks"], max_blocks=100)
    assert "home check" in block_text(view["blocks"])
    [stored] = _reminders(slack)
    cancel = next(
        b for b in block_buttons(view["blocks"]) if b.get("value") == f"cancel {stored.id}"
    )
    await slack.sender.press(
        {"type": "button", "action_id": cancel["action_id"], "value": cancel["value"]}, home=True
    )
    published = await slack.fake.wait_call("views.publish", 3)
    assert f"Reminder #{stored.id} cancelled" in block_text(published[-1]["view"]["blocks"])
    assert slack.ctx.store.get_reminder(stored.id).status == "cancelled"


async def test_forget_deletes_my_data(slack):
    await slack.sender.command("remind me in 3 hours to forget")
    await slack.fake.wait_response()
    await slack.sender.command("forget")
    assert "deleted" in (await slack.fake.wait_response(2))[-1]["text"]
    assert _reminders(slack) == []
