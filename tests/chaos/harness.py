"""A chaos run: real `iepbot run` replicas on PostgreSQL (through a TCP proxy that can be cut),
the local fakes of Slack and Discord (with 429 and 500 storms and slow answers), a stream of
reminders and slash commands, and random SIGKILLs and SIGTERMs of replicas while it runs.

Shared by ``bench/chaos.py`` (the long run) and ``tests/chaos`` (a short one). Everything stays on
127.0.0.1. The PostgreSQL server is never restarted (other suites share it): an outage is the
proxy dropping every connection and refusing new ones, which is what the replicas see of a
restart.

What a user would see is what is counted:
- a reminder is *set* when its row is in the database (confirmed or not: a replica may die
  between committing and answering, and that reminder must still go out);
- *delivered* is a post that reached the fake platform with a 2xx answer;
- *reported uncertain/failed* is a notice to the owner naming the reminder's number;
- *lost* is set, never delivered and never reported; *doubled silently* is delivered twice or
  more with no notice;
- a *user-facing error* is any answer to a command that is not a clean message: an HTTP status
  other than 200, an ack slower than Slack's 3 seconds, a reply with a traceback or without a
  title, or no reply at all from a replica that was up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from scheduler.store.database import open_store
from tests.discord import payloads
from tests.discord.fake_discord import TOKEN, FakeDiscord
from tests.replicas.harness import Cluster, HistoryFakeSlack, Replica
from tests.slack.fake_slack import Call, SlackSender, sign

# The replicas are `iepbot run` itself; only discord.py's gateway address is repointed at the
# fake (it is a class constant with no setting, as in tests/discord/test_run.py).
LAUNCH = (
    "import os, sys, yarl\n"
    "import discord.gateway\n"
    "discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = "
    "yarl.URL(os.environ['IEPBOT_TEST_DISCORD_GATEWAY'])\n"
    "from bots.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
SLACK_USERS = [f"U{i}" for i in range(1, 6)]
SLACK_CHANNEL = "C1"
TAG = re.compile(r"chaos-([sd]\d{4})")
NOTICE = re.compile(r"may not have gone out|could not deliver", re.IGNORECASE)
UNCERTAIN = re.compile(r"[Rr]eminder #(\d+)\b[^\n]*may not have gone out")
FAILED = re.compile(r"could not deliver reminder #(\d+)", re.IGNORECASE)
UNCLEAN = re.compile(r"Traceback|Exception|Error:|File \"|\bNone\b|\{[a-z_]+\}")
SLACK_ACK_LIMIT = 3.0
DISCORD_ACK_LIMIT = 3.0


# --- the database outage ----------------------------------------------------------------------


class TcpProxy:
    """127.0.0.1:port → PostgreSQL. ``cut()`` drops every connection and refuses new ones until
    ``restore()``: a server restart as the clients see it, without touching the server."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port_to = host, port
        self.port = 0
        self.down = False
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.port_to)
        except OSError:
            writer.transport.abort()
            return
        self._open.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        finally:
            self._open.discard(writer)
            self._open.discard(up_writer)

    def cut(self) -> None:
        self.down = True
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    def restore(self) -> None:
        self.down = False

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)


# --- the fakes, with storms -------------------------------------------------------------------


@dataclass
class Weather:
    """What the fakes do to message posts now: "clear", "429", "500" or "slow" (seconds)."""

    mode: str = "clear"
    slow: float = 2.0


class ChaosSlack(HistoryFakeSlack):
    """The fake Slack whose chat.postMessage follows the weather. A 500 does not land (the
    history shows only 200 posts); a slow answer lands first and answers late."""

    weather: Weather

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        mode = self.weather.mode
        if method == "chat.postMessage" and mode in ("429", "500"):
            args: dict[str, Any] = dict(await request.post())
            status = 429 if mode == "429" else 500
            await self._record(Call(method, args, status))
            headers = {"Retry-After": "1"} if status == 429 else {}
            error = "ratelimited" if status == 429 else "internal_error"
            return web.json_response({"ok": False, "error": error}, status=status, headers=headers)
        response = await super()._api(request)
        if mode == "slow" and method in ("chat.postMessage", "conversations.open", "users.info"):
            await asyncio.sleep(self.weather.slow)
        return response


