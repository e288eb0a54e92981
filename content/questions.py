"""Answer a question as people write it: a term, a sentence, or "X vs Y".

Three stages, cheapest first:

1. **Term.** The whole query, without its question words, is an entry's id, title or alias
   ("504 plan", "what is FAPE", "¿qué es un IEP?"): that entry, with certainty. No ranking is
   built for this, so `iepbot ask "504 plan"` never imports numpy.
2. **Compare.** "X vs Y", "difference between X and Y", "¿cuál es la diferencia entre X y Y?"
   (patterns in the lexicon): when both sides are names of entries (typos of a short name
   allowed), the pair goes to `compare`.
3. **Ranked.** Anything else is ranked with BM25 (the ``bm25s`` library, ``PyStemmer``
   stemmers) over four fields of every entry, each its own index, then summed with weights:
   names (title, aliases, id) weigh most, the entry's example ``questions`` next (each
   question its own document; an entry scores its best one), then the summary, then the body.
   Separate indexes keep each field's length normalisation apart, so a long body never drowns
   a short, exact title. Before ranking, the question's framing ("can the school", "my kid",
   "mi hijo") and stopwords are dropped, and the lexicon adds the packs' words for the words
   parents use ("kicked out" adds "suspension", "junta" adds "reunión IEP"). An added word
   counts less than a word of the question (``EXPANSION``), so a broad mapping ("refused"
   adds "dispute due process") helps an entry without taking over the ranking. Last, each
   entry's score grows with the share of the question's words it holds (``COVERAGE_BOOST``),
   so that an entry answering the whole question beats one matching a single rare word.

Confidence: a ranked entry is the answer only when a small logistic model says it is
probably right (``confidence``): it weighs how strong the top entry is and how far ahead of the
runner-up, how many of the question's words it holds compared with the runner-up, whether
the question names it, how close the question is to its example questions compared with the
runner-up's, and how much of what the question says beyond the entry's own name the entry's
wording holds (a question that names "due process" but asks where the child goes to school
meanwhile is about stay put). The few coefficients are fitted
by ``bench/confidence.py`` on the question set in ``tests/questions`` (cross-validated by
part) and kept below, so answering needs no fitting library. Otherwise the reply is "unsure" with
the top three, because a wrong answer stated as the answer is worse than "did you mean".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from content.lexicon import Lexicon, load_lexicon
from content.model import Entry, Library, Pack
from content.normalise import fold, normalise
from content.search import _PAREN, MatchKind, SearchIndex

# Field weights of the ranked stage (names, example questions, summary, body).
WEIGHTS = {"names": 3.0, "asked": 2.0, "questions": 1.0, "summary": 1.0, "body": 0.5}
BIGRAMS = True
# BM25 term-frequency saturation and length normalisation (bm25s defaults: 1.5, 0.75; a
# lower k1 did better on held-out questions: a word said many times in a body counts less).
K1 = 0.9
B = 0.75
# Added to an entry whose whole name the question contains (see _Ranker._mentions).
MENTION = 4.0
# A word the lexicon adds for the question's words counts this much of one the question has.
EXPANSION = 0.5
# Each ranked entry's score is multiplied by 1 + COVERAGE_BOOST x the share of the question's
# known words it holds in any field: an entry that answers all of a question beats one that
# matches a single rare word very well (BM25 alone lets one word in a short name win). Words
# weighted by rarity (an IDF) did no better on held-out files, and named entries lost out.
COVERAGE_BOOST = 2.0
# A comparison entry's score, when the question does not name both of its sides.
COMPARISON = 0.5
# The confidence rule: the ranked top entry is the answer when a logistic model over a few
# features (see ``features``) gives it a probability of being right of at least
# CONFIDENCE_THRESHOLD. Written by `bench/confidence.py --write`, which fits it on
# tests/questions, cross-validated by part: the threshold keeps confidently wrong answers at
# 2% or less on the parts each fit did not see, counted on the three parts collected last
# (bench/confidence.py UNSEEN), the least shaped by later content work, which stand for new
# questions, in three of four bootstrap resamples of them (bench/confidence.py ROBUST). Refit
# after changing the ranking or the packs.
CONFIDENCE = {
    "top": 1.502,
    "lead": 2.032,
    "named": 0.841,
    "coverage": -0.238,
    "coverage_lead": 2.032,
    "paraphrase": 1.210,
    "paraphrase_lead": 0.934,
    "words": -1.295,
    "residual": 0.323,
    "residual_lead": 0.734,
}
CONFIDENCE_INTERCEPT = -4.408
CONFIDENCE_THRESHOLD = 0.925
UNSURE_SUGGESTIONS = 3
# The least share of a question's words (after its framing and stopwords go) that some entry
# must have for a ranked answer: the lowest among right answers of the question set is 1/3.
KNOWN_MIN = 1 / 3
# A fuzzy (typo-tolerant) name match answers only a short query: in a sentence, a loose match
# on one word ("reed" ~ "ed") is how confident wrong answers happened.
FUZZY_MAX_WORDS = 3
STEMMERS = {"en": "english", "es": "spanish"}
BASE_LANG = "en"
NEGATIONS = frozenset({"not", "no", "without", "never", "cannot", "cant", "sin", "nunca"})
# Bump when the ranking tables change shape or meaning: cached ones are then rebuilt.
ENGINE_FORMAT = "ranker-3"
BM25S_STOPWORDS = {"en": "STOPWORDS_EN", "es": "STOPWORDS_SPANISH"}


class AnswerKind(StrEnum):
    FOUND = "found"  # one entry, with confidence
    UNSURE = "unsure"  # a few plausible entries; the person picks
    COMPARE = "compare"  # two entries side by side
    MISS = "miss"  # nothing plausible; suggestions are where newcomers start


class Stage(StrEnum):
    """Which stage decided, for the benchmark's breakdown and the "showing X for" note."""

    TERM = "term"
    FUZZY = "fuzzy"
    COMPARE = "compare"
    RANKED = "ranked"
    NONE = "none"


