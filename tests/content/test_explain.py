"""`explain`: every known term of a pasted passage, and only those, with a one-line gloss."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from content.explain import MAX_PASSAGE, TermFinder, explain, gloss
from content.model import Library

PASSAGES = yaml.safe_load((Path(__file__).parent / "explain_passages.yaml").read_text("utf-8"))


def test_there_are_thirty_passages_in_both_languages() -> None:
    assert len(PASSAGES) >= 30
    assert {p["lang"] for p in PASSAGES} == {"en", "es"}


@pytest.mark.parametrize("passage", PASSAGES, ids=lambda p: p["text"][:40])
def test_finds_exactly_the_known_terms(library: Library, passage: dict) -> None:
    found = explain(library, passage["text"], passage["lang"])
    ids = [f.entry.id for f in found]
    assert len(ids) == len(set(ids)), "each term once"
    assert set(ids) == set(passage["terms"])
    for f in found:
        assert f.text and f.text.casefold() in passage["text"].casefold()
        assert f.gloss and "\n" not in f.gloss


def test_acronyms_only_in_capitals(library: Library) -> None:
    assert explain(library, "We had a good idea; the hard part is next.", "en") == []
    found = explain(library, "Under IDEA the ARD committee meets.", "en")
    assert [f.entry.id for f in found] == ["idea", "iep-team"]


def test_the_longest_name_wins_and_order_follows_the_passage(library: Library) -> None:
    found = explain(library, "Bring notes to the IEP meeting. The IEP is reviewed yearly.", "en")
    assert [f.entry.id for f in found] == ["iep-meeting", "iep"]
    assert found[0].text == "IEP meeting"


def test_plurals_accents_and_case(library: Library) -> None:
    ids = {f.entry.id for f in explain(library, "ACCOMMODATIONS and Related Services", "en")}
    assert ids == {"accommodations", "related-services"}
    spanish = explain(library, "la evaluacion funcional de la conducta", "es")
    assert [f.entry.id for f in spanish] == ["fba"]


def test_glosses_are_in_the_readers_language(library: Library) -> None:
    """A Spanish-speaking parent pastes an English letter: English names, Spanish glosses."""
    [found] = explain(library, "Please sign the consent form.", "es")
    assert found.entry.id == "parental-consent" and found.entry.lang == "es"
    assert found.gloss == gloss(library.packs["es"].entries["parental-consent"])
    # An English reader is not matched against Spanish names.
    assert explain(library, "la junta del IEP", "en")[0].entry.id == "iep"


def test_gloss_is_the_first_sentence(library: Library) -> None:
    entry = library.packs["en"].entries["fape"]
    line = gloss(entry)
    assert entry.summary.startswith(line.rstrip("…")) and line.endswith((".", "…", "?", "!"))


def test_only_the_first_2000_characters_are_read(library: Library) -> None:
    padding = "word " * (MAX_PASSAGE // 5)
    assert explain(library, padding + " FAPE", "en") == []
    assert [f.entry.id for f in explain(library, "FAPE " + padding, "en")] == ["fape"]


def test_phrasings_and_general_words_are_not_terms(library: Library) -> None:
    finder = TermFinder(library, "en")
    assert finder.find("Why get an IEP at all? His behavior improved.") == [
        f
        for f in finder.find("Why get an IEP at all? His behavior improved.")
        if f.entry.id == "iep"
    ]
    assert [f.entry.id for f in finder.find("His behavior improved with interventions.")] == []
