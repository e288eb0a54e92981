"""`key=value` options in a chat command (`state=TX`, `case=AB-7`), apart from its plain words.

Chat has no flags; people type options anywhere in the line, so the position never matters.
"""

from __future__ import annotations


def split_options(words: list[str]) -> tuple[list[str], dict[str, str]]:
    """Plain words in order, and options by lower-cased key (the last one of a key wins)."""
    plain: list[str] = []
    options: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if sep and key:
            options[key.lower()] = value
        else:
            plain.append(word)
    return plain, options
