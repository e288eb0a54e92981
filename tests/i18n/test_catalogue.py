"""The message catalogue itself: complete, up to date with the code, compiled, and packaged."""

from __future__ import annotations

import gettext
import io
import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from content.deadlines.rules import TRANSLATED, federal_rules, state_rules
from content.i18n import DOMAIN, KEYWORDS, LOCALE_DIR, norm_lang, tr, translations, trn

ROOT = Path(__file__).resolve().parents[2]
POT = LOCALE_DIR / f"{DOMAIN}.pot"
PO = LOCALE_DIR / "es" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO = PO.with_suffix(".mo")
FIELD = re.compile(r"\{(\w+)\}")
# Fields the code passes for the translator's use, which the English does not show:
# a plain number where English writes "3rd", and the month's Spanish name.
EXTRA_FIELDS = {"n", "month_es"}


def _catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_the_pot_lists_exactly_the_strings_in_the_code() -> None:
    """Run `python -m content.i18n extract` (then `update`) when this fails."""
    found: set[str] = set()
    for package in ("bots", "content", "scheduler"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / package, [("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    assert found == _ids(_catalog(POT))


def test_every_message_has_a_spanish_translation_with_the_same_fields() -> None:
    po = _catalog(PO)
    assert _ids(po) == _ids(_catalog(POT))
    for message in po:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert strings and all(s.strip() for s in strings), message.id
        allowed = {f for i in ids for f in FIELD.findall(i)} | EXTRA_FIELDS
        for string in strings:
            assert set(FIELD.findall(string)) <= allowed, (message.id, string)


def test_the_committed_mo_is_compiled_from_the_po() -> None:
    """Run `python -m content.i18n compile` when this fails."""
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(PO))
    compiled.seek(0)
    with MO.open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == (  # type: ignore[attr-defined]
            gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
        )


def test_catalogue_files_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["content"]
    content = ROOT / "content"
    for path in (POT, PO, MO):
        assert any(path.match(str(content / pattern)) for pattern in patterns), path


def test_lookups_are_per_call_and_english_is_the_source() -> None:
    assert tr("en", "Reminder #{id} set", id=4) == "Reminder #4 set"
    assert tr("es", "Reminder #{id} set", id=4) == "Recordatorio #4 listo"
    assert tr("es-MX", "Cancel") == tr("es_419", "Cancel") == "Cancelar"
    assert tr("fr", "Cancel") == tr(None, "Cancel") == "Cancel"
    assert tr("es", "a string nobody translated") == "a string nobody translated"
    one = trn("es", "What I can explain ({n} topic)", "What I can explain ({n} topics)", 1)
    many = trn("es", "What I can explain ({n} topic)", "What I can explain ({n} topics)", 5)
    assert (one, many) == ("Lo que puedo explicar (1 tema)", "Lo que puedo explicar (5 temas)")
    assert translations("es") is translations("es")
    assert norm_lang("ES") == "es" and norm_lang("en-GB") == "en"


@pytest.mark.parametrize(
    "rule",
    [*federal_rules(), *(r for s in state_rules().values() for r in s.rules)],
    ids=lambda r: f"{r.state or 'US'}-{r.id}",
)
def test_every_deadline_rule_has_its_spanish_words(rule) -> None:
    for name in TRANSLATED:
        if getattr(rule, name) is not None:
            spanish = rule.text(name, "es")
            assert spanish and spanish != getattr(rule, name), (rule.id, name)
