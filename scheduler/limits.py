"""Limits on what people may store, each defined once for every layer that checks or shows it."""

from __future__ import annotations

from typing import Final

# The longest reminder message a person may write (chat, modal, Discord option, parser).
REMINDER_TEXT_MAX: Final = 1000
# What the store accepts in one reminder's text: a tracked deadline's reminder adds the case
# label, the deadline's title and its date to what people wrote, so the store allows more.
STORED_TEXT_MAX: Final = 2000
