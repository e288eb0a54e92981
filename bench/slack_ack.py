"""How fast `/iep 504 plan` is acknowledged over HTTP, against a bolt app that only acks.

Slack gives a slash command 3 seconds. Both servers run in this process on 127.0.0.1, behind the
same signature check, with their Web API pointed at a local fake Slack; requests alternate
between them so machine noise hits both alike. Ours answers the lookup inside the ack.

    .venv/bin/python bench/slack_ack.py [--requests 400]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request  # noqa: E402
from slack_bolt.async_app import AsyncAck, AsyncApp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bots.context import Context  # noqa: E402
from bots.slack.adapter import from_env  # noqa: E402
from tests.slack.fake_slack import SECRET, FakeSlack, SlackSender  # noqa: E402


async def bare_server(api_url: str) -> tuple[web.AppRunner, str]:
    app = AsyncApp(
        client=AsyncWebClient(token="xoxb-bench", base_url=api_url), signing_secret=SECRET
    )

    @app.command("/iep")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/slack/events"


async def timed(sender: SlackSender) -> float:
    body = sender.command_body("504 plan", response_url=f"{sender.fake.url}/response/bench")
    start = time.perf_counter()
    reply = await sender.post(body, "application/x-www-form-urlencoded")
    elapsed = time.perf_counter() - start
    assert reply.status == 200, reply.status
    return elapsed


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


async def main(requests: int) -> None:
    fake = FakeSlack(users={"U1": {"tz": "America/Chicago"}})
    await fake.start()
    api = f"{fake.url}/api/"
    adapter = from_env(
        {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api},
        {"port": 0, "host": "127.0.0.1"},
    )
    assert adapter is not None
    await adapter.start(Context.default())
    runner, bare_url = await bare_server(api)
    ours, bare = SlackSender(adapter.url, fake), SlackSender(bare_url, fake)
    try:
        for _ in range(20):  # warm-up: auth.test, imports, the search index
            await timed(ours)
            await timed(bare)
        times: dict[str, list[float]] = {"iepbot": [], "bare bolt": []}
        for _ in range(requests):
            times["iepbot"].append(await timed(ours))
            times["bare bolt"].append(await timed(bare))
        assert not fake.responses, "a lookup should be answered in the ack"
        print(f"{requests} signed `/iep 504 plan` POSTs each, time to HTTP response:")
        for name, values in times.items():
            print(
                f"  {name:10} p50 {pct(values, 0.5):6.1f} ms   p99 {pct(values, 0.99):6.1f} ms"
                f"   mean {statistics.mean(values) * 1000:6.1f} ms"
            )
        ratio50 = pct(times["iepbot"], 0.5) / pct(times["bare bolt"], 0.5)
        ratio99 = pct(times["iepbot"], 0.99) / pct(times["bare bolt"], 0.99)
        print(f"  ratio iepbot / bare: p50 {ratio50:.2f}x, p99 {ratio99:.2f}x")
    finally:
        await ours.close()
        await bare.close()
        await runner.cleanup()
        await adapter.stop()
        await fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    asyncio.run(main(parser.parse_args().requests))
