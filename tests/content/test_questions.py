"""The question engine: terms, sentences, synonyms, compare intent, the confidence rule."""

from __future__ import annotations

import pytest

from content.lexicon import LEXICON_DIR, load_lexicon, parse_lexicon
from content.model import Library
from content.normalise import fold
from content.questions import (
    CONFIDENCE,
    CONFIDENCE_THRESHOLD,
    UNSURE_SUGGESTIONS,
    AnswerKind,
    QuestionIndex,
    Ranked,
    Stage,
    answer,
    confidence,
    features,
)


@pytest.fixture(scope="module")
def en(library: Library) -> QuestionIndex:
    return QuestionIndex(library.pack("en"))


@pytest.fixture(scope="module")
def es(library: Library) -> QuestionIndex:
    return QuestionIndex(library.pack("es"))


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [("504 plan", "section-504-plan"), ("what is FAPE?", "fape"), ("I.E.P.", "iep")],
)
def test_a_term_is_answered_by_name(en: QuestionIndex, text: str, entry_id: str) -> None:
    result = en.answer(text)
    assert result.kind is AnswerKind.FOUND and result.stage is Stage.TERM
    assert result.entry is not None and result.entry.id == entry_id


def test_a_term_does_not_build_the_ranker(library: Library) -> None:
    """`iepbot ask "504 plan"` must not pay for numpy and the BM25 indexes."""
    index = QuestionIndex(library.pack("en"))
    index.answer("504 plan")
    assert index._ranker is None
    index.answer("can a child with an iep be suspended")
    assert index._ranker is not None


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [
        ("Can a child with an IEP be suspended?", "discipline-rights"),
        ("How often is the IEP reviewed and updated?", "annual-review"),
        ("How do I request an evaluation for my child?", "evaluation-request"),
        ("can the school kick my kid out for a week", "discipline-rights"),  # synonyms
        ("they sent my son home again, is that allowed with an iep", "discipline-rights"),
    ],
)
def test_sentences_find_the_entry(en: QuestionIndex, text: str, entry_id: str) -> None:
    result = en.answer(text)
    assert result.kind is AnswerKind.FOUND, [e.id for e in result.suggestions]
    assert result.entry is not None and result.entry.id == entry_id


def test_a_typo_of_a_whole_name_is_answered_but_a_word_inside_a_name_is_not(
    en: QuestionIndex,
) -> None:
    typo = en.answer("asistive tecnology")
    assert typo.stage is Stage.FUZZY and typo.entry and typo.entry.id == "assistive-technology"
    vague = en.answer("meeting")  # inside "IEP meeting", "resolution meeting"...
    assert vague.kind is AnswerKind.UNSURE
    assert "iep-meeting" in [e.id for e in vague.suggestions]


def test_unsure_offers_the_top_three(en: QuestionIndex) -> None:
    result = en.answer("what about the plan?")
    assert result.kind is AnswerKind.UNSURE and result.entry is None
    assert len(result.suggestions) == UNSURE_SUGGESTIONS
    assert len({e.id for e in result.suggestions}) == UNSURE_SUGGESTIONS


def test_a_miss_offers_close_names_or_starters(en: QuestionIndex) -> None:
    result = en.answer("xyzzy")
    assert result.kind is AnswerKind.MISS and result.suggestions
    assert en.answer("   ?  ").kind is AnswerKind.MISS


def test_the_confidence_rule(library: Library) -> None:
    """Ahead on score, on the question's words and on the example questions: sure. Level with
    the runner-up on all three: unsure, however high the scores."""
    pack = library.pack("en")
    top, other = pack.entries["section-504-plan-review"], pack.entries["section-504-plan"]
    asked = fold(top.questions[0])
    mine, theirs = tuple(map(fold, top.questions)), tuple(map(fold, other.questions))

    def ranked(
        scores: tuple[float, ...], cover: tuple[float, ...], *examples: tuple[str, ...]
    ) -> Ranked:
        named = (True, cover[0] == cover[-1])[: len(scores)]  # level on coverage, level named
        return Ranked((top, other)[: len(scores)], scores, cover, named, 5, scores, examples)

    ahead = ranked((60.0, 20.0), (1.0, 0.5), mine, theirs)
    assert confidence(asked, ahead) >= CONFIDENCE_THRESHOLD
    assert features(asked, ahead)["paraphrase"] == 1.0  # the question is one of its examples
    level = ranked((60.0, 58.0), (1.0, 1.0), theirs, theirs)
    assert confidence(asked, level) < CONFIDENCE_THRESHOLD
    assert confidence("xyzzy plugh", ranked((60.0, 58.0), (1.0, 1.0), mine, theirs)) < (
        CONFIDENCE_THRESHOLD
    )
    alone = ranked((60.0,), (1.0,), mine)
    assert features(asked, alone)["paraphrase_lead"] == features(asked, alone)["paraphrase"]
    # Being further ahead never makes the rule less sure: the fitted model must agree.
    leads = ("lead", "coverage_lead", "paraphrase_lead", "residual_lead")
    assert all(CONFIDENCE[name] > 0 for name in leads)


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        (
            "What's the difference between accommodations and modifications?",
            {"accommodations", "modifications"},
        ),
        ("fba vs bip", {"fba", "bip"}),
        ("how is an IFSP different from an IEP", {"ifsp", "iep"}),
        ("difference between mediation and due process", {"mediation", "due-process"}),
    ],
)
def test_compare_intent_names_both_entries(en: QuestionIndex, text: str, pair: set[str]) -> None:
    result = en.answer(text)
    assert result.kind is AnswerKind.COMPARE and result.pair is not None
    assert {e.id for e in result.pair} == pair


