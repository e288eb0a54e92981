"""The platform-neutral reply that every adapter renders.

The router never builds Block Kit, Discord embeds or terminal text itself: it returns a ``Reply``
and each adapter decides how it looks. Keeping this model small and plain is what lets a third
platform be one new file in ``bots/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ReplyKind(StrEnum):
    """What a reply is, so adapters can pick a layout (a card, a table, an error line)."""

    ENTRY = "entry"
    NOT_FOUND = "not_found"
    TOPICS = "topics"
    COMPARE = "compare"
    HELP = "help"
    DEADLINES = "deadlines"
    ERROR = "error"
    INFO = "info"


@dataclass(frozen=True)
class Link:
    """A source link shown under an answer."""

    title: str
    url: str


@dataclass(frozen=True)
class Ref:
    """A pointer to another content entry (a related term or a suggestion), clickable in chat."""

    id: str
    title: str


@dataclass(frozen=True)
class Section:
    """A block of text with an optional heading; adapters may fold long ones behind "more"."""

    text: str
    heading: str | None = None


@dataclass(frozen=True)
class Table:
    """A small table (compare side by side, a list of deadlines); rows align with headers."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Action:
    """A button. Pressing it runs ``command`` (router text such as "cancel 42") for the presser,
    so every platform gets working buttons without its own business logic."""

    label: str
    command: str
    style: str = "default"  # "default" | "primary" | "danger"


@dataclass(frozen=True)
class Attachment:
    """A file to hand the user, e.g. the .ics calendar of tracked deadlines."""

    filename: str
    content: bytes
    mime_type: str


@dataclass
class Reply:
    """One answer to one command, in plain text that each adapter escapes and lays out."""

    kind: ReplyKind
    title: str
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    related: list[Ref] = field(default_factory=list)
    suggestions: list[Ref] = field(default_factory=list)
    table: Table | None = None
    entry_id: str | None = None
    note: str | None = None
    actions: list[Action] = field(default_factory=list)
    attachment: Attachment | None = None
    # Personal answers (lookups, own lists) are shown only to the asker where the platform can.
    private: bool = True
    # The asker's language, for the words an adapter adds around the reply (buttons, "Sources").
    lang: str = "en"

    @property
    def ok(self) -> bool:
        """False for a miss or an error, so a CLI can pick its exit code."""
        return self.kind not in (ReplyKind.NOT_FOUND, ReplyKind.ERROR)
