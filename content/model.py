"""The shapes a knowledge pack is made of, shared by the loader, search and the adapters."""

from __future__ import annotations

from dataclasses import dataclass, field

AUDIENCES = ("parent", "staff")

# Display names double as the allowed set: a new category is one line here, and the loader
# refuses any other so a typo never creates a lonely one-entry group in `/iep topics`.
CATEGORIES: dict[str, str] = {
    "basics": "The basics",
    "eligibility": "Who qualifies",
    "evaluation": "Evaluations",
    "the-iep": "The IEP document and meetings",
    "services": "Services and supports",
    "rights": "Parents' rights",
    "disputes": "Solving disagreements",
    "discipline": "Discipline",
    "early-childhood": "Babies, toddlers and preschool",
    "transition": "Growing up: transition",
    "section-504": "Section 504",
}


@dataclass(frozen=True)
class Source:
    """A link to where the facts of an entry come from."""

    title: str
    url: str


@dataclass(frozen=True)
class Entry:
    """One explained term, in one language."""

    id: str
    lang: str
    title: str
    category: str
    aliases: tuple[str, ...]
    summary: str
    body: str
    related: tuple[str, ...]
    audience: tuple[str, ...]
    sources: tuple[Source, ...]
    file: str = ""


@dataclass(frozen=True)
class Pack:
    """All entries of one language, keyed by id."""

    lang: str
    entries: dict[str, Entry] = field(default_factory=dict)

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)


@dataclass(frozen=True)
class Library:
    """Every language's pack; the one object the bot needs to answer lookups."""

    packs: dict[str, Pack]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.packs))

    def pack(self, lang: str, fallback: str = "en") -> Pack:
        """The pack for a language, or the fallback one while a translation does not exist."""
        return self.packs.get(lang) or self.packs[fallback]