@dataclass(frozen=True)
class Answer:
    """What the bot makes of one query, for any platform to render."""

    query: str
    kind: AnswerKind
    stage: Stage
    entry: Entry | None = None
    suggestions: tuple[Entry, ...] = ()
    pair: tuple[Entry, Entry] | None = None
    score: float = 0.0

    @property
    def found(self) -> bool:
        return self.kind is AnswerKind.FOUND


@dataclass(frozen=True)
class Ranked:
    """Entries with their combined score, best first (only those scoring above zero), and
    what the confidence rule reads: for each of the first two entries, the score before the
    coverage boost (``bm25``; the boost is read apart, as ``coverage``), the share of the
    question's known words it holds in any field (``coverage``), whether the question names
    it (``named``), its example questions, folded (``examples``), and the share of the
    question's other words, those not in a name of the entry it contains, that the entry's own
    wording (names, example questions, summary) holds (``residual``); and how many words the
    question has (``words``) and how many of them any entry has (``known``)."""

    entries: tuple[Entry, ...]
    scores: tuple[float, ...]
    coverage: tuple[float, ...] = ()
    named: tuple[bool, ...] = ()
    words: int = 0
    bm25: tuple[float, ...] = ()
    examples: tuple[tuple[str, ...], ...] = ()
    residual: tuple[float, ...] = ()
    known: int = 0


def _words(*texts: str) -> str:
    return " ".join(fold(t) for t in texts)


@dataclass(frozen=True)
class _Tables:
    """The BM25 weights of one pack as plain dicts, cheap to keep on disk and to load.

    ``weights[token]`` maps an entry's position to the sum of its weighted field scores;
    ``asked[token]`` maps an example question's position to its weighted score, and
    ``owners`` gives the entry of each example question. ``names`` are every entry's names
    as sets of stems (for mentions); ``focus`` every entry's stems in its names, example
    questions and summary (not its body, which mentions much in passing)."""

    stopwords: frozenset[str]
    weights: dict[str, dict[int, float]]
    asked: dict[str, dict[int, float]]
    owners: tuple[int, ...]
    names: tuple[tuple[frozenset[str], int], ...]
    names_by_stem: dict[str, tuple[int, ...]]
    focus: tuple[frozenset[str], ...]