class ChaosDiscord(FakeDiscord):
    """The fake Discord whose channel posts follow the weather, and which knows whether a
    gateway session is open (an interaction pushed with none would vanish)."""

    weather: Weather
    sessions: int = 0

    async def _post_message(self, request: web.Request) -> web.Response:
        mode = self.weather.mode
        if mode == "429":
            self.rate_limits["messages"] = max(self.rate_limits.get("messages", 0), 1)
        elif mode == "500":
            await self._record(request, 500)
            return self._error(500, 0, "internal")
        response = await super()._post_message(request)
        if mode == "slow":
            await asyncio.sleep(self.weather.slow)
        return response

    def channel_messages_all(self) -> list[Any]:
        return self.find("POST", "/messages", status=None)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        self.sessions += 1
        try:
            return await super()._gateway(request)
        finally:
            self.sessions -= 1


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Plan:
    seconds: float = 60.0  # how long commands and faults keep coming
    replicas: int = 3
    slack_reminders: int = 60
    discord_reminders: int = 15
    commands: int = 30  # other slash commands (help, reminders, questions)
    kills: int = 3  # SIGKILLs, each followed by a restart
    terms: int = 2  # SIGTERMs, each followed by a restart
    db_cuts: int = 2
    db_cut_seconds: tuple[float, float] = (3.0, 6.0)
    storms: int = 4
    storm_seconds: tuple[float, float] = (3.0, 7.0)
    lead: tuple[int, int] = (6, 30)  # a reminder is due this many seconds after it is set
    settle: float = 90.0  # after the faults stop, how long every reminder has to settle
    seed: int = 15


@dataclass
class Command:
    label: str
    platform: str
    text: str
    sent_at: float = 0.0
    ack_seconds: float | None = None
    status: int | None = None
    ack_body: str = ""
    replica: str = ""
    transport_error: str | None = None
    answer: dict[str, Any] | None = None


@dataclass
class Report:
    set: int = 0
    confirmed: int = 0
    delivered_once: int = 0
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    doubled_silently: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    user_errors: list[str] = field(default_factory=list)
    unanswered_dead: int = 0  # commands sent to a replica that died before answering
    skipped_no_gateway: int = 0
    no_replica: int = 0  # Slack commands sent while no replica was serving
    apologies: int = 0  # clean "Sorry, something went wrong" answers (a database outage)
    acks: list[float] = field(default_factory=list)
    lateness: list[float] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0

    def lines(self) -> list[str]:
        def spread(values: list[float]) -> str:
            if not values:
                return "none"
            return (
                f"min {min(values):.2f} s, median {statistics.median(values):.2f} s, "
                f"max {max(values):.2f} s (n={len(values)})"
            )

        return [
            f"faults: {dict(sorted(self.faults.items()))}",
            f"reminders set: {self.set} (confirmed to the user: {self.confirmed})",
            f"delivered once: {self.delivered_once}",
            f"lost: {len(self.lost)} {self.lost[:10]}",
            f"doubled: {len(self.doubled)}, of which silently: "
            f"{len(self.doubled_silently)} {self.doubled_silently[:10]}",
            f"reported uncertain: {len(self.uncertain)} {self.uncertain[:10]}",
            f"reported failed: {len(self.failed)} {self.failed[:10]}",
            f"errors users saw: {len(self.user_errors)} (besides {self.apologies} clean "
            f"'something went wrong, try again' answers)",
            *[f"  - {e}" for e in self.user_errors[:20]],
            f"commands unanswered because their replica was killed (Discord: its leader "
            f"stopped or was cut off): {self.unanswered_dead}",
            f"Slack commands sent while no replica was serving: {self.no_replica}",
            f"Discord interactions not sent (no gateway session): {self.skipped_no_gateway}",
            f"slash-command ack: {spread(self.acks)}",
            f"delivery after due time: {spread(self.lateness)}",
            f"wall time: {self.wall:.1f} s",
        ]