@pytest.mark.parametrize("text", ["a vs b", "x vs y", "q versus z"])
def test_a_side_that_is_no_name_is_not_compared(en: QuestionIndex, text: str) -> None:
    """One letter is no entry's name: a loose match ("a" ~ "ADA") must not put two entries
    side by side as if they were asked for."""
    assert en.answer(text).kind is not AnswerKind.COMPARE


def test_a_question_mostly_in_words_no_entry_has_is_not_answered(en: QuestionIndex) -> None:
    """A Spanish question asked in the English pack shares only "el" with it (the English
    learners entry's "EL"): one known word out of four is no reason to answer."""
    result = en.answer("cuánto cuesta el almuerzo")
    assert result.kind is not AnswerKind.FOUND, result.entry


def test_a_misspelt_side_is_still_compared(en: QuestionIndex) -> None:
    result = en.answer("accomodations vs modifcations")
    assert result.kind is AnswerKind.COMPARE and result.pair is not None
    assert {e.id for e in result.pair} == {"accommodations", "modifications"}


def test_a_comparison_with_its_own_entry_is_that_entry(en: QuestionIndex) -> None:
    result = en.answer("iep vs 504")
    assert result.kind is AnswerKind.FOUND and result.entry and result.entry.id == "iep-vs-504"


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        (
            "¿Cuál es la diferencia entre adaptaciones y modificaciones?",
            {"accommodations", "modifications"},
        ),
        ("cual es la diferencia entre mediacion y debido proceso", {"mediation", "due-process"}),
        # an adjective between "diferencia" and "entre"
        (
            "¿Cuáles son las diferencias principales entre IDEA y la Sección 504?",
            {"idea", "section-504"},
        ),
        ("la diferencia básica entre mediación y debido proceso", {"mediation", "due-process"}),
    ],
)
def test_spanish_compare(es: QuestionIndex, text: str, pair: set[str]) -> None:
    result = es.answer(text)
    assert result.kind is AnswerKind.COMPARE and result.pair is not None
    assert {e.id for e in result.pair} == pair


@pytest.mark.parametrize(
    "text",
    [
        "¿Qué es la educación especial?",
        "que es la educacion especial",
        "QUÉ ES LA EDUCACIÓN ESPECIAL",
    ],
)
def test_spanish_accents_and_case_are_optional(es: QuestionIndex, text: str) -> None:
    result = es.answer(text)
    assert result.found and result.entry and result.entry.id == "special-education"
    assert result.entry.lang == "es"


def test_spanish_sentences_and_synonyms(es: QuestionIndex) -> None:
    suspended = es.answer("¿pueden suspender a mi hijo si tiene un IEP?")
    assert suspended.found and suspended.entry and suspended.entry.id == "discipline-rights"
    # The ranking puts the plan first; whether it is sure enough to answer outright is the
    # fitted confidence rule's call (tests/content/test_question_set.py measures that).
    plan = es.rank("¿Quién se puede beneficiar de un plan de educación 504?")
    assert plan.entries[0].id == "section-504-plan"


def test_answer_entry_point_caches_per_library(library: Library) -> None:
    first = answer(library, "Can a child with an IEP be suspended?", "en")
    again = answer(library, "Can a child with an IEP be suspended?", "en")
    assert first == again and first.entry and first.entry.id == "discipline-rights"
    spanish = answer(library, "¿Qué es un IEP?", "es")
    assert spanish.entry and spanish.entry.lang == "es"


def test_the_lexicons_load_and_expand(library: Library) -> None:
    lexicon = load_lexicon("en")
    assert "suspension discipline" in lexicon.expansions("they kicked him out today")
    assert lexicon.strip_scaffolding("can the school test my kid") == "test"
    assert lexicon.compare_sides("whats the difference between iee and evaluation") == (
        "iee",
        "evaluation",
    )
    assert load_lexicon("es").strip_scaffolding("mi hijo tiene tdah") == "tiene tdah"
    assert {p.stem for p in LEXICON_DIR.glob("*.yaml")} >= set(library.languages)


