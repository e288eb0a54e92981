"""A Spanish Discord client (locale es-ES / es-419) gets Spanish on every path the adapter has."""

from __future__ import annotations

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


async def _refusal(client, fake, payload) -> dict:
    [answer] = await dispatch(client, fake, payload)  # deferred first, then the refusal
    return answer.body["embeds"][0]


async def test_help_and_errors_in_spanish(bot, fake):
    client, _ = bot
    [helped] = await dispatch(client, fake, payloads.command("help", locale="es-ES"))
    embed = helped.body["embeds"][0]
    assert embed["title"] == "Cómo usar /iep"
    names = [f["name"] for f in embed["fields"]]
    # The command list is longer than one embed field (1,024), so it runs on in a second one.
    assert names[0] == "Comandos" and names[-1] == "Privacidad"
    assert "`/iep explain" in "".join(f["value"] for f in embed["fields"])

    [error] = await dispatch(client, fake, payloads.command("cancel", locale="es-419", reminder=9))
    assert (
        error.body["embeds"][0]["title"] == "No existe el recordatorio #9. Mira `/iep reminders`."
    )

    refused = await _refusal(
        client, fake, payloads.command("snooze", locale="es-ES", reminder=1, by="dos días")
    )
    assert refused["title"] == "¿Por cuánto tiempo?"
    assert refused["description"] == "Por ejemplo 30m, 3h, 2d o 1w."


async def test_reminder_and_deadlines_in_spanish(bot, fake):
    client, runtime = bot
    [made] = await dispatch(
        client,
        fake,
        payloads.command(
            "remind", locale="es-ES", when="mañana a las 9", what="llevar el borrador"
        ),
    )
    embed = made.body["embeds"][0]
    assert embed["title"] == "Recordatorio #1 listo"
    assert "Qué: llevar el borrador" in embed["description"]
    [record] = runtime.store.list_reminders_for_owner("discord", payloads.PARENT)
    assert record.lang == "es"
    await fake.wait_for(lambda: len(fake.channel_messages) == 1)
    assert fake.channel_messages[0].body["content"].startswith("👋 Aquí te enviaré")

    [deadlines] = await dispatch(
        client,
        fake,
        payloads.command("deadlines", locale="es-ES", event="consent", date="2026-09-15"),
    )
    embed = deadlines.body["embeds"][0]
    assert embed["title"].startswith("Fechas límite tras el consentimiento para evaluar")
    names = [f["name"] for f in embed["fields"]]
    assert "Fuentes" in names and "Notas" in names
    assert any("Evaluación inicial (60 días naturales" in f["value"] for f in embed["fields"])


async def test_an_english_client_stays_in_english(bot, fake):
    client, _ = bot
    [helped] = await dispatch(client, fake, payloads.command("help", locale="en-US"))
    assert helped.body["embeds"][0]["title"] == "How to use /iep"


async def test_not_yours_is_said_in_the_pressers_language(client, fake):
    from tests.discord.test_buttons import reminders_message

    message = reminders_message()
    cancel = payloads.buttons(message)[0]["custom_id"]
    client._connection.parse_interaction_create(
        payloads.press(cancel, message, user_id=payloads.STRANGER, locale="es-419")
    )
    await fake.wait_for(lambda: len(fake.callbacks) == 1)
    answer = fake.callbacks[0].body["data"]["content"]
    assert answer.startswith("Estos botones son de la persona que preguntó.")
