"""Buttons: persistent (they work on a fresh client, as after a restart) and owner-only."""

from __future__ import annotations

from bots.discord.render import render
from bots.discord.views import NOT_YOURS
from bots.replies import Action, Reply, ReplyKind
from tests.discord import payloads
from tests.discord.test_lookups import EPHEMERAL, dispatch


def reminders_message() -> dict:
    """A reminder list as the bot sent it to PARENT (built by the real renderer)."""
    reply = Reply(
        kind=ReplyKind.INFO,
        title="Your reminders (1)",
        actions=[
            Action("Cancel #42", "cancel 42", "danger"),
            Action("Snooze #42 1 day", "snooze 42 1d"),
        ],
    )
    rendered = render(reply, int(payloads.PARENT))
    assert rendered.view is not None
    sent = {"components": rendered.view.to_components(), "embeds": [rendered.embed.to_dict()]}
    return payloads.message_from(sent)


def test_custom_ids_carry_owner_and_command():
    ids = [b["custom_id"] for b in payloads.buttons(reminders_message())]
    assert ids == [f"iep:{payloads.PARENT}:cancel 42", f"iep:{payloads.PARENT}:snooze 42 1d"]
    assert all(len(i) <= 100 for i in ids)


async def test_someone_else_pressing_cancel_gets_a_private_not_yours(client, fake):
    message = reminders_message()
    cancel = payloads.buttons(message)[0]["custom_id"]
    client._connection.parse_interaction_create(
        payloads.press(cancel, message, user_id=payloads.STRANGER)
    )
    await fake.wait_for(lambda: len(fake.callbacks) == 1)
    answer = fake.callbacks[0].body
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"] == NOT_YOURS
    assert answer["data"]["allowed_mentions"] == {"parse": []}
    assert not fake.followups  # nothing was routed


async def test_the_owner_pressing_runs_the_command_as_themselves(client, fake, monkeypatch):
    seen = []

    def fake_route(ctx, text, asker):
        seen.append((text, asker.user_id))
        return Reply(kind=ReplyKind.INFO, title="Reminder #42 cancelled")

    monkeypatch.setattr("bots.discord.handler.route", fake_route)
    message = reminders_message()
    cancel = payloads.buttons(message)[0]["custom_id"]
    [answer] = await dispatch(client, fake, payloads.press(cancel, message))
    assert seen == [("cancel 42", payloads.PARENT)]
    assert answer.body["embeds"][0]["title"] == "Reminder #42 cancelled"
    assert answer.body["flags"] & EPHEMERAL


async def test_a_forged_button_cannot_reach_other_verbs(client, fake, monkeypatch):
    monkeypatch.setattr("bots.discord.handler.route", lambda *a: 1 / 0)
    message = payloads.message_from(
        {
            "components": [
                {"type": 1, "components": [
                    {"type": 2, "style": 2, "label": "x", "custom_id": "iep:0:forget"}
                ]}
            ]
        }
    )  # fmt: skip
    client._connection.parse_interaction_create(payloads.press("iep:0:forget", message))
    await fake.wait_for(lambda: len(fake.callbacks) == 1)
    assert fake.callbacks[0].body["data"]["flags"] & EPHEMERAL
    assert not fake.followups


async def test_dm_blocked_is_told_privately_on_the_next_command(client, fake):
    client.iep.notifier.blocked[int(payloads.PARENT)] = 42
    answer, notice = await dispatch(client, fake, payloads.command("ask", term="iep"), n=2)
    assert notice.body["flags"] & EPHEMERAL
    assert "direct messages" in notice.body["embeds"][0]["title"]
    assert "#42" in notice.body["embeds"][0]["description"]
    assert not client.iep.notifier.blocked
    spanish = payloads.command("ask", term="iep", locale="es-419")
    client.iep.notifier.blocked[int(payloads.PARENT)] = None
    _, notice = await dispatch(client, fake, spanish, n=2)
    assert "mensajes directos" in notice.body["embeds"][0]["title"]
