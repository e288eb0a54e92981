"""Find the terms the packs know in a pasted passage (a school letter, an evaluation report).

A parent pastes "The team proposes a REED and an FBA before the ARD meeting" and wants each
term explained. The finder matches every entry's names (title, the parts of a title such as
"Free Appropriate Public Education" and "FAPE", and aliases) against the passage's words:

- whole words only, case and accents ignored, and an English or Spanish plural matches its
  singular ("accommodations", "evaluaciones");
- an acronym (a name written in capitals, like IDEA or ARD) matches only when the passage
  writes it in capitals too, so "a good idea" is not IDEA and "hard" is never ARD; two-letter
  acronyms (ID, ED, AT, OT...) are left out, because in a letter they are as often a student
  ID or a time zone as a term;
- where names overlap, the longest wins ("IEP meeting", not "IEP" and "meeting");
- names that read as a question ("why get an IEP") and the lexicon's ``not_terms`` (words too
  general to flag, like "behavior") are not terms.

Names are taken from the reader's language and from the base language (English), because a
Spanish-speaking parent often pastes an English letter; the gloss is in the reader's language.
The passage is only read here: it is never stored, and nothing in this module logs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from content.lexicon import Lexicon, load_lexicon
from content.model import Entry, Library
from content.normalise import fold

MAX_PASSAGE = 2000
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_PAREN = re.compile(r"\(([^)]*)\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_GLOSS_MAX = 240


@dataclass(frozen=True)
class Found:
    """One known term in the passage: the entry, the words as written, and a one-line gloss."""

    entry: Entry
    text: str
    gloss: str


def _plain(word: str) -> str:
    """A word folded to lowercase without accents, plural to singular (English and Spanish)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("’", "'"))
    word = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("'", "")
    if len(word) > 4 and word.endswith(("ones", "ales", "ores", "ades", "eles", "ines")):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _is_acronym(name: str) -> bool:
    letters = name.replace(" ", "")
    return letters.isalnum() and letters.upper() == letters and any(c.isalpha() for c in name)


def gloss(entry: Entry) -> str:
    """The first sentence of the entry's summary: one line that says what the term is."""
    first = _SENTENCE_END.split(entry.summary.strip(), maxsplit=1)[0]
    if len(first) <= _GLOSS_MAX:
        return first
    return first[: _GLOSS_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"  # whole words


@dataclass(frozen=True)
class _Name:
    words: tuple[str, ...]  # _plain words
    entry_id: str
    acronym: bool


class TermFinder:
    """Every term name of a reader's language (plus the base language), indexed by first word."""

    def __init__(self, library: Library, lang: str) -> None:
        self.library = library
        self.lang = lang
        self._by_first: dict[str, list[_Name]] = {}
        langs = dict.fromkeys([lang, library.base])
        for name_lang in langs:
            pack = library.packs.get(name_lang)
            if pack is None:
                continue
            lexicon = load_lexicon(name_lang)
            for entry in pack.entries.values():
                for name in _names(entry):
                    self._add(name, entry.id, lexicon)
        for names in self._by_first.values():
            names.sort(key=lambda n: -len(n.words))

    def _add(self, name: str, entry_id: str, lexicon: Lexicon) -> None:
        raw = _WORD.findall(name)
        if not raw:
            return
        folded = [fold(w) for w in raw]
        if fold(name) in lexicon.not_terms:
            return
        if folded[0] in lexicon.question_words:
            return  # "why get an IEP" is a phrasing, not a name
        acronym = len(raw) == 1 and _is_acronym(name.strip())
        if acronym and len(raw[0]) < 3:
            return
        words = tuple(_plain(w) for w in raw)
        known = self._by_first.setdefault(words[0], [])
        if not any(n.words == words and n.entry_id == entry_id for n in known):
            known.append(_Name(words, entry_id, acronym))

    def find(self, passage: str) -> list[Found]:
        """Each known term once, in the order it first appears. Passages longer than
        MAX_PASSAGE are read up to that length (the verb refuses them before this)."""
        passage = passage[:MAX_PASSAGE]
        spans = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(passage)]
        plain = [_plain(word) for word, _, _ in spans]
        pack = self.library.pack(self.lang)
        found: dict[str, Found] = {}
        i = 0
        while i < len(spans):
            match = self._longest(spans, plain, i)
            if match is None:
                i += 1
                continue
            name, size = match
            entry = pack.get(name.entry_id)
            if entry is not None and entry.id not in found:
                end = spans[i + size - 1][2]
                if passage[end : end + 1] == ")" and "(" in passage[spans[i][1] : end]:
                    end += 1  # "plan (BIP)": keep the bracket the name opened
                text = passage[spans[i][1] : end]
                found[entry.id] = Found(entry, text, gloss(entry))
            i += size
        return list(found.values())

    def _longest(
        self, spans: list[tuple[str, int, int]], plain: list[str], i: int
    ) -> tuple[_Name, int] | None:
        for name in self._by_first.get(plain[i], ()):
            size = len(name.words)
            if tuple(plain[i : i + size]) != name.words:
                continue
            if name.acronym and spans[i][0].upper() != spans[i][0]:
                continue  # "idea" is not IDEA
            return name, size
        return None


def _names(entry: Entry) -> list[str]:
    inner = _PAREN.findall(entry.title)
    outer = _PAREN.sub(" ", entry.title).strip()
    return [entry.title, outer, *inner, *entry.aliases]


_FINDERS: dict[tuple[int, str], tuple[Library, TermFinder]] = {}


def explain(library: Library, passage: str, lang: str = "en") -> list[Found]:
    """The known terms of ``passage`` with glosses in ``lang``; finders are built once."""
    key = (id(library), lang)
    cached = _FINDERS.get(key)
    if cached is None or cached[0] is not library:
        cached = _FINDERS[key] = (library, TermFinder(library, lang))
    return cached[1].find(passage)
