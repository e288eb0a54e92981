"""Several languages: translations align with English, and untranslated entries fall back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bots.context import Context
from bots.router import route
from content.loader import check_packs, load_library
from content.search import SearchIndex
from scheduler.identity import Asker

PACKS = Path(__file__).parents[1] / "fixtures" / "packs"
IEPBOT = str(Path(sys.executable).with_name("iepbot"))


def test_translation_of_an_unknown_id_is_refused() -> None:
    library, issues = check_packs(PACKS / "broken" / "orphan_translation")
    assert library is None
    assert [str(i) for i in issues] == [
        "orphan_translation/es/basics.yaml: entry 'solo-en-espanol': field 'id': "
        "no 'en' entry with this id; translate an existing entry"
    ]


def test_missing_translations_are_listed_by_content_check() -> None:
    library = load_library(PACKS / "bilingual")
    assert library.missing("es") == ["iep", "iep-team", "team-meeting"]
    done = subprocess.run(
        [IEPBOT, "content", "check", str(PACKS / "bilingual")], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "not yet in es (3): iep, iep-team, team-meeting" in done.stdout


def test_spanish_lookup_with_or_without_accents() -> None:
    library = load_library(PACKS / "bilingual")
    index = SearchIndex(library.pack("es"))
    for query in ("tecnología de asistencia", "tecnologia de asistencia", "Tecnologia Asistiva"):
        match = index.search(query).match
        assert match is not None and match.entry.id == "assistive-technology"
        assert match.entry.lang == "es"


def test_untranslated_entry_is_shown_in_english_with_a_spanish_notice() -> None:
    ctx = Context(load_library(PACKS / "bilingual"))
    reply = route(ctx, "individualized education program", Asker(lang="es"))
    assert reply.entry_id == "iep" and reply.title.startswith("Individualized")
    assert "todavía no está traducida" in reply.note
    translated = route(ctx, "plan 504", Asker(lang="es"))
    assert translated.title == "Plan 504" and translated.note is None
    # Related links of a Spanish entry may point at an English-only one.
    assert [r.id for r in translated.related] == ["iep", "assistive-technology"]
