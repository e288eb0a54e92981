"""`iepbot run` with Slack credentials: serve() finds the adapter and answers on --port."""

from __future__ import annotations

import asyncio

from tests.slack.conftest import running


async def test_serve_runs_the_slack_adapter_over_http(fake, tmp_path):
    async with running(fake, tmp_path / "run.sqlite3") as sender:
        for _ in range(200):  # wait (bounded) for the port to open
            try:
                reply = await sender.command("remind me in 3 hours via run")
                break
            except OSError:
                await asyncio.sleep(0.05)
        assert reply.status == 200
        [response] = await fake.wait_response()
        assert "Reminder #" in response["text"]