class _Ranker:
    """Ranks a pack's entries for a question. The weights come from ``bm25s`` (one index per
    field) and are kept as sparse dicts: a query touches only the entries that share a word
    with it, in plain Python, which for a pack of about a hundred entries is faster than numpy
    and lets a cached process answer without importing numpy at all (content/cache.py)."""

    def __init__(
        self, pack: Pack, lexicon: Lexicon, comparisons: dict[str, frozenset[str]]
    ) -> None:
        import Stemmer

        from content.cache import cached, digest

        self.entries = list(pack.entries.values())
        position = {e.id: i for i, e in enumerate(self.entries)}
        self.comparisons = {
            position[entry_id]: frozenset(position[s] for s in sides)
            for entry_id, sides in comparisons.items()
        }
        algorithm = STEMMERS.get(pack.lang)
        self._stem = Stemmer.Stemmer(algorithm).stemWords if algorithm else (lambda w: w)
        self.stopwords: frozenset[str] = lexicon.stopwords
        self.glue: frozenset[str] = frozenset(lexicon.glue)
        key = digest(
            [
                ENGINE_FORMAT,
                Path(__file__).read_bytes(),  # any change to this code rebuilds the tables
                repr((WEIGHTS, K1, B, BIGRAMS, algorithm)),
                lexicon.fingerprint(),
                *(
                    repr((e.id, e.title, e.aliases, e.questions, e.summary, e.body))
                    for e in self.entries
                ),
            ]
        )
        self.tables = cached(f"ranker-{pack.lang}", key, lambda: self._build(pack.lang, lexicon))
        self._folded: dict[int, tuple[str, ...]] = {}
        self.stopwords = self.tables.stopwords

    def tokens(self, folded: str) -> list[str]:
        """Stems of the words that are not stopwords, plus each pair of neighbours ("504
        plan", "not eligible" after stopwords go): a pair is evidence of a phrase."""
        words = folded.split()
        return self._ranked_stems(words, self._stem(words))

    def name_stems(self, folded: str) -> list[str]:
        """Stems of every word but the glue ("of", "the"), and each pair of neighbours: what a
        name is matched on. Unlike ``tokens``, stopwords stay, because a name may be made of
        them ("child find", "private school", "búsqueda de niños": "child", "school" and
        "niños" say nothing in a question, but are half of these names). A pair with glue
        between its words in the name is its own kind of pair (``~``), which a question holds
        with or without the glue; a pair of words side by side in the name (``_``) a question
        holds only side by side: "keep my child home from school" does not name "home
        school", while "review existing evaluation data" still names "review of existing
        evaluation data"."""
        words = folded.split()
        return self._named(words, self._stem(words), as_name=True)

    def both(self, folded: str) -> tuple[list[str], list[str]]:
        """``tokens`` and the name stems of a question (see ``name_stems``), its words stemmed
        once (a question needs both)."""
        words = folded.split()
        stemmed = self._stem(words)
        return self._ranked_stems(words, stemmed), self._named(words, stemmed, as_name=False)

    def _ranked_stems(self, words: list[str], stemmed: list[str]) -> list[str]:
        ranked = [s for w, s in zip(words, stemmed, strict=True) if w not in self.stopwords]
        if BIGRAMS:
            ranked += [f"{a}_{b}" for a, b in zip(ranked, ranked[1:], strict=False)]
        return ranked

    def _named(self, words: list[str], stemmed: list[str], as_name: bool) -> list[str]:
        kept: list[tuple[str, bool]] = []  # (stem, glue before it since the last kept word)
        glued = False
        for word, stem in zip(words, stemmed, strict=True):
            if word in self.glue:
                glued = True
                continue
            kept.append((stem, glued))
            glued = False
        named = [stem for stem, _ in kept]
        for (a, _), (b, across) in zip(kept, kept[1:], strict=False):
            if across or not as_name:
                named.append(f"{a}~{b}")
            if not across:
                named.append(f"{a}_{b}")
        return named

    def _build(self, lang: str, lexicon: Lexicon) -> _Tables:
        import bm25s.stopwords

        listed = getattr(bm25s.stopwords, BM25S_STOPWORDS.get(lang, ""), ())
        # Negations say what is asked ("not eligible", "sin mi permiso"): never stopwords.
        self.stopwords = (frozenset(fold(w) for w in listed) | lexicon.stopwords) - NEGATIONS
        weights: dict[str, dict[int, float]] = {}
        fields = {
            "names": [_words(e.title, e.id.replace("-", " "), *e.aliases) for e in self.entries],
            "asked": [_words(*e.questions) for e in self.entries],
            "summary": [_words(e.summary) for e in self.entries],
            "body": [_words(e.body) for e in self.entries],
        }
        for field, docs in fields.items():
            for token, column in self._field(docs).items():
                row = weights.setdefault(token, {})
                for i, score in column.items():
                    row[i] = row.get(i, 0.0) + WEIGHTS[field] * score
        owners = tuple(i for i, e in enumerate(self.entries) for _ in e.questions)
        questions = [_words(q) for e in self.entries for q in e.questions]
        asked = {
            token: {q: WEIGHTS["questions"] * s for q, s in column.items()}
            for token, column in self._field(questions).items()
        }
        # Every name of every entry as a set of stems: a question that contains all the stems
        # of a name mentions that entry.
        names: list[tuple[frozenset[str], int]] = []
        for i, entry in enumerate(self.entries):
            parts = [entry.title, *_PAREN.findall(entry.title), _PAREN.sub(" ", entry.title)]
            for name in sorted({*parts, *entry.aliases, entry.id.replace("-", " ")}):
                # A name is matched as a phrase (its neighbouring words as pairs), so an alias
                # phrased as a question ("who gets an IEP") names its entry only where a
                # question says just that.
                stems = frozenset(self.name_stems(fold(name)))
                if stems:
                    names.append((stems, i))
        focus = tuple(
            frozenset(
                t
                for t in self.tokens(
                    _words(e.title, e.id.replace("-", " "), *e.aliases, *e.questions, e.summary)
                )
                if "_" not in t
            )
            for e in self.entries
        )
        # Each name filed under its rarest stem: a question contains a name only if it holds
        # all its stems, the rarest among them, so it is checked only against the names filed
        # under its own stems, a handful, not against all of them (about a thousand; filed
        # under every stem, "school" alone would bring forty).
        used: dict[str, int] = {}
        for stems, _ in names:
            for stem in stems:
                used[stem] = used.get(stem, 0) + 1
        by_stem: dict[str, list[int]] = {}
        for k, (stems, _) in enumerate(names):
            rarest = min(stems, key=lambda stem: (used[stem], stem))
            by_stem.setdefault(rarest, []).append(k)
        return _Tables(
            self.stopwords,
            weights,
            asked,
            owners,
            tuple(names),
            {stem: tuple(ks) for stem, ks in by_stem.items()},
            focus,
        )

    def _field(self, docs: list[str]) -> dict[str, dict[int, float]]:
        """BM25 weights of one field from bm25s: token -> {document position: score}."""
        import bm25s

        if not docs:
            return {}
        tokenised = [self.tokens(d) for d in docs]
        retriever = bm25s.BM25(k1=K1, b=B)
        retriever.index([doc or [""] for doc in tokenised], show_progress=False)
        data, indices, indptr = (retriever.scores[k] for k in ("data", "indices", "indptr"))
        columns: dict[str, dict[int, float]] = {}
        for token, column in retriever.vocab_dict.items():
            if not token or column + 1 >= len(indptr):
                continue  # bm25s's placeholder for empty documents
            lo, hi = int(indptr[column]), int(indptr[column + 1])
            if hi > lo:
                columns[token] = {
                    int(d): float(s) for d, s in zip(indices[lo:hi], data[lo:hi], strict=True)
                }
        return columns

    def rank(self, folded: str, added: str = "") -> Ranked:
        """``folded`` is the question (scaffolding removed); ``added`` the lexicon's words for
        it, which count EXPANSION times a word of the question itself."""
        query, said_words = self.both(folded)
        own = set(query)
        added_tokens, added_said = self.both(added) if added else ([], [])
        extra = [t for t in added_tokens if t not in own]
        tables = self.tables
        total: dict[int, float] = {}
        best: dict[int, float] = {}
        per_question: dict[int, float] = {}
        # The hot loop of a question (thousands of additions for common words): locals only.
        total_get, asked_get, owners = total.get, per_question.get, tables.owners
        empty: dict[int, float] = {}
        for token, weight in [*((t, 1.0) for t in query), *((t, EXPANSION) for t in extra)]:
            for i, score in tables.weights.get(token, empty).items():
                total[i] = total_get(i, 0.0) + weight * score
            for q, score in tables.asked.get(token, empty).items():
                per_question[q] = asked_get(q, 0.0) + weight * score
        best_get = best.get
        for q, score in per_question.items():  # an entry scores its best example question
            owner = owners[q]
            if score > best_get(owner, 0.0):
                best[owner] = score
        for i, score in best.items():
            total[i] = total_get(i, 0.0) + score
        if not total:
            return Ranked((), ())
        named, said = self._mentions(frozenset(said_words), frozenset(added_said), total)
        order = sorted((i for i in total if total[i] > 0), key=lambda i: (-total[i], i))[:10]
        words = [t for t in query if "_" not in t]
        known = [t for t in words if t in tables.weights]

        def coverage(i: int) -> float:
            return sum(i in tables.weights[t] for t in known) / len(known) if known else 0.0

        def residual(i: int) -> float:
            """The share of the question's known words outside the entry's names that the
            entry's own wording holds: "can a student be *exited* from Section 504" names
            Section 504, but asks what the entry on ending a plan says."""
            rest = [t for t in known if t not in said.get(i, ())]
            return sum(t in tables.focus[i] for t in rest) / len(rest) if rest else 1.0

        boosted = {i: total[i] * (1 + COVERAGE_BOOST * coverage(i)) for i in order}
        order = sorted(order, key=lambda i: (-boosted[i], i))
        return Ranked(
            tuple(self.entries[i] for i in order),
            tuple(boosted[i] for i in order),
            coverage=tuple(coverage(i) for i in order[:2]),
            named=tuple(i in named for i in order[:2]),
            words=len(words),
            bm25=tuple(total[i] for i in order[:2]),
            examples=tuple(self._examples(i) for i in order[:2]),
            residual=tuple(residual(i) for i in order[:2]),
            known=len(known),
        )

    def compares(self, entry: Entry) -> bool:
        """Whether ``entry`` is a comparison of two others ("IEP vs 504 plan")."""
        return any(self.entries[i] is entry for i in self.comparisons)

    def _examples(self, i: int) -> tuple[str, ...]:
        """Entry ``i``'s example questions, folded once (for the paraphrase features)."""
        found = self._folded.get(i)
        if found is None:
            found = self._folded[i] = tuple(fold(q) for q in self.entries[i].questions)
        return found

    def _mentions(
        self, query: frozenset[str], extra: frozenset[str], total: dict[int, float]
    ) -> tuple[set[int], dict[int, frozenset[str]]]:
        """Add MENTION to every entry the question names in full ("IEP", "plan 504"), keeping
        only the most specific: a name inside a longer named one ("IEP" in "IEP meeting") adds
        nothing. The bonus is the same for a long name as for a short one: a question that
        names two entries ("what should IEP teams consider when discussing ESY") is no more
        about the one whose name has more words. A comparison entry ("IEP vs 504 plan") that
        the question does not name both sides of is scaled by COMPARISON: it shares its words
        with each side, so without this it is the runner-up of every question about either
        one.
        Returns the entries named (most specific) and, for every entry named, the stems of
        its names the question contains."""
        both = query | extra
        names = self.tables.names
        candidates = {k for stem in both for k in self.tables.names_by_stem.get(stem, ())}
        found = [names[k] for k in sorted(candidates) if names[k][0] <= both]
        specific = {
            i for stems, i in found if not any(stems < other for other, j in found if j != i)
        }
        for i in specific:
            total[i] = total.get(i, 0.0) + MENTION
        named = {i for _, i in found}  # before the most-specific filter: "IEP" in "IEP or 504"
        for i, sides in self.comparisons.items():
            if i in total and i not in named and not sides <= named:
                total[i] *= COMPARISON
        said: dict[int, frozenset[str]] = {}
        for stems, i in found:
            said[i] = said.get(i, frozenset()) | stems
        return specific, said


