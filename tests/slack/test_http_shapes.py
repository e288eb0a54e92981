"""Signed bodies of a shape bolt cannot route are a 400, never a 500. Found by fuzzing the
endpoint (tests/fuzz/test_slack_fuzz.py): bolt raised on them before any listener ran."""

from __future__ import annotations

import json
import logging

import pytest

from tests.slack.fake_slack import sign


@pytest.mark.parametrize(
    "body",
    [
        {"type": "event_callback", "event": None},
        {"type": "event_callback", "event": "app_mention"},
        {"type": "event_callback", "event": [1, 2]},
    ],
)
async def test_signed_event_of_the_wrong_shape_is_a_400(slack_lookup, caplog, body):
    text = json.dumps(body)
    with caplog.at_level(logging.DEBUG):
        reply = await slack_lookup.sender.post(text, "application/json", headers=sign(text))
    assert reply.status == 400
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
