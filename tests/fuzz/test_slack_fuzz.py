"""Property-based fuzzing of Slack's HTTP endpoint (the real adapter on a real port, on the
real runtime with a SQLite store): form bodies, interactive payloads and JSON events, signed and
unsigned, with odd content types and timestamps. Never a 5xx, never a traceback in the logs,
unsigned is always 401; and a request that was refused stores nothing."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.slack.conftest import CHANNELS, USERS, Slack, slack_with_store
from tests.slack.fake_slack import FakeSlack, sign

FORM = "application/x-www-form-urlencoded"
TABLES = ("reminders", "tracked_cases", "settings")

SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)
)
JSON = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["help", "remind me in 2 hours x", "reminders", "cancel 1", "forget", ""]),
)
IDS = st.one_of(st.sampled_from(["U1", "U2", "C1", "T1", "D1", ""]), st.text(max_size=12))


def _user() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.fixed_dictionaries({"id": IDS}, optional={"team_id": IDS, "name": st.text(max_size=8)}),
        JSON,
    )


def _payload(response_url: str) -> st.SearchStrategy[dict[str, Any]]:
    """Interactive payloads with the keys bolt and the app read, each maybe the wrong type."""
    action = st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["button", "static_select", "x"]),
            "action_id": st.one_of(st.sampled_from(["iep_cmd_0", "iep_share", "x"]), JSON),
            "value": st.one_of(TEXT, JSON),
            "block_id": st.text(max_size=8),
            "selected_option": JSON,
        },
    )
    return st.fixed_dictionaries(
        {
            "type": st.one_of(
                st.sampled_from(
                    [
                        "block_actions",
                        "view_submission",
                        "view_closed",
                        "shortcut",
                        "message_action",
                        "block_suggestion",
                    ]
                ),
                st.text(max_size=10),
            )
        },
        optional={
            "user": _user(),
            "team": st.one_of(st.fixed_dictionaries({"id": IDS}), JSON),
            "actions": st.one_of(st.lists(action, max_size=2), JSON),
            "view": st.one_of(
                st.fixed_dictionaries(
                    {
                        "callback_id": st.sampled_from(
                            ["iep_remind_modal", "iep_track_modal", "x"]
                        ),
                        "state": st.fixed_dictionaries({"values": JSON}),
                    },
                    optional={"private_metadata": st.one_of(st.text(max_size=20), JSON)},
                ),
                JSON,
            ),
            "container": JSON,
            "channel": st.one_of(st.fixed_dictionaries({"id": IDS}), JSON),
            "callback_id": st.text(max_size=10),
            "trigger_id": st.text(max_size=10),
            "response_url": st.just(response_url),
            "api_app_id": st.just("A1"),
        },
    )


def _command(response_url: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"command": st.sampled_from(["/iep", "/other", ""]), "text": TEXT},
        optional={
            "team_id": IDS,
            "user_id": IDS,
            "channel_id": IDS,
            "user_name": st.text(max_size=8),
            "trigger_id": st.text(max_size=8),
            "response_url": st.just(response_url),
            "ssl_check": st.sampled_from(["1", "0"]),
            "api_app_id": st.just("A1"),
        },
    )


def _event() -> st.SearchStrategy[Any]:
    inner = st.fixed_dictionaries(
        {"type": st.sampled_from(["app_mention", "message", "app_home_opened", "x"])},
        optional={
            "user": IDS,
            "channel": IDS,
            "text": TEXT,
            "tab": st.sampled_from(["home", "messages"]),
            "bot_id": st.text(max_size=4),
            "channel_type": st.sampled_from(["im", "channel"]),
            "ts": st.text(max_size=12),
        },
    )
    return st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("event_callback"), "event": st.one_of(inner, JSON)},
            optional={"team_id": IDS, "event_id": st.text(max_size=8), "api_app_id": IDS},
        ),
        st.fixed_dictionaries(
            {"type": st.just("url_verification"), "challenge": st.one_of(st.text(), JSON)}
        ),
        JSON,
    )


def requests(response_url: str) -> st.SearchStrategy[tuple[str, str]]:
    """(body, content type) as Slack might send them, and as an attacker might."""
    form = _command(response_url).map(lambda d: (urlencode(d), FORM))
    interactive = st.one_of(
        _payload(response_url).map(lambda p: urlencode({"payload": json.dumps(p)})),
        st.text(max_size=60).map(lambda t: urlencode({"payload": t})),
    ).map(lambda b: (b, FORM))
    events = _event().map(lambda e: (json.dumps(e), "application/json"))
    raw = st.tuples(
        st.text(max_size=120),
        st.sampled_from([FORM, "application/json", "text/plain", "multipart/form-data", ""]),
    )
    return st.one_of(form, interactive, events, raw)


HEADERS = st.sampled_from(["signed", "unsigned", "stale", "garbage-ts", "wrong-secret"])


def _headers(kind: str, body: str) -> dict[str, str]:
    if kind == "signed":
        return sign(body)
    if kind == "stale":
        return sign(body, timestamp=int(time.time()) - 3600)
    if kind == "garbage-ts":
        return {**sign(body), "X-Slack-Request-Timestamp": "1e10"}
    if kind == "wrong-secret":
        return sign(body, secret="not-the-secret")
    return {}


@pytest.fixture
async def slack(tmp_path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Slack]:
    fake = FakeSlack(
        users={k: dict(v) for k, v in USERS.items()},
        channels={k: list(v) for k, v in CHANNELS.items()},
        groups={"SADMINS": ["UGROUP"]},
    )
    await fake.start()
    async with slack_with_store(fake, tmp_path) as running_slack:
        caplog.set_level(logging.WARNING)
        yield running_slack
    await fake.stop()
    assert _tracebacks(caplog.records) == []  # nothing failed after an answer went out


def _snapshot(slack: Slack) -> dict[str, list[tuple]]:
    assert slack.ctx.store is not None
    with slack.ctx.store.engine.connect() as conn:
        return {
            t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}")).all()))  # noqa: S608
            for t in TABLES
        }


def _tracebacks(records: list[logging.LogRecord]) -> list[str]:
    return [
        f"{r.name} {r.levelname}: {r.getMessage()[:200]}"
        for r in records
        if r.exc_info or r.levelno >= logging.ERROR
    ]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), kind=HEADERS)
async def test_any_request_is_answered_without_a_5xx_or_a_traceback(
    slack: Slack, caplog: pytest.LogCaptureFixture, data: st.DataObject, kind: str
) -> None:
    body, content_type = data.draw(requests(f"{slack.fake.url}/response/fuzz"))
    seen = len(caplog.records)
    before = _snapshot(slack)
    reply = await slack.sender.post(body, content_type, headers=_headers(kind, body))
    assert reply.status < 500, (kind, content_type, body[:300], reply.body[:300])
    assert "Traceback" not in reply.body
    if kind != "signed":
        assert reply.status == 401, (kind, reply.status)
        assert _snapshot(slack) == before
    elif reply.status >= 400:
        assert _snapshot(slack) == before
    assert _tracebacks(caplog.records[seen:]) == [], (kind, content_type, body[:300])