class QuestionIndex:
    """Everything needed to answer questions in one language pack; build once, then read-only."""

    def __init__(
        self, pack: Pack, lexicon: Lexicon | None = None, terms: SearchIndex | None = None
    ) -> None:
        self.pack = pack
        self.lexicon = lexicon if lexicon is not None else load_lexicon(pack.lang)
        self.terms = terms if terms is not None else SearchIndex(pack)
        self._ranker: _Ranker | None = None

    @property
    def ranker(self) -> _Ranker:
        if self._ranker is None:
            self._ranker = _Ranker(self.pack, self.lexicon, self._comparisons())
        return self._ranker

    def _comparisons(self) -> dict[str, frozenset[str]]:
        """Entries that compare two others, with the ids they compare. Read from the entry
        id, which is English in every pack ("iep-vs-504", "ifsp-vs-iep"), with the English
        compare forms; a side may be the entry itself ("... vs parent-teacher conference",
        a name only the comparison has)."""
        forms = load_lexicon(BASE_LANG)
        found: dict[str, frozenset[str]] = {}
        for entry in self.pack.entries.values():
            sides = forms.compare_sides(entry.id.replace("-", " "))
            if sides is None:
                continue
            ids = set()
            for side in sides:
                named = self.terms.exact(side)
                by_id = self.pack.get(side.replace(" ", "-"))  # ids are the same in every pack
                ids.add(named.entry.id if named else by_id.id if by_id else entry.id)
            if ids - {entry.id}:
                found[entry.id] = frozenset(ids)
        return found

    def _term(self, text: str) -> tuple[Entry, MatchKind] | None:
        found = self.terms.exact(text)
        return (found.entry, found.kind) if found is not None else None

    def _side(self, text: str) -> Entry | None:
        """One side of a comparison: a name, or a close typo of a short name. Not a ranking:
        "which is better for a child with ADHD, an IEP or a 504" has a side that ranks first
        as ADHD but is not what is compared; such a question goes to the ranked stage whole."""
        found = self.terms.exact(text)
        if found is None and len(text.split()) <= FUZZY_MAX_WORDS:
            found = self.terms.search(text).match
        return found.entry if found is not None else None

    def _one_name(self, text: str) -> str:
        """A name spelled out with its short form after it, "Individualized Education Program
        (IEP)", "Parte C (Intervención temprana)", is how FAQ pages introduce a term: one
        mention, not two. Counted twice, the named entry outscores what the question asks
        about it ("how can my child get an Individualized Education Program (IEP)?" is a
        question about asking for an evaluation). The short form stays; the spelled-out words
        before it go, when both name the same entry."""
        for group in _SPELLED_OUT.finditer(text):
            short = self.terms.exact(group.group("short"))
            if short is None:
                continue
            words = text[: group.start()].split()
            for size in range(min(len(words), SPELLED_OUT_WORDS), 0, -1):
                named = self.terms.exact(" ".join(words[-size:]))
                if named is not None and named.entry.id == short.entry.id:
                    before = " ".join(words[:-size])
                    return self._one_name(f"{before} {text[group.start() :]}")
        return text

    def _ranked(self, folded: str) -> Ranked:
        core = self.lexicon.strip_scaffolding(folded)
        return self.ranker.rank(core or folded, " ".join(self.lexicon.expansions(folded)))

    def rank(self, text: str) -> Ranked:
        """The ranked stage alone (for tests and the benchmark)."""
        return self._ranked(fold(self._one_name(text)))

    def answer(self, text: str) -> Answer:
        if not normalise(text):
            return Answer(text, AnswerKind.MISS, Stage.NONE, suggestions=self._starters())
        term = self._term(text)
        if term is not None:
            return Answer(text, AnswerKind.FOUND, Stage.TERM, entry=term[0], score=100.0)
        folded = fold(text)
        sides = self.lexicon.compare_sides(folded)
        unmatched_side = False
        if sides is not None and not _LIST.search(text):
            left, right = (self._side(side) for side in sides)
            if left is not None and right is not None and left.id != right.id:
                return Answer(text, AnswerKind.COMPARE, Stage.COMPARE, pair=(left, right))
            # "X vs Y" with a side the packs do not know (a local program's name): an entry
            # on one side alone is not what was asked, so the ranking may only suggest, unless
            # it found an entry that is itself a comparison.
            unmatched_side = left is None or right is None
        folded = fold(self._one_name(text))
        ranked = self._ranked(folded)
        short = len(normalise(text).split()) <= FUZZY_MAX_WORDS
        fuzzy = self.terms.search(text) if short else None
        if fuzzy is not None and fuzzy.match is not None:
            # A misspelt name, whole (SearchIndex.search takes nothing less): the ranking
            # cannot see typos, so the name wins.
            return Answer(
                text,
                AnswerKind.FOUND,
                Stage.FUZZY,
                entry=fuzzy.match.entry,
                score=fuzzy.match.score,
            )
        if _confident(folded, ranked) and (
            not unmatched_side or self.ranker.compares(ranked.entries[0])
        ):
            return Answer(
                text,
                AnswerKind.FOUND,
                Stage.RANKED,
                entry=ranked.entries[0],
                score=ranked.scores[0],
            )
        if not ranked.entries:
            # Nothing in the packs shares a word with the question: a miss, with the close
            # names a typo might have meant, or where newcomers usually start.
            close = tuple(fuzzy.suggestions) if fuzzy is not None else ()
            return Answer(text, AnswerKind.MISS, Stage.NONE, suggestions=close or self._starters())
        return Answer(
            text,
            AnswerKind.UNSURE,
            Stage.RANKED,
            suggestions=ranked.entries[:UNSURE_SUGGESTIONS],
            score=ranked.scores[0],
        )

    def _starters(self) -> tuple[Entry, ...]:
        return tuple(self.terms.search("").suggestions)


