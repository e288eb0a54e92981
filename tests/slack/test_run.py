"""`iepbot run` with Slack credentials: serve() finds the adapter and answers on --port."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta

from bots.run import serve
from tests.slack.conftest import env_for
from tests.slack.fake_slack import SlackSender


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_serve_runs_the_slack_adapter_over_http(fake, tmp_path):
    port = free_port()
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(
            env_for(fake),
            port=port,
            host="127.0.0.1",
            database_url=f"sqlite:///{tmp_path}/run.sqlite3",
            grace=timedelta(hours=1),
            stop=stop,
        )
    )
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", fake)
    try:
        for _ in range(200):  # wait (bounded) for the port to open
            try:
                reply = await sender.command("remind me in 3 hours via run")
                break
            except OSError:
                await asyncio.sleep(0.05)
        assert reply.status == 200
        [response] = await fake.wait_response()
        assert "Reminder #" in response["text"]
    finally:
        await sender.close()
        stop.set()
        assert await asyncio.wait_for(task, 10) == 0
