"""How fast `/iep <question>` is acknowledged over HTTP, against a bolt app that only acks.

Slack gives a slash command 3 seconds. Both servers run in this process on 127.0.0.1, behind the
same signature check, with their Web API pointed at a local fake Slack; requests alternate
between them so machine noise hits both alike. Ours answers the lookup inside the ack when it
can. Three kinds of query, since an exact title is the cheapest: an exact term, a misspelled
one (fuzzy matching) and a question in plain words. Times are absolute milliseconds, min /
median over --runs runs (at least 3).

slack-bolt (HTTP mode, ``process_before_response=False`` as iepbot runs it) polls for
``ack()`` every 10 ms, so the time to the HTTP answer, what Slack sees, moves in 10 ms steps
and hides smaller differences. So each request is timed twice: to the HTTP answer, and to the
moment the listener called ``ack()`` (bolt's AsyncAck wrapped in this process to stamp it),
which is the work itself, to the microsecond.

    .venv/bin/python bench/slack_ack.py [--requests 200] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request  # noqa: E402
from slack_bolt.async_app import AsyncAck, AsyncApp  # noqa: E402
from slack_bolt.context.ack.async_ack import AsyncAck as BoltAck  # noqa: E402
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


QUERIES = {
    "exact": "504 plan",
    "fuzzy": "individualised eduction progam",
    "question": "what can I do if the school says no to an evaluation?",
}


ACKED: list[float] = []  # perf_counter() of the latest ack() call (one request at a time)


def stamp_acks() -> None:
    """Wrap bolt's ack() so that the moment a listener acknowledges is recorded."""
    original = BoltAck.__call__

    async def stamped(self: BoltAck, *args: object, **kwargs: object) -> object:
        ACKED.append(time.perf_counter())
        return await original(self, *args, **kwargs)  # type: ignore[arg-type]

    BoltAck.__call__ = stamped  # type: ignore[method-assign]


async def timed(sender: SlackSender, query: str = "504 plan") -> tuple[float, float]:
    """Seconds to the HTTP answer and to the listener's ack() call."""
    body = sender.command_body(query, response_url=f"{sender.fake.url}/response/bench")
    ACKED.clear()
    start = time.perf_counter()
    reply = await sender.post(body, "application/x-www-form-urlencoded")
    elapsed = time.perf_counter() - start
    assert reply.status == 200, reply.status
    assert ACKED, "the listener never called ack()"
    return elapsed, ACKED[0] - start


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


async def main(requests: int, runs: int) -> None:
    stamp_acks()
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
            for query in QUERIES.values():
                await timed(ours, query)
            await timed(bare)
        fake.responses.clear()
        results: dict[str, list[tuple[float, float, float, float]]] = {}
        for _ in range(runs):
            times: dict[str, list[tuple[float, float]]] = {f"iepbot {k}": [] for k in QUERIES}
            times["bare bolt"] = []
            for _ in range(requests):
                for kind, query in QUERIES.items():
                    times[f"iepbot {kind}"].append(await timed(ours, query))
                    times["bare bolt"].append(await timed(bare))
            for name, values in times.items():
                http = [h for h, _ in values]
                acked = [a for _, a in values]
                results.setdefault(name, []).append(
                    (pct(acked, 0.5), pct(acked, 0.99), pct(http, 0.5), pct(http, 0.99))
                )
        print(
            f"{runs} runs of {requests} signed POSTs per query kind (load "
            f"{os.getloadavg()[0]:.2f}); min / median over runs of each run's p50 and p99, ms:"
        )
        print(f"  {'':16} {'to ack() called':>31}   {'to the HTTP answer (10 ms polling)':>34}")
        for name, per_run in results.items():
            cols = [[row[i] for row in per_run] for i in range(4)]
            cells = [f"{min(c):6.1f} / {statistics.median(c):6.1f}" for c in cols]
            print(f"  {name:16} p50 {cells[0]}  p99 {cells[1]}   p50 {cells[2]}  p99 {cells[3]}")
        print(f"  answered after the ack (via response_url): {len(fake.responses)}")
    finally:
        await ours.close()
        await bare.close()
        await runner.cleanup()
        await adapter.stop()
        await fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.requests, max(3, args.runs)))