# "Full Name (SHORT)": the parenthesised short form of a name spelled out just before it.
_SPELLED_OUT = re.compile(r"\((?P<short>[^()]{1,40})\)")
# How many words before the parentheses may be the spelled-out name.
SPELLED_OUT_WORDS = 8

# "A, B and C": a list of three or more is not a pair to put side by side.
_LIST = re.compile(r",[^,]*\b(?:and|or|y|o|e)\b", re.IGNORECASE)


def features(folded: str, ranked: Ranked) -> dict[str, float]:
    """What the confidence rule weighs, for a ranking with at least one entry: how strong
    the top entry is (``top``) and how far ahead of the runner-up (``lead``), both on the
    scores before the coverage boost, which is weighed on its own, whether the
    question names it and not the runner-up (``named``), how many of the question's words it
    holds (``coverage``) and how many more than the runner-up (``coverage_lead``), how close
    the question is to one of its example questions (``paraphrase``) and how much closer than
    to the runner-up's (``paraphrase_lead``), how long the question is (``words``), and how
    much of what the question says beyond the entry's names its own wording holds, and how
    much more than the runner-up's (``residual``, ``residual_lead``). (The smallest of the
    three leads was a feature until 2026-12-01: its fitted weight had fallen to about zero,
    and the rule did the same without it.)"""
    from rapidfuzz import fuzz, process

    def closest(asked: tuple[str, ...]) -> float:
        found = process.extractOne(folded, asked, scorer=fuzz.token_set_ratio)
        return float(found[1]) if found else 0.0

    scores = ranked.bm25 or ranked.scores
    top = scores[0]
    second = scores[1] if len(scores) > 1 else 0.0
    cover = (*ranked.coverage, 0.0, 0.0)
    named = (*ranked.named, False, False)
    examples = (*ranked.examples, (), ())
    rest = (*ranked.residual, 0.0, 0.0)
    near, near_second = closest(examples[0]) / 100, closest(examples[1]) / 100
    lead = math.log((top + 1) / (second + 1))
    return {
        "top": math.log1p(top),
        "lead": lead,
        "named": float(named[0] and not named[1]),
        "coverage": cover[0],
        "coverage_lead": cover[0] - cover[1],
        "paraphrase": near,
        "paraphrase_lead": near - near_second,
        "words": math.log1p(ranked.words),
        "residual": rest[0],
        "residual_lead": rest[0] - rest[1],
    }