def test_a_bad_lexicon_is_refused_with_every_problem() -> None:
    data = {
        "scaffolding": ["what is"],
        "question_words": ["what"],
        "stopwords": ["two words"],
        "glue": ["of"],
        "not_terms": [],
        "synonyms": [{"to": "evaluation"}, {"to": "x", "from": ["y"], "extra": 1}],
        "compare": ["(unclosed", "(?P<a>.+) and (.+)"],
        "typo": [],
    }
    lexicon, issues = parse_lexicon(data, "en", "lexicon/en.yaml")
    assert lexicon is None
    text = "\n".join(map(str, issues))
    assert "typo" in text
    data.pop("typo")
    lexicon, issues = parse_lexicon(data, "en", "lexicon/en.yaml")
    text = "\n".join(map(str, issues))
    assert lexicon is None
    assert "'two words' is not one word" in text
    assert "synonyms[0]" in text and "synonyms[1]" in text
    assert "compare[0]" in text and "not a regular expression" in text
    assert "compare[1]" in text and "(?P<a>...)" in text


def test_a_comparison_entry_steps_back_unless_both_sides_are_named(
    en: QuestionIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    import content.questions as engine

    assert en._comparisons()["iep-vs-504"] == {"iep", "section-504-plan"}

    def score(text: str) -> float:
        ranked = en.rank(text)
        return dict(zip((e.id for e in ranked.entries), ranked.scores, strict=True))["iep-vs-504"]

    # (the ranking, not the answer: whether its lead is enough to answer is the fitted rule's)
    meeting = en.rank("What happens at an IEP meeting?")
    assert meeting.entries[0].id == "iep-meeting"
    assert "iep-vs-504" not in [e.id for e in meeting.entries[:3]]
    one, both = "how long does a 504 plan last", "does an IEP or a 504 plan last longer"
    stepped_back, kept = score(one), score(both)
    monkeypatch.setattr(engine, "COMPARISON", 1.0)
    assert stepped_back == pytest.approx(score(one) * 0.5)
    assert kept == pytest.approx(score(both))


def test_negations_and_lists(en: QuestionIndex) -> None:
    assert "not" in en.ranker.tokens("not eligible")
    three = en.answer(
        "What is the difference between mediation, due process and a state complaint?"
    )
    assert three.kind is not AnswerKind.COMPARE  # three things are not a pair


def test_words_the_lexicon_adds_count_less_than_the_questions_own(
    en: QuestionIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    import content.questions as engine

    monkeypatch.setattr(engine, "COVERAGE_BOOST", 0.0)
    monkeypatch.setattr(engine, "MENTION", 0.0)
    own, added = en.ranker.rank("suspension"), en.ranker.rank("", "suspension")
    assert [e.id for e in own.entries] == [e.id for e in added.entries]
    assert added.scores[0] == pytest.approx(engine.EXPANSION * own.scores[0])
    # A word the question already has is not counted again when the lexicon adds it.
    assert en.ranker.rank("suspension", "suspension").scores == own.scores


@pytest.mark.parametrize(
    ("text", "entry_id", "lang"),
    [
        # "special education" is a whole short name, but the question is about discipline
        (
            "Do I have to treat all special education students the same when it comes to "
            "discipline?",
            "discipline-rights",
            "en",
        ),
        # "refuse" adds "due process" to the question; the question itself is a suspension
        ("Do I have the right to challenge my son's suspension?", "discipline-rights", "en"),
        ("¿Qué es un IEP y cómo se desarrolla?", "iep", "es"),  # not "desarrollo" alone
    ],
)
def test_an_entry_holding_more_of_the_question_ranks_first(
    library: Library, text: str, entry_id: str, lang: str
) -> None:
    ranked = QuestionIndex(library.pack(lang)).rank(text)
    assert ranked.entries[0].id == entry_id, [e.id for e in ranked.entries[:3]]
    assert ranked.coverage[0] >= ranked.coverage[1]


def test_naming_an_entry_counts_the_same_whatever_its_names_length(en: QuestionIndex) -> None:
    """A question naming the IEP team (two words) and an FBA (one) asks about the FBA: each
    named entry gets one bonus, not one per word of its name."""
    ranked = en.rank("how does the IEP team handle an FBA")
    assert [e.id for e in ranked.entries[:2]] == ["fba", "iep-team"]


def test_a_comparison_side_must_be_a_name(en: QuestionIndex) -> None:
    """ "A child with ADHD: an IEP" ranks as ADHD, which is not what is compared."""
    result = en.answer("Which is better for a child with ADHD: an IEP or a 504 Plan?")
    assert result.kind is not AnswerKind.COMPARE
    assert "iep-vs-504" in [e.id for e in (result.entry, *result.suggestions) if e]


def test_x_vs_y_with_no_known_word_is_a_miss_not_a_crash(library: Library) -> None:
    # An "X vs Y" question whose sides the packs do not know, and no word of which ranks:
    # the unknown-side rule must not read a ranking that is empty.
    for lang in ("en", "es"):
        got = QuestionIndex(library.pack(lang)).answer("qqq versus zzz")
        assert not got.found and got.entry is None


@pytest.mark.parametrize(
    ("text", "entry_id", "lang"),
    [
        ("When should a student be referred to child find?", "child-find", "en"),
        (
            "what help can my daughter get from the district at her private school",
            "private-school-services-plan",
            "en",
        ),
        ("is summer school the same thing for kids with IEPs", "esy", "en"),
        ("¿qué es la búsqueda de niños y quién la hace?", "child-find", "es"),
        ("¿la escuela privada tiene que darle servicios?", "private-school-services-plan", "es"),
    ],
)
def test_a_name_made_partly_of_stopwords_is_still_a_name(
    library: Library, text: str, entry_id: str, lang: str
) -> None:
    """ "child", "school" and "niños" carry no topic in a question, but they are half of the
    names "child find", "private school" and "búsqueda de niños": a question that says the
    whole name names the entry (it used to be read as a name only with no stopword in it)."""
    ranked = QuestionIndex(library.pack(lang)).rank(text)
    assert ranked.entries[0].id == entry_id, [e.id for e in ranked.entries[:3]]
    assert ranked.named[0], "the question says the entry's name"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "What if my child misses the bus?"),
        ("en", "can I change which bus route my son rides"),
        ("es", "¿Qué pasa si el transporte llega tarde todos los días?"),
    ],
)
def test_a_bus_question_is_not_answered_as_related_services(
    library: Library, lang: str, text: str
) -> None:
    """The bus is asked about for many reasons (a route, a missed bus) and only one of them is
    the related service of special transportation: the lexicon adds "transportation" for
    "bus", a topic word, not "related services", a name that made every bus question name the
    entry and get it as a confident answer."""
    result = answer(library, text, lang)
    assert not (result.found and result.entry and result.entry.id == "related-services")


