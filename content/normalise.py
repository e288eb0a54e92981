"""Turn what people type into a comparable key.

The same key function is used when the index is built and when a query arrives, so "What is
an IEP?", "iep" and "I.E.P." meet in the middle. Accents are folded so that a Spanish query typed
on a phone without them ("tecnologia") still matches.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")

# Leading words that ask a question rather than name a term. Longest first, so that
# "what is the" is removed before "what is" would leave "the" behind.
_LEADING = sorted(
    (
        "what is",
        "what s",
        "whats",
        "what are",
        "what does",
        "what do",
        "what is a",
        "what is an",
        "define",
        "definition of",
        "meaning of",
        "explain",
        "tell me about",
        "info on",
        "information about",
        "help with",
        "que es",
        "que son",
        "que significa",
        "definir",
        "define el",
        "explica",
        "the",
        "a",
        "an",
        "el",
        "la",
        "los",
        "las",
        "un",
        "una",
    ),
    key=len,
    reverse=True,
)
_TRAILING = ("mean", "means", "stand for", "stands for", "significa")


def fold(text: str) -> str:
    """Lowercase and strip accents and punctuation, keeping only words and single spaces."""
    if text.isascii():  # most text: nothing to decompose (NFKD leaves ASCII as it is)
        ascii_only = text.casefold()
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_only = ascii_only.replace("'", "").replace("\u2019", "")
    return _NON_WORD.sub(" ", ascii_only).strip()


# The same lists as patterns, matched once each instead of word by word (a lookup runs this on
# every query): the alternatives keep the lists' order, so the longest leading phrase wins.
_LEADING_SET = frozenset(_LEADING)
_LEADING_RE = re.compile("^(?:" + "|".join(map(re.escape, _LEADING)) + ") ")
_TRAILING_RE = re.compile(" (?:" + "|".join(map(re.escape, _TRAILING)) + ")$")


def _strip_affixes(key: str) -> str:
    changed = True
    while changed and key:
        changed = False
        # A key that is itself a leading phrase ("what is") stays whole.
        lead = None if key in _LEADING_SET else _LEADING_RE.match(key)
        if lead is not None:
            key = key[lead.end() :]
            changed = True
        trail = _TRAILING_RE.search(key)
        if trail is not None:
            key = key[: trail.start()]
            changed = True
    return key


def normalise(text: str) -> str:
    """The search key of a name or a query: folded, with question words around it removed."""
    key = fold(text)
    stripped = _strip_affixes(key)
    return stripped or key
