"""`iepbot run` with Slack credentials: serve() finds the adapter and answers on --port."""

from __future__ import annotations

import asyncio
from datetime import timedelta

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


async def test_serve_offers_add_to_slack_with_oauth_settings(tmp_path):
    """`iepbot run` with SLACK_CLIENT_ID/_SECRET and no bot token: the install page is served,
    a workspace installs through the flow and its commands are answered with its own token."""
    from bots.run import serve
    from tests.local_server import free_port
    from tests.slack.fake_slack import FakeSlack, SlackSender, Workspace
    from tests.slack.test_workspaces import install, oauth_env

    fake = FakeSlack(
        users={"U1": {"tz": "America/Chicago"}}, workspaces=[Workspace("T1", "N", "U1")]
    )
    await fake.start()
    port, stop = free_port(), asyncio.Event()
    task = asyncio.create_task(
        serve(
            oauth_env(fake),
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
                status, page = await install(f"http://127.0.0.1:{port}", "code-T1")
                break
            except OSError:
                await asyncio.sleep(0.05)
        assert status == 200, page
        reply = await sender.command("remind me in 3 hours via run")
        assert reply.status == 200
        [response] = await fake.wait_response()
        assert "Reminder #" in response["text"]
        assert fake.called("users.info")[-1]["_auth"] == "Bearer xoxb-T1-token"
    finally:
        await sender.close()
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
        await fake.stop()
