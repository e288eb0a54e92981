"""`/iep explain <passage>`: the terms of a pasted school letter or report, one line each.

The passage may hold a child's name, so it is only read: never stored, never logged, never
put on a button or a "share" (each button carries an entry id, not the text), and the reply
says so. Errors on this path are logged by the router with the exception type only.
"""

from __future__ import annotations

from bots.context import Context
from bots.preferences import lang_of
from bots.replies import Ref, Reply, ReplyKind, Section
from content.explain import MAX_PASSAGE, explain
from content.i18n import N_, tr
from scheduler.identity import Asker

PRIVACY = N_("I read your text only to find these terms; it is not stored or logged.")
SHORT = 6  # words: "explain FAPE" is a lookup, not a passage


def _usage(lang: str) -> Reply:
    return Reply(
        kind=ReplyKind.ERROR,
        title=tr(lang, "Paste the text to explain after `explain`"),
        sections=[
            Section(
                tr(
                    lang,
                    "For example: `/iep explain The team proposes an FBA before the ARD "
                    "meeting.` Up to 2,000 characters; leave out names.",
                )
            )
        ],
        lang=lang,
    )


def explain_verb(ctx: Context, asker: Asker, *, text: str) -> Reply:
    lang = lang_of(ctx, asker)
    text = text.strip()
    if not text:
        return _usage(lang)
    if len(text) > MAX_PASSAGE:
        return Reply(
            kind=ReplyKind.ERROR,
            title=tr(lang, "That is longer than 2,000 characters"),
            sections=[Section(tr(lang, "Paste a shorter part, such as one paragraph."))],
            note=tr(lang, PRIVACY),
            lang=lang,
        )
    found = explain(ctx.library, text, lang)
    if not found and len(text.split()) <= SHORT:
        from bots.verbs.lookup import lookup  # "explain FAPE": answer it like a question

        return lookup(ctx, text, lang)[1]
    if not found:
        return Reply(
            kind=ReplyKind.NOT_FOUND,
            title=tr(lang, "I found no special-education terms in your text"),
            sections=[Section(tr(lang, "Type `/iep topics` to see every term I can explain."))],
            note=tr(lang, PRIVACY),
            lang=lang,
        )
    return Reply(
        kind=ReplyKind.INFO,
        title=tr(lang, "Terms in your text ({n})", n=len(found)),
        sections=[
            Section(
                f.gloss,
                heading=f"{f.text} · {f.entry.title}"
                if _differs(f.text, f.entry.title)
                else f.entry.title,
            )
            for f in found
        ],
        related=[Ref(f.entry.id, f.entry.title) for f in found],
        note=tr(lang, PRIVACY),
        lang=lang,
    )


def _differs(written: str, title: str) -> bool:
    """Whether the words as written are worth showing next to the title (an acronym, an
    alias), rather than repeating it."""
    return written.casefold() not in title.casefold()
