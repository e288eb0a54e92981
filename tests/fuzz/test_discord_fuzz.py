"""Property-based fuzzing of Discord interactions, fed to discord.py exactly as its gateway
parser receives them, answered over the fake Discord's HTTP API, on the real runtime (SQLite).

The payloads follow the published command schema (Discord itself enforces option types, lengths,
ranges and choices, so nothing else can arrive) with adversarial values; button presses carry
any custom_id. Every command and press gets an answer with a title, nothing is logged at ERROR
(discord.py's "Ignoring exception" included), autocomplete answers stay within Discord's limits,
and an error answer leaves the store as it was."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bots.discord.adapter import IepClient, configure_api_url
from bots.runtime import Runtime
from tests.discord import payloads
from tests.discord.conftest import client_with_runtime
from tests.discord.fake_discord import FakeDiscord

ERROR_COLOUR = 0xED4245
TABLES = ("reminders", "tracked_cases", "tracked_deadlines", "settings")
STRING_MAX = 6000  # Discord's own limit on a string option
USERS = [payloads.PARENT, payloads.STRANGER, payloads.ADMIN]
SPICY = st.sampled_from(
    [
        "tomorrow 9am",
        "in 2 hours",
        "every monday 8am",
        "2026-09-15",
        "9/15/2026",
        "2026-02-30",
        "consent",
        "TX",
        "ZZ",
        "14d,7d,1d",
        "-1d",
        "52w",
        "America/Chicago",
        "Mars/Olympus",
        "@everyone",
        "[x](https://evil.example)",
        "\x00",
        "\u202e",
        "\x1b[31m",
        "||spoiler||",
        "<@123>",
        "x" * 100,
    ]
)


@pytest.fixture
async def bot(tmp_path) -> AsyncIterator[tuple[IepClient, Runtime, FakeDiscord]]:
    fake = FakeDiscord()
    await fake.start()
    original = discord.http.Route.BASE
    configure_api_url(fake.url)
    try:
        async with client_with_runtime(tmp_path) as (client, runtime):
            yield client, runtime, fake
    finally:
        discord.http.Route.BASE = original
        await fake.stop()


def _subcommands(client: IepClient) -> list[app_commands.Command]:
    [group] = client.tree.get_commands()
    assert isinstance(group, app_commands.Group)
    return [c for c in group.commands if isinstance(c, app_commands.Command)]


def _value(param: app_commands.Parameter) -> st.SearchStrategy[Any]:
    if param.choices:
        return st.sampled_from([c.value for c in param.choices])
    kind = param.type
    if kind is discord.AppCommandOptionType.integer:
        low = int(param.min_value) if param.min_value is not None else -(2**53)
        high = int(param.max_value) if param.max_value is not None else 2**53
        return st.integers(low, high)
    if kind is discord.AppCommandOptionType.channel:
        return st.sampled_from([payloads.CHANNEL, payloads.OTHER_CHANNEL]).map(
            payloads.channel_option
        )
    low = int(param.min_value or 1)
    high = int(param.max_value or STRING_MAX)
    return st.one_of(
        st.text(min_size=low, max_size=min(high, 300)),
        SPICY.filter(lambda s: low <= len(s) <= high),
    )


@st.composite
def interactions(draw: st.DrawFn, subcommands: list[app_commands.Command]) -> dict[str, Any]:
    sub = draw(st.sampled_from(subcommands))
    options: dict[str, Any] = {}
    resolved: dict[str, Any] = {}
    for param in sub.parameters:
        if param.required or draw(st.booleans()):
            value = draw(_value(param))
            if isinstance(value, tuple) and isinstance(value[1], dict):
                value, resolved = value
            options[param.name] = value
    focusable = [p.name for p in sub.parameters if p.autocomplete and p.name in options]
    focused = draw(st.sampled_from([None, *focusable])) if focusable else None
    if focused is not None and not isinstance(options[focused], str):
        options[focused] = str(options[focused])  # Discord sends a partial value as text
    admin = draw(st.booleans())
    return payloads.command(
        sub.name,
        user_id=draw(st.sampled_from(USERS)),
        locale=draw(st.sampled_from(["en-US", "es-ES", "fr"])),
        dm=draw(st.booleans()),
        permissions=payloads.EVERYDAY | (payloads.MANAGE_GUILD if admin else 0),
        focused=focused,
        resolved=resolved or None,
        **options,
    )


def presses() -> st.SearchStrategy[dict[str, Any]]:
    """Presses of the bot's own buttons (Discord only sends custom_ids of components on the
    bot's messages), whose owner and command part may be anything the pattern admits: an old
    message, someone else's button, a command that no longer exists."""
    command = st.one_of(
        st.text(st.characters(exclude_characters="\n"), min_size=1, max_size=80), SPICY
    )
    custom_id = st.builds(
        lambda owner, command: f"iep:{owner}:{command}",
        st.sampled_from([payloads.PARENT, payloads.STRANGER, "0", "99999999999999999999"]),
        command.filter(lambda c: 1 <= len(c) <= 80),
    )
    return st.builds(
        lambda cid, user: payloads.press(cid, _message_with(cid), user_id=user),
        custom_id,
        st.sampled_from(USERS),
    )


