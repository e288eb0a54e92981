"""Spanish in Discord's command picker: descriptions localised from the catalogue, names never."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import discord
from discord.app_commands import TranslationContextLocation as Where

from bots.discord.commands import build_tree
from bots.discord.handler import Handler
from bots.discord.notifier import DiscordNotifier
from bots.discord.sync import tree_hash
from bots.discord.translator import TEXT_MAX, install_translator, translate
from tests.discord.conftest import logged_in_client
from tests.discord.fake_discord import APP_ID

SPANISH = {"es-ES", "es-419"}


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A command, its options (subcommands, parameters) and their choices, depth first."""
    yield node
    for child in node.get("options", []):
        yield from _walk(child)
    yield from node.get("choices", [])


def _by_name(options: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in options}


async def test_the_synced_commands_carry_spanish_descriptions(client, fake):
    [sync] = fake.syncs
    [iep] = sync.body
    assert iep["name"] == "iep"
    assert iep["description"] == "Plain answers about IEPs and 504 plans, deadlines, reminders"
    spanish = "Respuestas claras sobre IEP y planes 504, fechas límite y recordatorios"
    assert iep["description_localizations"] == {"es-ES": spanish, "es-419": spanish}

    subs = _by_name(iep["options"])
    ask = subs["ask"]
    assert ask["description_localizations"]["es-ES"] == "Explica un término en palabras sencillas"
    assert ask["description_localizations"]["es-419"] == "Explica un término en palabras sencillas"
    [term] = ask["options"]
    assert term["name"] == "term"
    assert term["description_localizations"] == {
        locale: "Un término o una pregunta, p. ej. plan 504, FAPE, qué es un IEP"
        for locale in SPANISH
    }
    when = _by_name(subs["remind"]["options"])["when"]
    assert when["description_localizations"]["es-419"].startswith("p. ej. mañana a las 9")


async def test_names_stay_english_and_every_localisation_is_spanish_and_short(client, fake):
    [iep] = fake.syncs[0].body
    nodes = list(_walk(iep))
    described = [n for n in nodes if "description" in n]  # the group, subcommands, parameters
    assert all(not n.get("name_localizations") for n in described)  # /iep ask stays /iep ask
    # Every description in the tree has its Spanish (choices have names only).
    assert all(set(n.get("description_localizations", {})) == SPANISH for n in described), [
        n["name"] for n in described if set(n.get("description_localizations", {})) != SPANISH
    ]
    for node in described:
        for text in node["description_localizations"].values():
            assert 1 <= len(text) <= TEXT_MAX and text != node["description"], text
    # Choice names are localised where the catalogue has them (the value stays the same).
    choices = [n for n in nodes if "value" in n]
    spain = discord.Locale.spain_spanish
    for choice in choices:
        spanish = translate(choice["name"], spain, Where.choice_name)
        expected = dict.fromkeys(SPANISH, spanish) if spanish else {}
        assert choice.get("name_localizations", {}) == expected, choice
    assert any(choice.get("name_localizations") for choice in choices)
    # The lang command keeps both languages in its own description, Spanish first for Spanish.
    lang = _by_name(iep["options"])["lang"]
    assert lang["description_localizations"]["es-ES"] == "Español o inglés / Spanish or English"


async def test_adding_spanish_changes_the_hash_once_and_it_is_stable(fake, ctx, tmp_path):
    state = tmp_path / "sync.json"
    plain = build_tree(discord.Client(intents=discord.Intents.none()), _handler(ctx))
    untranslated = await tree_hash(plain)
    # A start by a version without the translator: the hash it stored is of the English tree.
    state.write_text(json.dumps({str(APP_ID): untranslated}))

    first = await logged_in_client(ctx, state)
    await first.close()
    assert first.synced and len(fake.syncs) == 1
    stored = json.loads(state.read_text())[str(APP_ID)]
    assert stored != untranslated

    again = await logged_in_client(ctx, state)
    await again.close()
    assert not again.synced and len(fake.syncs) == 1
    assert json.loads(state.read_text())[str(APP_ID)] == stored

    await install_translator(plain)
    assert await tree_hash(plain) == stored  # the hash is the payload's, not the process's


def _handler(ctx) -> Handler:
    return Handler(ctx, DiscordNotifier())


def test_only_spanish_descriptions_and_choice_names_are_translated():
    spain, latam = discord.Locale.spain_spanish, discord.Locale.latin_american_spanish
    text = "Stop a reminder"
    assert translate(text, spain, Where.command_description) == "Cancela un recordatorio"
    assert translate(text, latam, Where.parameter_description) == "Cancela un recordatorio"
    assert translate(text, spain, Where.choice_name) == "Cancela un recordatorio"
    assert translate("Whose setting", latam, Where.group_description) == "A quién se aplica"
    for where in (Where.command_name, Where.group_name, Where.parameter_name):
        assert translate(text, spain, where) is None
    assert translate(text, discord.Locale.french, Where.command_description) is None
    assert translate(text, discord.Locale.american_english, Where.command_description) is None
    # Not in the catalogue (a state, a zone): no localisation, Discord shows the text as is.
    assert translate("Texas (TX)", spain, Where.choice_name) is None
