"""`iepbot run` serves /healthz and /metrics on its health port; no user text in the metrics."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from bots import router
from tests.local_server import free_port
from tests.slack.conftest import running
from tests.slack.fake_slack import FakeSlack


async def test_healthz_and_metrics(tmp_path):
    fake = FakeSlack()
    await fake.start()
    health_port = free_port()
    base = f"http://127.0.0.1:{health_port}"
    database = tmp_path / "health.sqlite3"
    try:
        async with (
            running(fake, database, health_port=health_port) as sender,
            aiohttp.ClientSession() as http,
        ):
            for _ in range(200):  # wait (bounded) for the ports to open
                try:
                    async with http.get(f"{base}/healthz") as r:
                        status, body = r.status, json.loads(await r.text())
                    if body["role"] == "leader":
                        break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
            assert status == 200
            assert body == {
                "status": "ok",
                "database": True,
                "role": "leader",
                "epoch": None,
                "adapters": {"slack": "connected"},
                "tasks": {  # the supervised parts (issue 15): none has had to restart
                    "slack": {"state": "running", "restarts": 0, "reason": None},
                    "scheduler": {"state": "running", "restarts": 0, "reason": None},
                },
            }
            secret = "remind me in 3 hours SECRET-CASE-TEXT"
            assert (await sender.command(secret)).status == 200
            await fake.wait_response()
            async with http.get(f"{base}/metrics") as r:
                assert r.status == 200
                metrics = await r.text()
        assert 'iepbot_commands_total{platform="slack",verb="remind"} 1.0' in metrics
        assert "iepbot_command_duration_seconds_bucket" in metrics
        assert "iepbot_scheduler_leader 1.0" in metrics
        assert "SECRET" not in metrics
    finally:
        await fake.stop()
    assert router.command_observers == []