def test_special_transportation_is_the_transportation_entry(library: Library) -> None:
    """ "Special transportation" is a name of the school-transportation entry (it was an alias
    of related-services until that entry existed): a question naming it ranks that entry first,
    the one that says transportation is a related service and what the IEP team decides."""
    result = answer(library, "is special transportation a related service")
    top = result.entry if result.entry else result.suggestions[0]
    assert top.id == "school-transportation", [e.id for e in result.suggestions]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "my baby has a fever, what do I do"),
        ("en", "my baby won't sleep"),
        ("es", "¿Qué hago si mi bebé tiene fiebre?"),
    ],
)
def test_a_baby_alone_is_not_early_intervention(library: Library, lang: str, text: str) -> None:
    """Parents ask about their babies' sleep, fevers and tantrums where the bot listens. The
    lexicon used to add "early intervention part c", a name, for "baby" or "toddler", so every
    such question named the entry and got it as a confident answer; the word now adds
    "infants toddlers", words of the entry, not its name."""
    result = answer(library, text, lang)
    assert not (result.found and result.entry and result.entry.id == "part-c")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "my son is 2 and not talking, can he get services"),
        ("es", "mi hijo tiene 2 años y no habla, ¿puede recibir servicios?"),
    ],
)
def test_a_child_under_three_with_a_need_is_early_intervention(
    library: Library, lang: str, text: str
) -> None:
    """An age under three still names early intervention, which is what such questions ask."""
    result = answer(library, text, lang)
    assert result.found and result.entry is not None and result.entry.id == "part-c", result


def test_glue_between_two_words_keeps_them_from_being_a_name(library: Library) -> None:
    """A name is matched without its glue words, but two words with a preposition between
    them in a question are not the name those words make side by side: "keep my child home
    from school" is not about the name "home school". A name that has the glue itself
    ("review of existing evaluation data") is still found with or without it."""
    ranker = QuestionIndex(library.pack("en")).ranker
    said = set(ranker.both(fold("when should I keep my child home from school"))[1])
    assert not set(ranker.name_stems(fold("home school"))) <= said
    assert set(ranker.name_stems(fold("home school"))) <= set(
        ranker.both(fold("can I home school my son with an IEP"))[1]
    )
    spelled = set(ranker.name_stems(fold("review of existing evaluation data")))
    assert spelled <= set(ranker.both(fold("they want a review of existing evaluation data"))[1])
    assert spelled <= set(ranker.both(fold("can we review existing evaluation data first"))[1])
