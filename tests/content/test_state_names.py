"""States' own names for special-education things reach the packs' entries.

Parents write "Early Steps", "BabyNet", "the ETR", "a NOREP", "an SST meeting": the lexicon
maps each state name to the words of its entry, so a sentence that names only the state's
program is ranked to that entry first. Names that are also ordinary text ("first steps",
"early on", "met", "sat") are mapped only in forms that cannot be ordinary text.
"""

from __future__ import annotations

import pytest

from content.lexicon import load_lexicon
from content.model import Library
from content.normalise import fold
from content.questions import QuestionIndex, answer


@pytest.fixture(scope="module")
def indexes(library: Library) -> dict[str, QuestionIndex]:
    return {lang: QuestionIndex(library.pack(lang)) for lang in ("en", "es")}


@pytest.mark.parametrize(
    ("lang", "text", "entry_id"),
    [
        # Part C programs by their state names
        ("en", "my son is 18 months and in early steps, what services can he get", "part-c"),
        ("en", "we just got referred to babies can't wait, what happens next", "part-c"),
        ("en", "is the michigan early on program free", "part-c"),
        ("en", "how do i sign up for babynet", "part-c"),
        ("en", "what is ECI in texas", "part-c"),
        (
            "en",
            "our infant & toddler connection coordinator said they can come to daycare",
            "part-c",
        ),
        ("en", "soonerstart evaluation for my baby", "part-c"),
        ("en", "early access iowa referral for my toddler", "part-c"),
        # leaving the state's program at three
        (
            "en",
            "my daughter is aging out of ECI next month, what now",
            "part-c-to-part-b-transition",
        ),
        ("en", "she leaves babynet when she turns 3, then what", "part-c-to-part-b-transition"),
        # Pennsylvania's forms, Ohio's and Michigan's evaluation reports
        ("en", "the school sent a NOREP, what is that", "prior-written-notice"),
        ("en", "the school sent me a PTE to sign", "parental-consent"),
        ("en", "what is an ETR", "evaluation"),
        ("en", "what does the MET report mean", "evaluation"),
        ("en", "the ETR says he doesn't qualify, can I disagree", "eligibility-disagreement"),
        # pre-referral teams and New Jersey's child study team
        ("en", "the school wants a SAT meeting before testing him", "rti-mtss"),
        ("en", "what is an SBLC meeting", "rti-mtss"),
        (
            "en",
            "they put my daughter on the teacher support team list, what does TST mean",
            "rti-mtss",
        ),
        ("en", "who is on the child study team", "iep-team"),
        # Spanish: the English program names, and Texas's Spanish name
        ("es", "mi bebé está en ECI, qué servicios le dan", "part-c"),
        ("es", "qué es early on en michigan", "part-c"),
        ("es", "mi niño está en first steps en indiana, cuánto cuesta", "part-c"),
        ("es", "mi hija sale de ECI en dos meses, qué sigue", "part-c-to-part-b-transition"),
        ("es", "me mandaron un NOREP, qué es", "prior-written-notice"),
        ("es", "la escuela quiere una junta del SST antes de evaluarlo", "rti-mtss"),
        ("es", "me mandaron un PTE para firmar", "parental-consent"),
        ("es", "quién está en el child study team", "iep-team"),
    ],
)
def test_a_state_name_ranks_its_entry_first(
    library: Library, indexes: dict[str, QuestionIndex], lang: str, text: str, entry_id: str
) -> None:
    ranked = indexes[lang].rank(text)
    assert ranked.entries and ranked.entries[0].id == entry_id, [e.id for e in ranked.entries[:3]]
    # the answer is that entry or "unsure" (never a different entry stated as the answer)
    result = answer(library, text, lang)
    assert result.entry is None or result.entry.id == entry_id, result.entry.id


@pytest.mark.parametrize(
    "text",
    [
        "what are the first steps to get an iep",
        "early on in the year the teacher said he was fine",
        "he got an early start on homework",
        "we want to get off to a strong start this year",
        "can the school give him early access to the building",
    ],
)
def test_a_state_name_that_is_ordinary_text_adds_no_early_intervention(text: str) -> None:
    lexicon = load_lexicon("en")
    assert "early intervention part c" not in lexicon.expansions(fold(text))


def test_met_and_sat_as_ordinary_words_add_no_state_meaning() -> None:
    lexicon = load_lexicon("en")
    assert "special education evaluation report" not in lexicon.expansions(fold("we met the team"))
    assert not any(
        "student support team" in added
        for added in lexicon.expansions(fold("he sat in the hallway all day"))
    )
