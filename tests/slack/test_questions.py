"""Questions and `explain` through the bolt app: "not sure" buttons open the chosen entry."""

from __future__ import annotations

import logging

from tests.bots.test_questions_route import UNSURE
from tests.slack.blocks import block_buttons
from tests.slack.validate import assert_valid_blocks


async def test_slash_question_answers_with_the_entry(slack_lookup):
    answer = (await slack_lookup.sender.command("how often is the iep reviewed")).json()
    assert_valid_blocks(answer["blocks"])
    assert answer["blocks"][0]["text"]["text"] == "Annual IEP review"


async def test_unsure_has_three_buttons_and_one_opens_its_entry(slack_lookup):
    answer = (await slack_lookup.sender.command(UNSURE)).json()
    blocks = answer["blocks"]
    assert_valid_blocks(blocks)
    assert blocks[0]["text"]["text"] == "I'm not sure which of these you mean"
    suggest = [b for b in blocks if b.get("block_id", "").startswith("suggest")]
    choices = [e for b in suggest for e in b["elements"]]
    assert len(choices) == 3
    chosen = choices[2]
    await slack_lookup.sender.press(
        {
            "type": "button",
            "action_id": chosen["action_id"],
            "value": chosen["value"],
            "text": chosen["text"],
        }
    )
    [response] = await slack_lookup.fake.wait_response()
    assert_valid_blocks(response["blocks"])
    assert response["blocks"][0]["text"]["text"] == chosen["text"]["text"]


async def test_explain_answers_at_once_and_cannot_be_shared(slack_lookup, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Jordan-Smith-private-note"
    reply = await slack_lookup.sender.command(
        f"explain {secret}: we propose a REED and an FBA before the ARD meeting"
    )
    answer = reply.json()
    blocks = answer["blocks"]
    assert_valid_blocks(blocks)
    assert blocks[0]["text"]["text"] == "Terms in your text (3)"
    contexts = " ".join(
        e.get("text", "") for b in blocks if b["type"] == "context" for e in b["elements"]
    )
    assert "not stored or logged" in contexts
    buttons = block_buttons(blocks)
    assert all(b["action_id"] != "iep_share" for b in buttons)
    assert all(secret not in (b.get("value") or "") for b in buttons)
    assert {b["value"] for b in buttons} == {"reed", "fba", "iep-meeting"}
    assert secret not in caplog.text
