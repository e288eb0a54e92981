"""A Spanish user on the Slack path: what reaches (the fake) Slack is in Spanish."""

from __future__ import annotations

from tests.slack.blocks import block_text
from tests.slack.validate import assert_valid_blocks


def _text(blocks: list[dict]) -> str:
    return block_text(blocks, buttons=True)


async def test_spanish_help_errors_reminders_and_deadlines_reach_slack(slack):
    sender, fake = slack.sender, slack.fake
    await sender.command("lang es", user="U2")
    [chosen] = await fake.wait_response()
    assert chosen["text"] == "Tu idioma ahora es Español"

    helped = (await sender.command("help", user="U2")).json()  # answered inside the ack
    assert_valid_blocks(helped["blocks"])
    assert helped["blocks"][0]["text"]["text"] == "Cómo usar /iep"
    assert "*Comandos*" in _text(helped["blocks"])

    await sender.command("cancel", user="U2")
    error = (await fake.wait_response(2))[-1]
    assert_valid_blocks(error["blocks"])
    assert ":warning: *¿Qué recordatorio?*" in _text(error["blocks"])
    assert "Indica su número" in _text(error["blocks"])

    await sender.command("remind me en 2 segundos traer el borrador", user="U2")
    confirmation = (await fake.wait_response(3))[-1]
    assert confirmation["text"] == "Recordatorio #1 listo"
    text = _text(confirmation["blocks"])
    assert "Qué: traer el borrador" in text and "Cancelar" in text
    [post] = await fake.wait_call("chat.postMessage", timeout=15)
    assert post["text"] == "⏰ Recordatorio (#1): traer el borrador"

    await sender.command("deadlines consent 2026-09-15 state=TX", user="U2")
    deadlines = (await fake.wait_response(4))[-1]
    assert_valid_blocks(deadlines["blocks"])
    text = _text(deadlines["blocks"])
    assert deadlines["blocks"][0]["text"]["text"].startswith("Fechas límite tras")
    assert "Informe de la evaluación inicial (FIIE)" in text
    assert "Fuentes: <https://" in text and "Compartir en el canal" in text


async def test_an_english_user_next_to_a_spanish_one_stays_in_english(slack):
    await slack.sender.command("lang es", user="U2")
    await slack.fake.wait_response()
    helped = (await slack.sender.command("help", user="U1")).json()
    assert helped["blocks"][0]["text"]["text"] == "How to use /iep"


async def test_the_reminder_modal_opens_in_spanish_and_its_errors_too(slack):
    await slack.sender.command("lang es", user="U2")
    await slack.fake.wait_response()
    await slack.sender.command("remind", user="U2")
    [opened] = await slack.fake.wait_call("views.open")
    view = opened["view"]
    assert view["title"]["text"] == "Nuevo recordatorio"
    assert view["submit"]["text"] == "Guardar"
    answer = await slack.sender.submit(view, {}, user="U2")
    errors = answer.json()["errors"]
    assert errors["what"] == "Hace falta completar esto." and errors["when"] == errors["what"]
