"""The HTTP edge refuses what Slack did not sign, cleanly, and never logs what a person typed.

Reproductions from the outside test (issue 15, points 1 and 2): slack-bolt's request
verification wrote every rejected body at INFO (user id, user name, text, response_url, any
size), and slack_sdk's signature check raised on a timestamp that is not a number (a 500 and an
ERROR traceback). A signed but malformed interactive payload was a 500 too.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from urllib.parse import urlencode

import pytest

from tests.slack.fake_slack import SECRET, sign

SECRET_TEXT = "student Jane Doe needs"
SECRET_USER = "UPRIVATE9"
FORM = "application/x-www-form-urlencoded"


def sign_bytes(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def _body(sender, text: str = SECRET_TEXT) -> str:
    return sender.command_body(text, user=SECRET_USER)


def _leaks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every captured line, at any level and from any logger, that holds the typed text or id."""
    found = []
    for record in caplog.records:
        line = record.getMessage() + (caplog.text if record.exc_info else "")
        if any(s in line for s in ("Jane Doe", SECRET_USER, "casey", "hooks.slack")):
            found.append(f"{record.name} {record.levelname}: {line[:200]}")
    return found


@pytest.fixture
def everything(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ("slack_bolt", "slack_sdk", "iepbot", "aiohttp"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    return caplog


async def test_unsigned_request_is_refused_without_logging_it(slack_lookup, everything):
    sender = slack_lookup.sender
    reply = await sender.post(_body(sender), FORM, headers={})
    assert reply.status == 401
    assert _leaks(everything) == []


async def test_a_huge_unsigned_body_is_refused_and_never_logged(slack_lookup, everything):
    sender = slack_lookup.sender
    huge = _body(sender, SECRET_TEXT + " x" * 450_000)
    reply = await sender.post(huge, FORM, headers={})
    assert reply.status in (401, 413)
    assert _leaks(everything) == []
    assert all(len(r.getMessage()) < 1_000 for r in everything.records)


async def test_a_stale_request_is_refused_without_logging_it(slack_lookup, everything):
    sender = slack_lookup.sender
    body = _body(sender)
    reply = await sender.post(body, FORM, headers=sign(body, timestamp=int(time.time()) - 600))
    assert reply.status == 401
    assert _leaks(everything) == []


@pytest.mark.parametrize("timestamp", ["abc", "1e10", "", "99999999999999999999999", "١٢٣"])
async def test_a_timestamp_that_is_not_a_number_is_a_401_not_a_500(
    slack_lookup, everything, timestamp
):
    sender = slack_lookup.sender
    body = _body(sender)
    headers = {**sign(body), "X-Slack-Request-Timestamp": timestamp}
    reply = await sender.post(body, FORM, headers=headers)
    assert reply.status == 401
    assert [r for r in everything.records if r.levelno >= logging.ERROR] == []
    assert _leaks(everything) == []
    assert slack_lookup.fake.responses == []


@pytest.mark.parametrize(
    "body",
    [
        "payload=notjson{",
        urlencode({"payload": "[1, 2"}),
        urlencode({"payload": '"just a string"'}),
        "\xff\xfe not form data",
        b"text=\xff\xfe",
    ],
)
async def test_a_signed_but_malformed_body_is_a_400_not_a_500(slack_lookup, everything, body):
    sender = slack_lookup.sender
    if isinstance(body, bytes):  # not UTF-8: signed as bytes, sent as bytes
        headers = {"Content-Type": FORM, **sign_bytes(body)}
        async with sender.session.post(sender.events_url, data=body, headers=headers) as r:
            assert r.status == 400
        return
    reply = await sender.post(body, FORM)
    assert reply.status == 400
    assert [r for r in everything.records if r.levelno >= logging.ERROR] == []


async def test_an_answered_command_leaves_no_typed_text_in_any_log(slack_lookup, everything):
    reply = await slack_lookup.sender.command(SECRET_TEXT, user=SECRET_USER)
    assert reply.status == 200
    assert _leaks(everything) == []
