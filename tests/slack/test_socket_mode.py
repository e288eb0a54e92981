"""Socket Mode: the same bolt app, fed through a WebSocket from the fake Slack."""

from __future__ import annotations

from urllib.parse import parse_qsl

from bots.context import Context
from bots.slack.adapter import from_env
from tests.slack.validate import assert_valid_blocks


async def test_slash_command_over_socket_mode(fake, library):
    adapter = from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_APP_TOKEN": "xapp-test-token",
            "SLACK_API_URL": f"{fake.url}/api",
        },
        {"port": 0},
    )
    assert adapter is not None and adapter.mode == "socket"
    await adapter.start(Context(library))
    try:
        [opened] = await fake.wait_call("apps.connections.open")
        assert opened["_auth"] == "Bearer xapp-test-token"
        from tests.slack.fake_slack import SlackSender

        body = SlackSender("unused", fake).command_body("504 plan")
        payload = dict(parse_qsl(body))
        await fake.push(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": payload,
            }
        )
        [ack] = await fake.wait_for(
            lambda: [a for a in fake.socket_acks if a.get("envelope_id") == "env-1"]
        )
        assert ack["payload"]["response_type"] == "ephemeral"
        assert_valid_blocks(ack["payload"]["blocks"])
    finally:
        await adapter.stop()