def _message_with(custom_id: str) -> dict[str, Any]:
    """The bot's message holding the pressed button (discord.py finds the button there)."""
    button = {"type": 2, "style": 2, "label": "Open", "custom_id": custom_id}
    return payloads.message_from({"components": [{"type": 1, "components": [button]}]})


def _snapshot(runtime: Runtime) -> dict[str, list[tuple]]:
    with runtime.store.engine.connect() as conn:
        return {
            t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}")).all()))  # noqa: S608
            for t in TABLES
        }


def _answers(fake: FakeDiscord, payload: dict[str, Any]) -> list[Any]:
    return [
        c
        for c in fake.calls
        if c.method == "POST"
        and (f"/interactions/{payload['id']}/" in c.path or payload["token"] in c.path)
    ]


def _final(answers: list[Any]) -> dict[str, Any] | None:
    """The message the person reads: an immediate answer (type 4/7), else the first follow-up
    after a deferral (type 5/6); None while it has not come."""
    for call in answers:
        body = call.body or {}
        if "/callback" in call.path and body.get("type") in (4, 7):
            return body.get("data") or {}
        if "/webhooks/" in call.path:
            return body
    return None


async def _handled(fake: FakeDiscord, payload: dict[str, Any]) -> list[Any]:
    """Wait for the answer: the autocomplete choices, or the message after any deferral."""
    if payload["type"] == 4:
        await fake.wait_for(lambda: bool(_answers(fake, payload)), timeout=10)
    else:
        await fake.wait_for(lambda: _final(_answers(fake, payload)) is not None, timeout=10)
    return _answers(fake, payload)


@settings(
    max_examples=100,
    deadline=None,
    # No shrinking: a failing example waits out a 10 s timeout, and shrinking repeats it.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_any_interaction_gets_a_clean_answer_and_refusals_store_nothing(
    bot, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    client, runtime, fake = bot
    caplog.set_level(logging.WARNING)
    payload = data.draw(st.one_of(interactions(_subcommands(client)), presses()))
    before = _snapshot(runtime)
    caplog.clear()
    client._connection.parse_interaction_create(payload)
    answers = await _handled(fake, payload)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [(r.name, r.getMessage()) for r in errors]
    if payload["type"] == 4:
        [callback] = answers
        assert callback.body["type"] == 8
        choices = callback.body["data"]["choices"]
        assert len(choices) <= 25
        assert all(1 <= len(c["name"]) <= 100 for c in choices), choices
        assert _snapshot(runtime) == before
        return
    shown = _final(answers)
    assert shown is not None
    embeds = shown.get("embeds") or []
    if embeds:  # an answer card: every embed has a title
        assert all((e.get("title") or "").strip() for e in embeds), shown
    else:  # a one-line refusal (not your button, no longer supported)
        assert (shown.get("content") or "").strip(), shown
    assert "something went wrong" not in str(shown).lower(), shown
    if any(e.get("color") == ERROR_COLOUR for e in embeds):
        assert _snapshot(runtime) == before, embeds
