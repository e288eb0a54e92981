"""The one message catalogue of every fixed string the bot shows: gettext, compiled by Babel.

English is the source language: the msgids in the code are the English text, so an English user
never touches a catalogue and a missing translation falls back to readable English. Each call
names its language, because one process answers people in different languages at once; the
global ``gettext.install()`` would make the last asker's language everyone's.

Mark strings with ``tr(lang, "...")``, ``trn(lang, "one", "many", n)`` or, where the language
is only known later, ``N_("...")``; fields use ``{name}`` and are filled after translation.
Catalogues live in ``locale/``; ``python -m content.i18n`` extracts, updates and compiles them.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

DOMAIN = "messages"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGS: tuple[str, ...] = ("en", "es")
# The call names pybabel must look for, with the position of the msgid in each (tr's first
# argument is the language). Kept here so the CLI helper and the tests extract the same way.
KEYWORDS: dict[str, tuple[int, ...] | None] = {"tr": (2,), "trn": (2, 3), "N_": None}


def norm_lang(lang: str | None) -> str:
    """Collapse locale tags (`es-MX`, `es_419`) to the languages we have catalogues for;
    English is the fallback so an unexpected tag never turns into a crash in the chat."""
    if lang and lang.strip().lower().split("-")[0].split("_")[0] == "es":
        return "es"
    return "en"


@functools.cache
def translations(lang: str | None) -> gettext.NullTranslations:
    """One catalogue object per language, read once per process."""
    code = norm_lang(lang)
    if code == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def _fill(text: str, fields: dict[str, object]) -> str:
    return text.format(**fields) if fields else text


def tr(lang: str | None, message: str, /, **fields: object) -> str:
    """``message`` in ``lang``, with ``{fields}`` filled in after translation."""
    return _fill(translations(lang).gettext(message), fields)


def trn(lang: str | None, singular: str, plural: str, n: int, /, **fields: object) -> str:
    """The singular or plural form for ``n`` (also available as ``{n}``) in ``lang``."""
    return _fill(translations(lang).ngettext(singular, plural, n), {"n": n, **fields})


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is defined (a table, a constant); it is
    translated later with ``tr(lang, VALUE)`` once the asker's language is known."""
    return message
