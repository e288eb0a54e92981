"""Lookups through discord.py: a gateway payload in, what reached the fake Discord out."""

from __future__ import annotations

from typing import Any

import pytest

from bots.discord.adapter import IepClient
from tests.discord import payloads
from tests.discord.fake_discord import FakeDiscord

EPHEMERAL = 64


async def dispatch(client: IepClient, fake: FakeDiscord, payload: dict[str, Any], n: int = 1):
    """Feed an interaction to discord.py as the gateway would; wait for ``n`` follow-ups."""
    before = len(fake.followups)
    client._connection.parse_interaction_create(payload)
    await fake.wait_for(lambda: len(fake.followups) >= before + n)
    return fake.followups[before:]


async def test_ask_defers_then_sends_an_ephemeral_embed(client, fake):
    payload = payloads.command("ask", term="504 plan")
    [followup] = await dispatch(client, fake, payload)

    [callback] = fake.callbacks
    assert callback.path.endswith(f"/interactions/{payload['id']}/{payload['token']}/callback")
    assert callback.body["type"] == 5  # deferred: the 3-second clock is stopped first
    assert callback.body["data"]["flags"] & EPHEMERAL
    body = followup.body
    assert body["flags"] & EPHEMERAL
    [embed] = body["embeds"]
    assert "504" in embed["title"]
    assert embed["description"]
    sources = [f for f in embed["fields"] if f["name"] == "Sources"]
    assert sources and "](http" in sources[0]["value"]
    assert body["allowed_mentions"] == {"parse": []}
    buttons = [c for row in body["components"] for c in row["components"]]
    assert buttons and all(b["custom_id"].startswith("iep:0:ask ") for b in buttons)


async def test_miss_offers_suggestions_as_buttons(client, fake):
    [followup] = await dispatch(client, fake, payloads.command("ask", term="individualised plan"))
    embed = followup.body["embeds"][0]
    buttons = [c for row in followup.body["components"] for c in row["components"]]
    assert embed["fields"] and buttons


async def test_related_button_opens_the_related_entry_for_anyone(client, fake):
    [answer] = await dispatch(client, fake, payloads.command("ask", term="504 plan"))
    message = payloads.message_from(answer.body)
    button = payloads.buttons(answer.body)[0]
    press = payloads.press(button["custom_id"], message, user_id=payloads.STRANGER)
    [opened] = await dispatch(client, fake, press)
    assert opened.body["embeds"][0]["title"] == button["label"]
    assert opened.body["flags"] & EPHEMERAL


async def test_compare_and_topics_and_help(client, fake):
    [compare] = await dispatch(
        client, fake, payloads.command("compare", first="iep", second="504 plan")
    )
    assert len(compare.body["embeds"][0]["fields"]) >= 2
    [topics] = await dispatch(client, fake, payloads.command("topics"))
    assert topics.body["embeds"][0]["title"]
    [help_] = await dispatch(client, fake, payloads.command("help"))
    assert "/iep" in help_.body["embeds"][0]["title"]


async def test_deadlines_with_a_typed_date_and_state(client, fake):
    pytest.importorskip("bots.verbs.deadlines", reason="the deadlines verb is still landing")
    payload = payloads.command("deadlines", event="consent", date="9/15/2026", state="tx")
    [followup] = await dispatch(client, fake, payload)
    embed = followup.body["embeds"][0]
    assert embed["color"] != 0xED4245, embed
    assert any("2026" in f["name"] or "2026" in f["value"] for f in embed["fields"])


async def test_bad_date_gets_a_short_private_answer(client, fake):
    payload = payloads.command("deadlines", event="consent", date="sometime soon")
    [answer] = await dispatch(client, fake, payload)
    [callback] = fake.callbacks
    assert callback.body["type"] == 5 and callback.body["data"]["flags"] & EPHEMERAL
    assert answer.body["flags"] & EPHEMERAL
    assert "2026-09-15" in answer.body["embeds"][0]["description"]


async def test_unknown_state_is_refused_before_routing(client, fake):
    payload = payloads.command("deadlines", event="consent", date="2026-09-15", state="Narnia")
    [answer] = await dispatch(client, fake, payload)
    assert answer.body["embeds"][0]["title"] == "Unknown state"


async def test_works_in_a_dm_too(client, fake):
    [followup] = await dispatch(client, fake, payloads.command("ask", term="fape", dm=True))
    assert followup.body["embeds"][0]["title"].startswith("Free Appropriate")


def test_discord_debug_logs_never_carry_user_text(client):
    import logging

    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.DEBUG)
    try:
        assert not logging.getLogger("discord.http").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("discord.gateway").isEnabledFor(logging.DEBUG)
    finally:
        root.setLevel(before)
