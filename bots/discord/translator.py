"""Spanish for `/iep` in Discord's command picker, from the shared message catalogue.

discord.py sends the translator's answers with the command sync as ``description_localizations``
and ``name_localizations``; Discord then shows a client set to Spanish (Spain, ``es-ES``, or
Latin America, ``es-419``) the Spanish descriptions and choice names. Only descriptions and
choice names are translated: command and option *names* stay English in every locale, so
`/iep ask` is the same command in the help text, the README and every language.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from content.i18n import tr

log = logging.getLogger(__name__)
SPANISH = frozenset({discord.Locale.spain_spanish, discord.Locale.latin_american_spanish})
TRANSLATED = frozenset(
    {
        Where.command_description,
        Where.group_description,
        Where.parameter_description,
        Where.choice_name,
    }
)
TEXT_MAX = 100  # Discord's limit for a description or a choice name, in every locale


class CatalogueTranslator(app_commands.Translator):
    """``None`` means "no localisation": Discord then shows the English text."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        return translate(string.message, locale, context.location)


def translate(message: str, locale: discord.Locale, where: Where) -> str | None:
    if locale not in SPANISH or where not in TRANSLATED:
        return None
    spanish = tr("es", message)
    if spanish == message:
        return None  # not in the catalogue (a state name, a zone), or the same in Spanish
    if len(spanish) > TEXT_MAX:
        # Discord would refuse the whole sync over one long string; English is better than that.
        log.warning("Spanish for %r is over %d characters; sent in English", message, TEXT_MAX)
        return None
    return spanish


async def install_translator(tree: app_commands.CommandTree[Any]) -> None:
    """Before the sync (and before its hash), so the Spanish is part of both."""
    if not isinstance(tree.translator, CatalogueTranslator):
        await tree.set_translator(CatalogueTranslator())
