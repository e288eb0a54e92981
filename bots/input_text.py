"""One cleaning step for everything a person types, before any verb sees it.

Every adapter (Slack, Discord, the console) hands user text to the router, and the router
cleans it here first, so no platform can store or echo what a terminal or a database would
choke on: NUL (PostgreSQL refuses it in text), lone surrogates (cannot be encoded), terminal
escape sequences, bell and backspace (they would act on the console that prints a reminder),
other control characters, and bidirectional overrides (they make a reminder read differently
from what it says). Line breaks stay; tabs and carriage returns become spaces.
"""

from __future__ import annotations

import re
import unicodedata

# What the bot reads of one message; the longest legitimate input (a pasted passage for
# `explain`, 2,000 characters) fits with room to spare.
MAX_INPUT = 4000

# ECMA-48 sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and two-byte escapes.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
_SPACES = str.maketrans({"\t": " ", "\r": " "})
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _kept(char: str) -> bool:
    if char == "\n":
        return True
    return unicodedata.category(char) not in ("Cc", "Cs") and char not in _BIDI


def clean_text(text: str) -> str:
    """``text`` without what must never be stored or echoed; everything else is untouched."""
    text = _ESCAPES.sub("", text.translate(_SPACES))
    text = "".join(char for char in text if _kept(char))
    return unicodedata.normalize("NFC", text)
