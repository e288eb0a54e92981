"""The reminder and track-a-case modals: opened with views.open, submitted as Slack submits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.slack.validate import assert_valid_blocks


def _deadlines_ready() -> bool:
    try:
        from content.deadlines import EVENTS, compute_deadlines  # noqa: F401
    except ImportError:
        return False
    return True


def remind_values(what="Bring the draft IEP", *, when=None, to=None):
    """The remind form as Slack submits it: its fields are the verb's declared parameters."""
    when = when if when is not None else "in 2 days at 9am"
    return {
        "when": {"v": {"type": "plain_text_input", "value": when}},
        "what": {"v": {"type": "plain_text_input", "value": what}},
        "to": {"v": {"type": "conversations_select", "selected_conversation": to}},
        "person": {"v": {"type": "users_select", "selected_user": None}},
    }


def track_values(case="AB-7", *, lead="14d,7d", day=None):
    day = day or datetime.now(ZoneInfo("America/Chicago")).date()
    return {
        "event": {"v": {"type": "static_select", "selected_option": {"value": "consent"}}},
        "date": {"v": {"type": "datepicker", "selected_date": day.isoformat()}},
        "case": {"v": {"type": "plain_text_input", "value": case}},
        "state": {"v": {"type": "plain_text_input", "value": None}},
        "lead": {"v": {"type": "plain_text_input", "value": lead}},
        "to": {"v": {"type": "conversations_select", "selected_conversation": None}},
    }


async def _open(slack, command="remind"):
    reply = await slack.sender.command(command)
    assert reply.status == 200 and reply.body == ""
    [opened] = await slack.fake.wait_call("views.open")
    assert opened["trigger_id"].endswith(".1.abc")
    view = opened["view"]
    assert_valid_blocks(view["blocks"], max_blocks=100)
    return {k: view[k] for k in ("type", "callback_id", "private_metadata", "title", "blocks")}


async def test_remind_modal_creates_a_reminder(slack):
    view = await _open(slack)
    assert view["callback_id"] == "iep_remind_modal"
    reply = await slack.sender.submit(view, remind_values())
    answer = reply.json()
    assert answer["response_action"] == "update"
    assert answer["view"]["title"]["text"] == "Reminder saved"
    assert_valid_blocks(answer["view"]["blocks"], max_blocks=100)
    [stored] = slack.ctx.store.list_reminders_for_owner("slack", "U1")
    assert stored.text == "Bring the draft IEP" and stored.target_kind == "user"
    local = stored.next_fire_at.astimezone(ZoneInfo("America/Chicago"))
    assert (local.hour, local.minute) == (9, 0)  # the user's Slack timezone


async def test_repeating_reminder_from_the_modal(slack):
    view = await _open(slack)
    answer = (
        await slack.sender.submit(view, remind_values("12 copies", when="every weekday at 8am"))
    ).json()
    assert answer["response_action"] == "update"
    [stored] = slack.ctx.store.list_reminders_for_owner("slack", "U1")
    assert stored.recurrence and stored.text == "12 copies"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (remind_values("   "), "what"),
        (remind_values(when=""), "when"),
        (remind_values(when="whenever you like"), "when"),
    ],
)
async def test_bad_fields_are_reported_next_to_the_field(slack, values, field):
    view = await _open(slack)
    answer = (await slack.sender.submit(view, values)).json()
    assert answer["response_action"] == "errors"
    assert field in answer["errors"]
    assert slack.ctx.store.list_reminders_for_owner("slack", "U1") == []


async def test_channel_from_the_modal_needs_membership(slack):
    view = await _open(slack)
    answer = (await slack.sender.submit(view, remind_values(to="C2"))).json()
    assert answer["response_action"] == "errors"
    assert "member" in answer["errors"]["when"]
    answer = (await slack.sender.submit(view, remind_values(to="C1"))).json()
    assert answer["response_action"] == "update"
    [stored] = slack.ctx.store.list_reminders_for_owner("slack", "U1")
    assert (stored.target_kind, stored.target_id) == ("channel", "C1")


async def test_home_button_opens_the_modal(slack):
    await slack.sender.press(
        {"type": "button", "action_id": "iep_open_track", "value": "open"}, home=True
    )
    [opened] = await slack.fake.wait_call("views.open")
    assert opened["view"]["callback_id"] == "iep_track_modal"


@pytest.mark.skipif(not _deadlines_ready(), reason="content.deadlines is being written")
async def test_track_modal_then_calendar_file(slack):
    view = await _open(slack, "track")
    assert view["callback_id"] == "iep_track_modal"
    values = track_values()
    answer = (await slack.sender.submit(view, values)).json()
    assert answer["response_action"] == "update", answer
    assert_valid_blocks(answer["view"]["blocks"], max_blocks=100)
    assert slack.ctx.store.list_cases("slack", "U1")

    await slack.sender.command("calendar")
    [done] = await slack.fake.wait_call("files.completeUploadExternal")
    assert done["channel_id"] == "D1"  # personal data goes to the DM, not the channel
    [ics] = slack.fake.uploads.values()
    assert b"BEGIN:VCALENDAR" in ics and b"AB-7" in ics
    [response] = await slack.fake.wait_response()
    assert "direct message" in str(response["blocks"])

    home = await slack.fake.wait_call("views.publish")
    assert "AB-7" in str(home[-1]["view"]["blocks"])


async def test_track_modal_rejects_a_name_like_label(slack):
    view = await _open(slack, "track")
    values = track_values("Jordan Smith")
    answer = (await slack.sender.submit(view, values)).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"case"}
    assert slack.ctx.store.list_cases("slack", "U1") == []


async def test_the_forms_are_the_verbs_declarations(slack):
    # Issue 16: a form is built from its verb's declared parameters, not by hand: one field
    # per parameter a person fills in, with the declaration's help as its label.
    from bots.verbs.declare import VERBS

    for n, name in enumerate(("remind", "track"), start=1):
        assert (await slack.sender.command(name)).status == 200
        view = (await slack.fake.wait_call("views.open", n))[-1]["view"]
        assert_valid_blocks(view["blocks"], max_blocks=100)
        fields = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
        declared = [
            p.name for p in VERBS[name].params if p.kind.value not in ("reminder", "instant")
        ]
        assert fields == declared, name
