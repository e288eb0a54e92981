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
    """Subclasses set ``MESSAGES``: code -> catalogue msgid (marked with ``N_``). It lives in
    content/, the lowest layer, so the deadline calculator (content/deadlines) and the
    scheduler's services raise the same type."""

    MESSAGES: ClassVar[Mapping[str, str]] = {}

    def __init__(self, code: str, lang: str = "en", /, **fields: object) -> None:
        self.code = code
        self.fields = fields
        self.template()  # an unknown code is a bug, raised here rather than when shown
        super().__init__(self.text(lang))

    def template(self) -> str:
        """The catalogue msgid for this error's code."""
        if self.code not in self.MESSAGES:
            raise KeyError(f"{type(self).__name__} has no message for code {self.code!r}")
        return self.MESSAGES[self.code]

    def text(self, lang: str = "en") -> str:
        """One line in ``lang``: stray whitespace in a field can never break the line."""
        return " ".join(tr(lang, self.template(), **self.fields).split())
