"""Signed bodies of a shape bolt or our listeners cannot handle are answered 4xx (or ignored
with a 200), never a 500 nor a traceback. Found by fuzzing the endpoint
(tests/fuzz/test_slack_fuzz.py): bolt's middleware or a listener raised on them."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from tests.slack.fake_slack import sign

FORM = "application/x-www-form-urlencoded"


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


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions", "actions": []},
        {"type": "block_actions"},
        {"type": "block_actions", "actions": "x"},
        {"type": "block_actions", "actions": [None]},
        {"type": "block_actions", "actions": [{"action_id": "x"}], "user": "U1"},
        {"type": "view_submission", "view": "x"},
        # found by the fuzz test in CI: bolt's workflow-step check reads view["type"]
        {"type": "view_submission", "view": {"callback_id": "iep_remind_modal"}},
        {"type": "view_submission", "view": {"callback_id": "x", "state": {"values": None}}},
        {"type": "view_submission"},
        {"type": "shortcut", "team": 5, "callback_id": "x"},
        {"type": "block_actions", "actions": [{}]},
        {"type": "block_actions", "actions": [{"action_id": ["x"]}]},
        {"type": "block_actions", "actions": [{"action_id": "iep_cmd_0", "value": 5}]},
        {"type": "block_actions", "actions": [{"action_id": "iep_cmd_0", "value": None}]},
        {"type": "block_actions", "actions": [{"action_id": "iep_cmd_0", "value": "help"}]},
    ],
)
async def test_signed_button_press_of_the_wrong_shape_is_not_a_500(slack_lookup, caplog, payload):
    text = urlencode({"payload": json.dumps(payload)})
    with caplog.at_level(logging.DEBUG):
        reply = await slack_lookup.sender.post(text, FORM, headers=sign(text))
    assert reply.status < 500
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
