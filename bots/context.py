"""What a command needs to be answered, gathered once per process and passed to every verb."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from content.loader import load_library
from content.model import Library, Pack
from content.questions import QuestionIndex
from content.search import SearchIndex

if TYPE_CHECKING:
    from scheduler.identity import Asker
    from scheduler.reminders.service import ReminderService
    from scheduler.store.store import Store

DEFAULT_TIMEZONE = "America/New_York"


@dataclass
class Context:
    """The shared state behind the router: content, the default language, and "today".

    ``today`` is a function, not a value, so a long-running bot never answers with the date it
    was started on, and tests can move time with time-machine.
    """

    library: Library
    default_lang: str = "en"
    today: Callable[[], date] = date.today
    store: Store | None = None
    reminders: ReminderService | None = None
    default_timezone: str = DEFAULT_TIMEZONE
    # Where people reach this deployment (IEPBOT_PUBLIC_URL, e.g. https://iepbot.example.org):
    # the base of calendar feed addresses. None: feeds are off (only the .ics file).
    public_url: str | None = None
    # The adapter's answer to "may this person post reminders in that channel" (Slack: a
    # member of it). None means every channel is allowed, as on the console.
    channel_check: Callable[[Asker, str], bool] | None = None
    _indexes: dict[str, SearchIndex] = field(default_factory=dict, repr=False)
    _questions: dict[str, QuestionIndex] = field(default_factory=dict, repr=False)

    @classmethod
    def default(cls) -> Context:
        return cls(load_library())

    def pack(self, lang: str | None = None) -> Pack:
        return self.library.pack(lang or self.default_lang, fallback=self.default_lang)

    def index(self, lang: str | None = None) -> SearchIndex:
        """The search index of a language, built on first use and then shared."""
        pack = self.pack(lang)
        found = self._indexes.get(pack.lang)
        if found is None:
            found = self._indexes[pack.lang] = SearchIndex(pack)
        return found

    def questions(self, lang: str | None = None) -> QuestionIndex:
        """The question index of a language (it shares the term index), built on first use;
        its ranking part is built on the first sentence it is asked."""
        pack = self.pack(lang)
        found = self._questions.get(pack.lang)
        if found is None:
            found = self._questions[pack.lang] = QuestionIndex(pack, terms=self.index(lang))
        return found
