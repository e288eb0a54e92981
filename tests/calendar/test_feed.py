"""`/iep calendar feed` through `iepbot run` and Slack: a private address served on the health
port that follows the person's reminders, and `feed reset` revokes it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re

import aiohttp
import vobject
from sqlalchemy import create_engine, text

from tests.local_server import free_port
from tests.slack.conftest import running
from tests.slack.fake_slack import FakeSlack

PUBLIC = "https://iepbot.example.org"
FEED = re.compile(r"webcal://iepbot\.example\.org/calendar/([A-Za-z0-9_-]+)\.ics")


async def _answer(fake: FakeSlack, sender, command: str) -> str:
    before = len(fake.responses)
    assert (await sender.command(command)).status == 200
    responses = await fake.wait_response(before + 1)
    return json.dumps(responses[-1], ensure_ascii=False)


async def _get(http: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with http.get(url) as r:
        return r.status, await r.text()


async def test_feed_follows_reminders_and_reset_revokes_it(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    fake = FakeSlack()
    await fake.start()
    health_port = free_port()
    local = f"http://127.0.0.1:{health_port}"
    database = tmp_path / "feed.sqlite3"
    try:
        async with (
            running(
                fake, database, env={"IEPBOT_PUBLIC_URL": PUBLIC + "/"}, health_port=health_port
            ) as sender,
            aiohttp.ClientSession() as http,
        ):
            for _ in range(200):  # wait (bounded) for the ports to open
                try:
                    if (await _get(http, f"{local}/healthz"))[0] == 200:
                        break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
            await _answer(fake, sender, "remind me every monday 8am team check-in")
            shown = await _answer(fake, sender, "calendar feed")
            [secret] = set(FEED.findall(shown))
            assert f"{PUBLIC}/calendar/{secret}.ics" in shown  # the https one, for Google

            status, body = await _get(http, f"{local}/calendar/{secret}.ics")
            assert status == 200
            [event] = vobject.readOne(body).vevent_list
            assert event.summary.value == "team check-in"
            assert event.rrule.value == "FREQ=WEEKLY;BYDAY=MO"
            assert event.dtstart.value.tzinfo is not None

            # Asking again cannot show the address (only its hash is kept) and keeps it.
            again = await _answer(fake, sender, "calendar feed")
            assert "You already have a calendar subscription" in again
            assert not FEED.search(again)

            await _answer(fake, sender, "cancel 1")
            status, body = await _get(http, f"{local}/calendar/{secret}.ics")
            assert status == 200 and "BEGIN:VEVENT" not in body
            await _answer(fake, sender, "remind me tomorrow 9am call the school")
            status, body = await _get(http, f"{local}/calendar/{secret}.ics")
            [event] = vobject.readOne(body).vevent_list
            assert event.summary.value == "call the school"

            reset = await _answer(fake, sender, "calendar feed reset")
            [new] = set(FEED.findall(reset))
            assert new != secret and "the old one no longer works" in reset
            assert (await _get(http, f"{local}/calendar/{secret}.ics"))[0] == 404
            assert (await _get(http, f"{local}/calendar/{new}.ics"))[0] == 200
            assert (await _get(http, f"{local}/calendar/not-a-real-secret-at-all.ics"))[0] == 404
    finally:
        await fake.stop()

    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        [stored] = conn.execute(text("SELECT secret_hash FROM calendar_feeds")).scalars()
    engine.dispose()
    assert stored == hashlib.sha256(new.encode()).hexdigest()
    assert new not in database.read_bytes().decode("latin-1")
    logged = "\n".join(f"{r.name}: {r.getMessage()}" for r in caplog.records)
    assert secret not in logged and new not in logged


async def test_without_a_public_url_feeds_are_off(tmp_path):
    fake = FakeSlack()
    await fake.start()
    try:
        async with running(fake, tmp_path / "off.sqlite3") as sender:
            for _ in range(200):
                try:
                    shown = await _answer(fake, sender, "calendar feed")
                    break
                except OSError:
                    await asyncio.sleep(0.05)
            assert "Calendar subscriptions are not set up on this server" in shown
            assert "IEPBOT_PUBLIC_URL" in shown
    finally:
        await fake.stop()
