"""Questions and `explain` through discord.py: the "not sure" buttons open the chosen entry."""

from __future__ import annotations

import logging

from tests.bots.test_questions_route import UNSURE
from tests.discord import payloads
from tests.discord.test_lookups import EPHEMERAL, dispatch


async def test_a_question_is_answered_with_the_entry(client, fake):
    payload = payloads.command("ask", term="how often is the iep reviewed")
    [followup] = await dispatch(client, fake, payload)
    [embed] = followup.body["embeds"]
    assert embed["title"] == "Annual IEP review"
    assert "how often is the iep reviewed" in embed["footer"]["text"]


async def test_unsure_offers_three_buttons_that_open_the_chosen_entry(client, fake):
    [answer] = await dispatch(client, fake, payloads.command("ask", term=UNSURE))
    [embed] = answer.body["embeds"]
    assert embed["title"] == "I'm not sure which of these you mean"
    buttons = payloads.buttons(answer.body)
    assert len(buttons) == 3
    assert all(b["custom_id"].startswith("iep:0:ask ") for b in buttons)
    chosen = buttons[1]
    press = payloads.press(chosen["custom_id"], payloads.message_from(answer.body))
    [opened] = await dispatch(client, fake, press)
    assert opened.body["embeds"][0]["title"] == chosen["label"]
    assert opened.body["flags"] & EPHEMERAL


async def test_unsure_in_spanish_for_a_spanish_client(client, fake):
    payload = payloads.command("ask", term="¿y el plan?", locale="es-ES")
    [answer] = await dispatch(client, fake, payload)
    assert answer.body["embeds"][0]["title"] == "No estoy seguro de cuál de estos quiere decir"
    assert len(payloads.buttons(answer.body)) == 3


async def test_explain_lists_terms_with_buttons_and_the_privacy_footer(client, fake, caplog):
    caplog.set_level(logging.DEBUG)
    passage = "Jordan-Smith-note: the team proposes an FBA before the ARD meeting."
    [answer] = await dispatch(client, fake, payloads.command("explain", text=passage))
    [embed] = answer.body["embeds"]
    assert embed["title"] == "Terms in your text (2)"
    names = [f["name"] for f in embed["fields"]]
    assert names[0] == "Functional behavioral assessment (FBA)"
    assert names[1].startswith("ARD meeting")
    assert "not stored or logged" in embed["footer"]["text"]
    labels = [b["label"] for b in payloads.buttons(answer.body)]
    assert labels == ["Functional behavioral assessment (FBA)", "IEP meeting"]
    assert all("Jordan" not in b["custom_id"] for b in payloads.buttons(answer.body))
    assert answer.body["flags"] & EPHEMERAL
    assert "Jordan-Smith" not in caplog.text