def _wall(monotonic_at: float) -> float:
    return time.time() - (time.monotonic() - monotonic_at)


class ChaosRun:
    def __init__(self, plan: Plan, db_url: str, folder: Path) -> None:
        self.plan = plan
        self.db_url = db_url
        self.folder = folder
        self.rng = random.Random(plan.seed)
        self.weather = Weather()
        self.commands: list[Command] = []
        self.report = Report()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._healthy: set[str] = set()
        self._busy: set[str] = set()
        self._stopping = False
        self._downs: list[tuple[str, str, float]] = []  # (replica, "kill"/"term", when)

    # -- set-up ---------------------------------------------------------------------------------
    async def _start(self) -> None:
        self.slack = ChaosSlack(
            users={u: {"tz": "America/Chicago", "is_admin": False} for u in SLACK_USERS},
            channels={SLACK_CHANNEL: list(SLACK_USERS)},
        )
        self.slack.weather = self.weather
        await self.slack.start()
        self.discord = ChaosDiscord(retry_after=0.5)
        self.discord.weather = self.weather
        await self.discord.start()
        parsed = make_url(self.db_url)
        self.proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        await self.proxy.start()
        proxied = parsed.set(port=self.proxy.port).render_as_string(hide_password=False)
        open_store(self.db_url).close()  # migrated once, before the replicas race to do it
        self.cluster = Cluster(proxied, self.slack, self.folder, size=self.plan.replicas)
        gateway = self.discord.url.replace("http://", "ws://") + "/gateway"
        for replica in self.cluster.replicas:
            replica.launch = LAUNCH
            replica.extra_env = {
                "DISCORD_TOKEN": TOKEN,
                "DISCORD_API_URL": self.discord.url,
                "IEPBOT_TEST_DISCORD_GATEWAY": gateway,
                "IEPBOT_DISCORD_SYNC_FILE": str(self.folder / f"{replica.name}-sync.json"),
            }
        await self.cluster.start()
        await self.cluster.leader(timeout=60)
        self.sender = SlackSender("", self.slack)
        self.http = aiohttp.ClientSession()

    async def _stop(self) -> None:
        self._stopping = True
        if self._tasks:  # let restarts under way finish, so no process is left behind
            await asyncio.wait(set(self._tasks), timeout=10)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.cluster.stop()
        with contextlib.suppress(Exception):
            await self.sender.close()
        with contextlib.suppress(Exception):
            await self.http.close()
        await self.proxy.stop()
        await self.slack.stop()
        await self.discord.stop()

    # -- users ----------------------------------------------------------------------------------
    def _alive(self) -> list[Replica]:
        return [r for r in self.cluster.replicas if r.alive]

    def _serving(self) -> list[Replica]:
        """Replicas a load balancer would send to: up, /healthz answered at the last look (a
        restarted replica gets no traffic before it listens), and not being stopped (an
        orchestrator takes a terminating replica out of the balancer before signalling it)."""
        return [
            r
            for r in self.cluster.replicas
            if r.alive and r.name in self._healthy and r.name not in self._busy
        ]

    async def _watch_health(self) -> None:
        """Also the orchestrator: a replica that exited on its own (it does at start-up when
        the database is unreachable) is started again a second later, as Docker's restart
        policy, systemd's Restart= or Kubernetes would."""
        while True:
            for replica in self.cluster.replicas:
                if self._stopping:
                    return
                if not replica.alive and replica.name not in self._busy and replica.proc:
                    self.report.faults[f"exited on its own (code {replica.proc.returncode})"] += 1
                    self._busy.add(replica.name)
                    task = asyncio.create_task(self._restart(replica, delay=1.0))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            states = await self.cluster.states()
            self._healthy = {
                r.name for r, s in zip(self.cluster.replicas, states, strict=True) if s is not None
            }
            await asyncio.sleep(0.3)

    async def _slack_command(self, command: Command, user: str) -> None:
        alive = self._serving()
        if not alive:
            command.transport_error = "no replica up"
            return
        replica = self.rng.choice(alive)
        command.replica = replica.name
        body = self.sender.command_body(
            command.text,
            user=user,
            channel=SLACK_CHANNEL,
            response_url=f"{self.slack.url}/response/{command.label}",
        )
        url = f"http://127.0.0.1:{replica.port}/slack/events"
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        command.sent_at = time.monotonic()
        try:
            async with self.http.post(
                url, data=body.encode(), headers=headers, timeout=aiohttp.ClientTimeout(total=10)
            ) as reply:
                command.ack_body = await reply.text()
                command.status = reply.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            command.transport_error = type(exc).__name__
        else:
            command.ack_seconds = time.monotonic() - command.sent_at

    async def _discord_command(self, command: Command, **options: Any) -> None:
        if self.discord.sessions < 1 or self.discord.gateway_events is None:
            command.transport_error = "no gateway"
            self.report.skipped_no_gateway += 1
            return
        payload = payloads.command("remind", **options)
        command.label = payload["token"]
        command.sent_at = time.monotonic()
        await self.discord.gateway_events.put({"t": "INTERACTION_CREATE", "d": payload})

    async def _users(self) -> None:
        plan = self.plan
        jobs: list[tuple[float, Any]] = []
        for i in range(plan.slack_reminders):
            lead = self.rng.randint(*plan.lead)
            where = "me" if i % 3 else "here"
            text = f"remind {where} in {lead} seconds chaos-s{i:04d}"
            command = Command(f"s{i:04d}", "slack", text)
            jobs.append((self.rng.uniform(0, plan.seconds), (command, SLACK_USERS[i % 5])))
        for i in range(plan.commands):
            text = self.rng.choice(["help", "reminders", "what is an iep", "cancel 999999"])
            command = Command(f"c{i:04d}", "slack", text)
            jobs.append((self.rng.uniform(0, plan.seconds), (command, SLACK_USERS[i % 5])))
        for i in range(plan.discord_reminders):
            lead = self.rng.randint(*plan.lead)
            command = Command(f"d{i:04d}", "discord", f"chaos-d{i:04d}")
            jobs.append((self.rng.uniform(0, plan.seconds), (command, lead)))
        jobs.sort(key=lambda job: job[0])
        started = time.monotonic()
        for at, (command, extra) in jobs:
            await asyncio.sleep(max(0.0, started + at - time.monotonic()))
            self.commands.append(command)
            if command.platform == "slack":
                job = self._slack_command(command, extra)
            else:
                job = self._discord_command(command, when=f"in {extra} seconds", what=command.text)
            task = asyncio.create_task(job)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # -- faults ---------------------------------------------------------------------------------
    async def _faults(self) -> None:
        plan = self.plan
        events = (
            ["kill"] * plan.kills
            + ["term"] * plan.terms
            + ["db"] * plan.db_cuts
            + ["storm"] * plan.storms
        )
        # Spread over the run, leaving its last fifth calm so late reminders can land.
        times = sorted(self.rng.uniform(2, plan.seconds * 0.8) for _ in events)
        self.rng.shuffle(events)
        started = time.monotonic()
        running: list[asyncio.Task[None]] = []
        for at, kind in zip(times, events, strict=True):
            await asyncio.sleep(max(0.0, started + at - time.monotonic()))
            self.report.faults[kind] += 1
            running.append(asyncio.create_task(getattr(self, f"_{kind}")()))
        await asyncio.gather(*running)

    async def _victim(self) -> Replica | None:
        """A replica to stop (the leader more often than not), never one already being
        stopped or restarted: two faults on one replica would start it twice."""
        alive = [r for r in self._alive() if r.name not in self._busy]
        if len(self._serving()) < 2:
            self.report.faults["stop skipped: it would leave no replica serving"] += 1
            return None
        if not alive:
            return None
        states = await self.cluster.states()
        leaders = [
            r
            for r, s in zip(self.cluster.replicas, states, strict=True)
            if s and s.get("role") == "leader" and r.alive
        ]
        leaders = [r for r in leaders if r.name not in self._busy]
        if leaders and self.rng.random() < 0.6:
            self.report.faults["of which the leader"] += 1
            chosen = leaders[0]
        else:
            alive = [r for r in alive if r.name not in self._busy]
            if not alive:
                return None
            chosen = self.rng.choice(alive)
        self._busy.add(chosen.name)
        return chosen

    async def _restart(self, replica: Replica, delay: float | None = None) -> None:
        await asyncio.sleep(self.rng.uniform(0.5, 3.0) if delay is None else delay)
        if replica._log_file is not None:
            replica._log_file.close()
        await replica.start(self.cluster.db_url, self.slack.url)
        self._busy.discard(replica.name)

    async def _kill(self) -> None:
        replica = await self._victim()
        if replica is None or replica.proc is None:
            return
        self._downs.append((replica.name, "kill", time.monotonic()))
        replica.kill()
        await replica.proc.wait()
        await self._restart(replica)

    async def _term(self) -> None:
        replica = await self._victim()
        if replica is None:
            return
        self._downs.append((replica.name, "term", time.monotonic()))
        await replica.terminate(timeout=30)
        await self._restart(replica)

    async def _db(self) -> None:
        self._downs.append(("*", "db", time.monotonic()))
        self.proxy.cut()
        await asyncio.sleep(self.rng.uniform(*self.plan.db_cut_seconds))
        self.proxy.restore()

    async def _storm(self) -> None:
        self.weather.mode = self.rng.choice(["429", "500", "slow"])
        self.report.faults[f"storm-{self.weather.mode}"] += 1
        await asyncio.sleep(self.rng.uniform(*self.plan.storm_seconds))
        self.weather.mode = "clear"

    # -- the end --------------------------------------------------------------------------------
    def _rows(self) -> tuple[dict[str, dict[str, Any]], dict[int, list[str]]]:
        engine = create_engine(self.db_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                reminders = conn.execute(
                    text("SELECT id, text, platform, owner_id, next_fire_at FROM reminders")
                ).all()
                deliveries = conn.execute(
                    text("SELECT reminder_id, fire_at, status FROM deliveries")
                ).all()
        finally:
            engine.dispose()
        by_tag: dict[str, dict[str, Any]] = {}
        for row in reminders:
            found = TAG.search(row.text or "")
            if found:
                by_tag[found.group(1)] = dict(row._mapping)
        statuses: dict[int, list[str]] = {}
        for row in deliveries:
            statuses.setdefault(row.reminder_id, []).append(row.status)
        return by_tag, statuses

    def _settled(self) -> bool:
        by_tag, statuses = self._rows()
        for row in by_tag.values():
            seen = statuses.get(row["id"], [])
            if not seen and row["next_fire_at"] is not None:
                return False  # not fired yet
            if any(s in ("claimed", "sending") for s in seen):
                return False
        return True

    def _posts(self) -> list[tuple[str, float]]:
        """(text, wall time) of every message that reached a platform with a 2xx answer."""
        out = [
            (str(c.args.get("text") or ""), _wall(c.at))
            for c in self.slack.calls
            if c.method == "chat.postMessage" and c.status == 200
        ]
        out += [
            (json.dumps(c.body), _wall(c.at))
            for c in self.discord.channel_messages
            if c.status == 200
        ]
        return out

    def _judge_answers(self) -> None:
        responses = {r["_id"]: r for r in self.slack.responses}
        discord_answers: dict[str, list[Any]] = {}
        for call in self.discord.calls:
            if call.status != 200:
                continue
            if "/callback" in call.path or "/webhooks/" in call.path:
                token = next((p for p in call.path.split("/") if p.startswith("interaction")), "")
                discord_answers.setdefault(token, []).append(call)
        for command in self.commands:
            if command.transport_error == "no gateway":
                continue
            if command.platform == "slack":
                self._judge_slack(command, responses.get(command.label))
            else:
                self._judge_discord(command, discord_answers.get(command.label, []))

    def _went_down(self, command: Command, kinds: tuple[str, ...], within: float = 15) -> bool:
        """Was the command's replica stopped while (or just after) it was handling it?"""
        return any(
            name == command.replica and kind in kinds and -1 <= at - command.sent_at <= within
            for name, kind, at in self._downs
        )

    def _judge_slack(self, command: Command, answer: dict[str, Any] | None) -> None:
        report = self.report
        sent = time.strftime("%H:%M:%S", time.gmtime(_wall(command.sent_at)))
        what = command.text.split(" chaos")[0][:40]
        where = f"slack {command.label} ({what}) to {command.replica} at {sent}Z"
        if command.transport_error == "no replica up":
            report.no_replica += 1  # restarting after faults; Slack shows its own error
            return
        if command.transport_error or command.status is None:
            if not self._went_down(command, ("kill", "term"), within=10):
                report.user_errors.append(f"{where}: no HTTP answer ({command.transport_error})")
            else:
                report.unanswered_dead += 1
            return
        if command.ack_seconds is not None:
            report.acks.append(command.ack_seconds)
            if command.ack_seconds > SLACK_ACK_LIMIT:
                report.user_errors.append(
                    f"{where}: acknowledged after {command.ack_seconds:.1f} s (Slack gives 3 s)"
                )
        if command.status != 200:
            report.user_errors.append(f"{where}: HTTP {command.status}")
            return
        if answer is None and command.ack_body.strip():
            try:
                answer = json.loads(command.ack_body)  # a cheap command answers in the ack
            except ValueError:
                report.user_errors.append(f"{where}: ack body is not JSON")
                return
        if answer is None:
            if not self._went_down(command, ("kill",)):  # SIGTERM drains: it must still answer
                report.user_errors.append(f"{where}: acknowledged, then no reply")
            else:
                report.unanswered_dead += 1
            return
        body = str(answer.get("text") or "")
        if not body.strip() or UNCLEAN.search(body):
            report.user_errors.append(f"{where}: reply not clean: {body[:120]!r}")
        elif "Reminder #" in body and " set" in body:
            report.confirmed += 1
        elif "something went wrong" in body.lower():
            report.apologies += 1  # clean, but says nothing: counted to be seen

    def _judge_discord(self, command: Command, answers: list[Any]) -> None:
        report = self.report
        where = f"discord {command.text}"
        if not answers:
            # The leader holds the gateway: stopped or cut off from its database (deposed)
            # just then, it had no way to answer; otherwise this is the bot's failure.
            leader_stopped = any(
                kind in ("kill", "term", "db") and -2 <= at - command.sent_at <= 5
                for _, kind, at in self._downs
            )
            if leader_stopped:
                report.unanswered_dead += 1
            else:
                report.user_errors.append(f"{where}: no answer (Discord shows 'did not respond')")
            return
        first = min(a.at for a in answers)
        report.acks.append(first - command.sent_at)
        if first - command.sent_at > DISCORD_ACK_LIMIT:
            report.user_errors.append(
                f"{where}: first answer after {first - command.sent_at:.1f} s"
            )
        shown = json.dumps([a.body for a in answers])
        titles = _titles(answers)
        if UNCLEAN.search(shown) or not any(titles):
            report.user_errors.append(f"{where}: reply not clean: {shown[:160]}")
        elif any("Reminder #" in t and " set" in t for t in titles):
            report.confirmed += 1

    def _tally(self) -> None:
        by_tag, statuses = self._rows()
        posts = self._posts()
        delivered: Counter[str] = Counter()
        first_post: dict[str, float] = {}
        uncertain: set[int] = set()
        failed: set[int] = set()
        for body, at in posts:
            if NOTICE.search(body):
                uncertain.update(int(n) for n in UNCERTAIN.findall(body))
                failed.update(int(n) for n in FAILED.findall(body))
                continue
            for tag in set(TAG.findall(body)):
                delivered[tag] += 1
                first_post.setdefault(tag, at)
        report = self.report
        report.set = len(by_tag)
        for call in self.slack.calls:
            if call.method == "chat.postMessage" and call.status != 200:
                report.faults[f"slack posts answered {call.status}"] += 1
        for call in self.discord.channel_messages_all():
            if call.status != 200:
                report.faults[f"discord posts answered {call.status}"] += 1
        for tag, row in sorted(by_tag.items()):
            count = delivered.get(tag, 0)
            told = row["id"] in uncertain or row["id"] in failed
            name = f"{tag}#{row['id']}"
            if row["id"] in uncertain:
                report.uncertain.append(f"{name}:{count}")
            if row["id"] in failed:
                report.failed.append(f"{name}:{count}")
            if count == 1:
                report.delivered_once += 1
            elif count == 0 and not told:
                report.lost.append(f"{name}:{statuses.get(row['id'])}")
            elif count > 1:
                report.doubled.append(name)
                if not told:
                    report.doubled_silently.append(name)
        due = self._due_times()
        for tag, at in first_post.items():
            if tag in due:
                report.lateness.append(max(0.0, at - due[tag]))
        self._judge_answers()

    async def run(self) -> Report:
        started = time.monotonic()
        await self._start()
        watcher = asyncio.create_task(self._watch_health())
        self._tasks.add(watcher)
        try:
            await asyncio.gather(self._users(), self._faults())
            self.weather.mode = "clear"
            self.proxy.restore()  # the watcher restarts any replica that is down
            # Wait for the in-flight commands, then for the due times, then for every delivery
            # row to leave claimed/sending.
            if self._tasks - {watcher}:
                await asyncio.wait(self._tasks - {watcher}, timeout=15)
            with contextlib.suppress(AssertionError):  # what never settles is counted as lost
                await self.cluster.wait_until(
                    lambda _: self._settled(), timeout=self.plan.settle, step=1
                )
            await asyncio.sleep(2)  # notices go out just after the row settles
            self._tally()
        finally:
            await self._stop()
        self.report.wall = time.monotonic() - started
        return self.report

    def _due_times(self) -> dict[str, float]:
        """Each reminder's first due time, from its delivery rows (a one-off reminder's
        next_fire_at is cleared once it fires)."""
        engine = create_engine(self.db_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT r.text, min(d.fire_at) FROM reminders r "
                        "JOIN deliveries d ON d.reminder_id = r.id GROUP BY r.text"
                    )
                ).all()
        finally:
            engine.dispose()
        out: dict[str, float] = {}
        for body, fire_at in rows:
            found = TAG.search(body or "")
            if found and fire_at is not None:
                when = fire_at if fire_at.tzinfo else fire_at.replace(tzinfo=UTC)
                out[found.group(1)] = when.timestamp()
        return out


def _titles(answers: list[Any]) -> list[str]:
    found: list[str] = []
    for answer in answers:
        body = answer.body or {}
        data = body.get("data", body) if isinstance(body, dict) else {}
        for embed in (data or {}).get("embeds") or []:
            found.append(str(embed.get("title") or ""))
        if (data or {}).get("content"):
            found.append(str(data["content"]))
    return found
