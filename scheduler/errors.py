"""The one type of user-facing refusal in the core: a code, its fields, and words at the edge.

A core service or parser raises ``UserError`` subclasses with a ``code`` (stable, for callers
and tests) and raw fields; the words are a catalogue template per code, filled in the asker's
language by the adapter that shows them (``.text(lang)``). So services take no language just
to word an error, and hold no chat syntax: what to type next (`/iep reminders`) is the chat
verb's to add. ``str(error)`` is the text in the language it was raised with (English unless a
parser that reads a language says otherwise), for the CLI and logs of codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from content.i18n import tr


class UserError(ValueError):
    """Subclasses set ``MESSAGES``: code -> catalogue msgid (marked with ``N_``)."""

    MESSAGES: ClassVar[Mapping[str, str]] = {}

    def __init__(self, code: str, lang: str = "en", /, **fields: object) -> None:
        if code not in self.MESSAGES:
            raise KeyError(f"{type(self).__name__} has no message for code {code!r}")
        self.code = code
        self.fields = fields
        super().__init__(self.text(lang))

    def text(self, lang: str = "en") -> str:
        """One line in ``lang``: stray whitespace in a field can never break the line."""
        return " ".join(tr(lang, self.MESSAGES[self.code], **self.fields).split())
