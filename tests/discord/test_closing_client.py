"""A leader deposed mid-command (the chaos run's database outage): its Discord client closes
while interactions are being answered, and discord.py raises RuntimeError("Session is
closed"). Found by the chaos run: the DM check after a reminder was set turned that into a
second answer, "something went wrong", under the "Reminder set" one, and when even that could
not be sent the error escaped as "Task exception was never retrieved" with a traceback."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator

import pytest

from bots.discord.adapter import IepClient
from bots.runtime import Runtime
from tests.discord import payloads
from tests.discord.conftest import client_with_runtime
from tests.discord.test_lookups import dispatch


@pytest.fixture
async def bot(fake, tmp_path) -> AsyncIterator[tuple[IepClient, Runtime]]:
    async with client_with_runtime(tmp_path) as pair:
        yield pair


async def _settle() -> None:
    """Let the command's task finish, and let asyncio report an exception nobody read."""
    for _ in range(20):
        await asyncio.sleep(0.01)
    gc.collect()
    await asyncio.sleep(0)


def _closed(*args, **kwargs):
    raise RuntimeError("Session is closed")


async def test_a_failed_dm_check_does_not_contradict_the_reminder(bot, fake, caplog, monkeypatch):
    client, runtime = bot
    monkeypatch.setattr(client.iep.notifier, "open_dm", _closed)
    payload = payloads.command("remind", when="tomorrow 9am", what="bring the draft")
    with caplog.at_level(logging.WARNING):
        [answer] = await dispatch(client, fake, payload)
        await _settle()
    assert answer.body["embeds"][0]["title"] == "Reminder #1 set"
    assert len(fake.followups) == 1, [f.body for f in fake.followups]
    assert runtime.store.list_reminders_for_owner("discord", payloads.PARENT)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_a_closed_session_never_escapes_as_a_task_exception(bot, fake, caplog, monkeypatch):
    client, _ = bot
    monkeypatch.setattr(client.iep, "send", _async_closed)
    payload = payloads.command("help")
    with caplog.at_level(logging.WARNING):
        client._connection.parse_interaction_create(payload)
        await fake.wait_for(lambda: len(fake.callbacks) >= 1)  # the deferral went out
        await _settle()
    assert "never retrieved" not in caplog.text
    assert "Traceback" not in caplog.text


async def _async_closed(*args, **kwargs):
    raise RuntimeError("Session is closed")
