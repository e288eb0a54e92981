"""The words people use in questions, as data: scaffolding, stopwords, synonyms, compare forms.

One YAML file per language under ``content/lexicon/`` (not under ``packs/``, whose YAML files are
entries). Every phrase is stored folded (lowercase, no accents, no punctuation) so that it meets
the question on the same terms; the compare patterns are compiled once. A malformed file is
refused whole with every problem listed, like a pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from content.loader import ContentError, ContentIssue, read_yaml_file
from content.normalise import fold

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
_KEYS = (
    "scaffolding",
    "question_words",
    "stopwords",
    "glue",
    "not_terms",
    "synonyms",
    "compare",
)


@dataclass(frozen=True)
class Synonym:
    """``to`` (the packs' own words) is added to a question that contains any of ``phrases``."""

    to: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:  # not slots: cached_property needs __dict__
    lang: str
    scaffolding: tuple[str, ...]  # longest first, so "what is the difference" beats "what is"
    question_words: frozenset[str]  # a name starting with one is a phrasing ("why get an IEP")
    stopwords: frozenset[str]
    glue: frozenset[str]  # words a name is matched without ("free *and* appropriate")
    not_terms: frozenset[str]  # aliases too general to flag in a pasted passage ("behavior")
    synonyms: tuple[Synonym, ...]
    compare: tuple[re.Pattern[str], ...]

    def fingerprint(self) -> str:
        """Everything in the lexicon, in a stable order (sets sorted): a cache key part."""
        return repr(
            (
                self.lang,
                self.scaffolding,
                sorted(self.question_words),
                sorted(self.stopwords),
                sorted(self.glue),
                sorted(self.not_terms),
                self.synonyms,
                [p.pattern for p in self.compare],
            )
        )

    def strip_scaffolding(self, folded: str) -> str:
        """The question without the phrases that frame it ("can the school", "mi hijo")."""
        text = f" {folded} "
        for phrase in self.scaffolding:
            text = text.replace(f" {phrase} ", " ")
        return " ".join(text.split())

    def expansions(self, folded: str) -> list[str]:
        """The packs' words for every synonym phrase found in a folded question.

        A phrase of several words also matches with up to GAP words between its words, as
        people put the child in the middle: "sent *my son* home", "kicked *him* out". Phrases
        are indexed by first word, so a question costs one probe per word, not a scan."""
        words = folded.split()
        found: dict[int, None] = {}
        for i, word in enumerate(words):
            for rest, target in self.phrase_index.get(word, ()):
                if target not in found and _follows(words, i + 1, rest):
                    found[target] = None
        return [self.synonyms[i].to for i in found]

    @cached_property
    def phrase_index(self) -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
        index: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for i, syn in enumerate(self.synonyms):
            for phrase in syn.phrases:
                first, *rest = phrase.split()
                index.setdefault(first, []).append((tuple(rest), i))
        return {first: tuple(items) for first, items in index.items()}

    def compare_sides(self, folded: str) -> tuple[str, str] | None:
        """The two things of "X vs Y", "difference between X and Y"..., or None."""
        for pattern in self.compare:
            found = pattern.search(folded)
            if found and found.group("a").strip() and found.group("b").strip():
                return found.group("a").strip(), found.group("b").strip()
        return None


GAP = 2


def _follows(words: list[str], start: int, rest: tuple[str, ...]) -> bool:
    """Whether ``rest`` appears in order from ``start``, each within GAP words of the last."""
    at = start
    for word in rest:
        window = words[at : at + GAP + 1]
        if word not in window:
            return False
        at += window.index(word) + 1
    return True


def _texts(value: Any, where: str, name: str, issues: list[ContentIssue]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        issues.append(ContentIssue(where, "must be a list of texts", field=name))
        return ()
    folded = tuple(fold(str(v)) for v in value)
    for raw, key in zip(value, folded, strict=True):
        if not key:
            issues.append(ContentIssue(where, f"{raw!r} has no letters or digits", field=name))
    return tuple(k for k in folded if k)


def parse_lexicon(data: Any, lang: str, where: str) -> tuple[Lexicon | None, list[ContentIssue]]:
    """Validate one language's lexicon; None with every problem when anything is wrong."""
    issues: list[ContentIssue] = []
    if not isinstance(data, dict):
        return None, [ContentIssue(where, "expected a mapping")]
    for key in sorted(map(str, set(data) - set(_KEYS))):
        issues.append(ContentIssue(where, "unknown key", field=key))
    for key in _KEYS:
        if key not in data:
            issues.append(ContentIssue(where, "missing", field=key))
    if issues:
        return None, issues
    scaffolding = _texts(data["scaffolding"], where, "scaffolding", issues)
    stopwords = _texts(data["stopwords"], where, "stopwords", issues)
    glue = _texts(data["glue"], where, "glue", issues)
    question_words = _texts(data["question_words"], where, "question_words", issues)
    not_terms = _texts(data["not_terms"], where, "not_terms", issues)
    for name, words in (
        ("stopwords", stopwords),
        ("glue", glue),
        ("question_words", question_words),
    ):
        for word in words:
            if " " in word:
                issues.append(ContentIssue(where, f"{word!r} is not one word", field=name))
    synonyms: list[Synonym] = []
    raw_synonyms = data["synonyms"]
    if not isinstance(raw_synonyms, list):
        issues.append(ContentIssue(where, "must be a list", field="synonyms"))
        raw_synonyms = []
    for i, item in enumerate(raw_synonyms):
        name = f"synonyms[{i}]"
        if not isinstance(item, dict) or set(item) != {"to", "from"}:
            issues.append(ContentIssue(where, "must have exactly 'to' and 'from'", field=name))
            continue
        to = fold(str(item["to"]))
        phrases = _texts(item["from"], where, name + ".from", issues)
        if not to or not phrases:
            issues.append(ContentIssue(where, "needs words in 'to' and 'from'", field=name))
            continue
        synonyms.append(Synonym(to, phrases))
    patterns: list[re.Pattern[str]] = []
    raw_compare = data["compare"]
    if not isinstance(raw_compare, list):
        issues.append(ContentIssue(where, "must be a list", field="compare"))
        raw_compare = []
    for i, text in enumerate(raw_compare):
        name = f"compare[{i}]"
        try:
            pattern = re.compile(str(text))
        except re.error as exc:
            issues.append(ContentIssue(where, f"not a regular expression: {exc}", field=name))
            continue
        if not {"a", "b"} <= set(pattern.groupindex):
            issues.append(ContentIssue(where, "needs groups (?P<a>...) and (?P<b>...)", field=name))
            continue
        patterns.append(pattern)
    if issues:
        return None, issues
    lexicon = Lexicon(
        lang=lang,
        scaffolding=tuple(sorted(set(scaffolding), key=lambda p: (-len(p), p))),
        question_words=frozenset(question_words),
        stopwords=frozenset(stopwords),
        glue=frozenset(glue),
        not_terms=frozenset(not_terms),
        synonyms=tuple(synonyms),
        compare=tuple(patterns),
    )
    return lexicon, []


@cache
def load_lexicon(lang: str, folder: Path = LEXICON_DIR) -> Lexicon:
    """The lexicon of ``lang`` (an empty one for a language without a file), loaded once."""
    path = folder / f"{lang}.yaml"
    if not path.exists():
        return Lexicon(lang, (), frozenset(), frozenset(), frozenset(), frozenset(), (), ())
    from content.cache import cached, files_digest

    # Parsed once per edit, not once per `iepbot ask` process (the YAML alone is a tenth of
    # its start-up); the key holds the file and this module's code, so neither is served stale.
    key = files_digest([path], Path(__file__).read_text(encoding="utf-8"))
    return cached(f"lexicon-{lang}", key, lambda: _read_lexicon(path, lang))


def _read_lexicon(path: Path, lang: str) -> Lexicon:
    """The lexicon in ``path``, or ContentError with every problem (never cached)."""
    issues: list[ContentIssue] = []
    data = read_yaml_file(path, f"lexicon/{path.name}", issues)
    if issues:
        raise ContentError(issues)
    lexicon, issues = parse_lexicon(data, lang, f"lexicon/{path.name}")
    if lexicon is None:
        raise ContentError(issues)
    return lexicon
