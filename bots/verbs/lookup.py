"""Answer a term or a question: the entry's card, two entries side by side, or "not sure" with
the top three to pick from (buttons on Slack and Discord, a numbered list in the console).

The understanding itself is content.questions.answer, shared with `iepbot ask --json`; this
module only turns its Answer into a Reply."""

from __future__ import annotations

from bots.context import Context
from bots.preferences import lang_of
from bots.replies import Link, Ref, Reply, ReplyKind, Section
from content.i18n import N_, norm_lang, tr
from content.model import Entry
from content.questions import Answer, AnswerKind, Stage
from scheduler.identity import Asker

MAX_QUERY = 200
# Shown when a pack falls back to another language's entry; the catalogue has the Spanish.
UNTRANSLATED = N_("This entry is not translated yet; it is shown in English.")
_ECHO = 60


def echo(text: str) -> str:
    """User text quoted back in a reply, kept short so a paste cannot flood the channel."""
    text = " ".join(text.split())
    return text if len(text) <= _ECHO else text[: _ECHO - 1] + "…"


def entry_reply(
    entry: Entry, pack_entries: dict[str, Entry], note: str | None = None, lang: str = "en"
) -> Reply:
    related = [Ref(rel, pack_entries[rel].title) for rel in entry.related if rel in pack_entries]
    return Reply(
        kind=ReplyKind.ENTRY,
        title=entry.title,
        sections=[Section(entry.summary), Section(entry.body, heading=tr(lang, "More"))],
        links=[Link(source.title, source.url) for source in entry.sources],
        related=related,
        entry_id=entry.id,
        note=note,
        lang=lang,
    )


def unsure_reply(result: Answer, lang: str = "en") -> Reply:
    """Several entries could be meant: ask rather than guess."""
    return Reply(
        kind=ReplyKind.NOT_FOUND,
        title=tr(lang, "I'm not sure which of these you mean"),
        sections=[
            Section(tr(lang, "Pick one, or ask with other words. `/iep topics` lists everything."))
        ],
        suggestions=[Ref(entry.id, entry.title) for entry in result.suggestions],
        lang=lang,
    )


def not_found_reply(result: Answer, lang: str = "en") -> Reply:
    return Reply(
        kind=ReplyKind.NOT_FOUND,
        title=tr(lang, "No entry for “{query}”", query=echo(result.query)),
        sections=[
            Section(
                tr(lang, "Did you mean one of these? Or type `/iep topics` to browse everything.")
            )
        ],
        suggestions=[Ref(entry.id, entry.title) for entry in result.suggestions],
        lang=lang,
    )


def too_long_reply(lang: str = "en") -> Reply:
    return Reply(
        kind=ReplyKind.ERROR,
        title=tr(lang, "That is too long to look up"),
        sections=[
            Section(tr(lang, "Try a few words, like `/iep 504 plan` or `/iep what is FAPE`."))
        ],
        lang=lang,
    )


def lookup(ctx: Context, text: str, lang: str | None = None) -> tuple[Answer | None, Reply]:
    """What the bot understood (for tools that want it raw) and the reply a person sees."""
    shown = norm_lang(lang or ctx.default_lang)  # the asker's language, for our own words
    if len(text) > MAX_QUERY:
        return None, too_long_reply(shown)
    result = ctx.questions(lang).answer(text)
    if result.kind is AnswerKind.COMPARE and result.pair is not None:
        from bots.verbs.compare import compare_reply

        return result, compare_reply(ctx, result.pair[0], result.pair[1], shown)
    if result.kind is AnswerKind.UNSURE:
        return result, unsure_reply(result, shown)
    if result.entry is None:
        return result, not_found_reply(result, shown)
    entry = result.entry
    notes = []
    if result.stage in (Stage.FUZZY, Stage.RANKED):
        # Say how the words were read, so a near miss is visible rather than silent.
        notes.append(
            tr(shown, "Showing {title} for “{query}”.", title=entry.title, query=echo(text))
        )
    if entry.lang != shown:
        notes.append(tr(shown, UNTRANSLATED))
    note = " ".join(notes) or None
    return result, entry_reply(entry, ctx.pack(lang).entries, note, shown)


def lookup_verb(ctx: Context, asker: Asker, *, term: str) -> Reply:
    return lookup(ctx, term, lang_of(ctx, asker))[1]
