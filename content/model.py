"""The shapes a knowledge pack is made of, shared by the loader, search and the adapters."""

from __future__ import annotations

from dataclasses import dataclass, field

from content.i18n import N_

AUDIENCES = ("parent", "staff")

# Display names double as the allowed set: a new category is one line here, and the loader
# refuses any other so a typo never creates a lonely one-entry group in `/iep topics`.
CATEGORIES: dict[str, str] = {
    "basics": N_("The basics"),
    "eligibility": N_("Who qualifies"),
    "evaluation": N_("Evaluations"),
    "the-iep": N_("The IEP document and meetings"),
    "services": N_("Services and supports"),
    "rights": N_("Parents' rights"),
    "disputes": N_("Solving disagreements"),
    "discipline": N_("Discipline"),
    "early-childhood": N_("Babies, toddlers and preschool"),
    "transition": N_("Growing up: transition"),
    "section-504": N_("Section 504"),
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
    questions: tuple[str, ...] = ()
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
    base: str = "en"
    _merged: dict[str, Pack] = field(default_factory=dict, repr=False, compare=False)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.packs))

    def missing(self, lang: str) -> list[str]:
        """Ids of the base language that ``lang`` has not translated yet."""
        own = self.packs.get(lang)
        base = self.packs[self.base]
        return [i for i in base.entries if own is None or i not in own.entries]

    def pack(self, lang: str, fallback: str | None = None) -> Pack:
        """What a reader of ``lang`` can look up: its own entries, and the base language's
        for any entry not translated yet (each Entry keeps its own ``lang`` so the reply can
        say so). Built once per language."""
        base = fallback or self.base
        if lang == base or lang not in self.packs:
            return self.packs[base]
        merged = self._merged.get(lang)
        if merged is None:
            entries = {**self.packs[base].entries, **self.packs[lang].entries}
            merged = self._merged[lang] = Pack(lang, entries)
        return merged