def confidence(folded: str, ranked: Ranked) -> float:
    """The probability that the ranking's top entry answers the question (0 to 1)."""
    values = features(folded, ranked)
    z = CONFIDENCE_INTERCEPT + sum(CONFIDENCE[name] * values[name] for name in CONFIDENCE)
    return 1 / (1 + math.exp(-z))


def knows_enough(ranked: Ranked) -> bool:
    """Whether the packs know enough of what the question says to answer it (KNOWN_MIN): the
    confidence rule is fitted on questions about special education, and a question mostly in
    words no entry has ("cuánto cuesta el almuerzo" in the English pack knows only "el") is
    about something else, however sure the rule would be."""
    return ranked.known >= KNOWN_MIN * ranked.words


def _confident(folded: str, ranked: Ranked) -> bool:
    """The confidence rule: answer only when the top entry is probably right."""
    return (
        bool(ranked.entries)
        and knows_enough(ranked)
        and confidence(folded, ranked) >= CONFIDENCE_THRESHOLD
    )


_INDEXES: dict[tuple[int, str], tuple[Library, QuestionIndex]] = {}


def answer(library: Library, text: str, lang: str = "en") -> Answer:
    """The one entry point the bots call: what ``text`` asks, in ``lang``'s pack (with the
    base language's entries where a translation is missing). Indexes are built once per
    library and language."""
    pack = library.pack(lang)
    key = (id(library), pack.lang)
    cached = _INDEXES.get(key)
    if cached is None or cached[0] is not library:
        cached = _INDEXES[key] = (library, QuestionIndex(pack))
    return cached[1].answer(text)
