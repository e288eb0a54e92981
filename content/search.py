"""Find the entry a person means: exact id, then names, then typo-tolerant fuzzy matching.

Ranking is deliberate: an exact id beats an alias or title, which beats a fuzzy guess, so a
short acronym can never be stolen by a longer, merely similar name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum

from rapidfuzz import fuzz, process

from content.model import Entry, Pack
from content.normalise import normalise

FUZZY_ACCEPT = 86.0
# A loose match needs a few letters to go on: one letter ("a") is inside "ADA" and "BIP" as
# much as anything, and an entry shown for it, or two compared, would be a confident guess.
FUZZY_MIN_LETTERS = 3
# How close (rapidfuzz ratio, 0-100) a loose match must be to a whole name of its entry: a typo
# of the name ("asistive tecnology"), not a word found inside a longer one ("school" in "school
# discipline", which WRatio, the ranking score, rates 90).
TYPO_RATIO = 88.0
# ... or how much of a name a shortened one must keep ("vocational rehab").
SHORTENED = 0.6
SUGGEST_MIN = 45.0
SUGGESTIONS = 5
AUTOCOMPLETE_LIMIT = 25
SHORTLIST = 40
# Shown on a total miss: where a newcomer usually wants to start.
STARTERS = ("iep", "section-504-plan", "idea", "evaluation", "iep-vs-504")
_PAREN = re.compile(r"\(([^)]*)\)")


class MatchKind(IntEnum):
    """How an entry was found; a higher value is a stronger match."""

    FUZZY = 1
    ALIAS = 2
    TITLE = 3
    ID = 4


@dataclass(frozen=True)
class Match:
    entry: Entry
    kind: MatchKind
    score: float


@dataclass(frozen=True)
class SearchResult:
    query: str
    key: str
    match: Match | None
    suggestions: list[Entry] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.match is not None


def names_of(entry: Entry) -> list[tuple[MatchKind, str]]:
    """Every key an entry answers to. A title "Free Appropriate Public Education (FAPE)" also
    answers to its parts, because people type one or the other, rarely both."""
    names = [(MatchKind.ID, normalise(entry.id)), (MatchKind.TITLE, normalise(entry.title))]
    inner = _PAREN.findall(entry.title)
    outer = _PAREN.sub(" ", entry.title)
    names += [(MatchKind.TITLE, normalise(part)) for part in [outer, *inner]]
    names += [(MatchKind.ALIAS, normalise(alias)) for alias in entry.aliases]
    return [(kind, key) for kind, key in names if key]


def typo_of(key: str, entry: Entry) -> bool:
    """Whether ``key`` (normalised) is a misspelling of one of the entry's names as a whole,
    or the name cut short: "asistive tecnology" and "vocational rehab" are, but "meeting" is
    not "annual IEP meeting" and "school" is not "school discipline"."""
    return any(
        fuzz.ratio(key, name) >= TYPO_RATIO
        or (name.startswith(key) and len(key) >= SHORTENED * len(name))
        for _, name in names_of(entry)
    )


class SearchIndex:
    """An in-memory index of one language pack, built once and then read-only."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self._exact: dict[str, tuple[MatchKind, Entry]] = {}
        self._choices: list[str] = []
        self._owners: list[Entry] = []
        for entry in pack.entries.values():
            for kind, key in names_of(entry):
                known = self._exact.get(key)
                if known is None or kind > known[0]:
                    self._exact[key] = (kind, entry)
                if known is None:  # one fuzzy choice per distinct name
                    self._choices.append(key)
                    self._owners.append(entry)

    def _ranked(self, key: str, limit: int, cutoff: float) -> list[tuple[Entry, float]]:
        """Best fuzzy score per entry, highest first.

        Two stages keep a lookup well under a millisecond: token_sort_ratio (cheap, tolerant of
        typos and word order) picks a shortlist from every name, then WRatio, which is better at
        ranking but ten times slower, orders only that shortlist.
        """
        shortlist = process.extract(
            key, self._choices, scorer=fuzz.token_sort_ratio, limit=SHORTLIST, score_cutoff=30
        )
        best: dict[str, tuple[Entry, float]] = {}
        for choice, _, i in shortlist:
            score = fuzz.WRatio(key, choice, score_cutoff=cutoff)
            if not score:
                continue
            entry = self._owners[i]
            if entry.id not in best or score > best[entry.id][1]:
                best[entry.id] = (entry, score)
        ranked = sorted(best.values(), key=lambda pair: (-pair[1], pair[0].id))
        return ranked[:limit]

    def exact(self, text: str) -> Match | None:
        """The entry whose id, title or alias ``text`` is (question words aside), or None;
        no fuzzy matching, so it costs one dict lookup."""
        key = normalise(text)
        found = self._exact.get(key) or self._exact.get(key.replace(" ", "")) if key else None
        return Match(found[1], found[0], 100.0) if found is not None else None

    def search(self, text: str) -> SearchResult:
        key = normalise(text)
        if not key:
            return SearchResult(text, key, None, self._starters())
        exact = self.exact(text)
        if exact is not None:
            return SearchResult(text, key, exact)
        ranked = self._ranked(key, SUGGESTIONS + 1, SUGGEST_MIN)
        if len(key.replace(" ", "")) >= FUZZY_MIN_LETTERS:
            for entry, score in ranked:
                if score < FUZZY_ACCEPT:
                    break
                if typo_of(key, entry):
                    return SearchResult(text, key, Match(entry, MatchKind.FUZZY, score))
        suggestions = [entry for entry, _ in ranked[:SUGGESTIONS]] or self._starters()
        return SearchResult(text, key, None, suggestions)

    def _starters(self) -> list[Entry]:
        found = [self.pack.entries[i] for i in STARTERS if i in self.pack.entries]
        return found or list(self.pack.entries.values())[:SUGGESTIONS]

    def autocomplete(self, prefix: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[Entry]:
        """Entries for a partly typed term: prefix matches first, then fuzzy ones."""
        key = normalise(prefix)
        if not key:
            return sorted(self.pack.entries.values(), key=lambda e: e.title.casefold())[:limit]
        seen: dict[str, Entry] = {}
        for choice, entry in zip(self._choices, self._owners, strict=True):
            if choice.startswith(key) and entry.id not in seen:
                seen[entry.id] = entry
        for entry, _ in self._ranked(key, limit, SUGGEST_MIN):
            seen.setdefault(entry.id, entry)
        return list(seen.values())[:limit]
