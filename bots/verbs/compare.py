"""Two terms side by side, e.g. `compare iep 504`: the question parents ask most."""

from __future__ import annotations

import re
from typing import Any

from bots.context import Context
from bots.preferences import lang_of
from bots.replies import Ref, Reply, ReplyKind, Section, Table
from bots.verbs.declare import TextInput
from bots.verbs.lookup import MAX_QUERY, echo, too_long_reply
from content.i18n import N_, tr
from content.model import CATEGORIES, Entry
from content.search import Match, SearchIndex
from scheduler.identity import Asker

_SEPARATOR = re.compile(r"\s+(?:vs\.?|versus|and|or|with|to)\s+|\s*[,/&]\s*", re.IGNORECASE)
USAGE = N_("Try `/iep compare iep 504` or `/iep compare accommodations vs modifications`.")


def _usage(title: str, lang: str) -> Reply:
    return Reply(kind=ReplyKind.ERROR, title=title, sections=[Section(tr(lang, USAGE))], lang=lang)


def _split(index: SearchIndex, text: str) -> tuple[Match, Match] | None:
    """Find the two terms; with no separator, try every split and keep the strongest pair."""
    parts = [p for p in _SEPARATOR.split(text) if p.strip()]
    if len(parts) == 2:
        left, right = (index.search(p).match for p in parts)
        return (left, right) if left and right else None
    words = text.split()
    best: tuple[Match, Match] | None = None
    for cut in range(1, len(words)):
        left = index.search(" ".join(words[:cut])).match
        right = index.search(" ".join(words[cut:])).match
        if left and right:
            strength = (min(left.kind, right.kind), left.score + right.score)
            if best is None or strength > (
                min(best[0].kind, best[1].kind),
                best[0].score + best[1].score,
            ):
                best = (left, right)
    return best


def _both_related(a: Entry, b: Entry, entries: dict[str, Entry]) -> list[Ref]:
    """Entries linked from both sides: often the explainer that compares them."""
    shared = [rel for rel in a.related if rel in b.related or rel == b.id]
    shared += [rel for rel in b.related if rel == a.id]
    return [Ref(rel, entries[rel].title) for rel in dict.fromkeys(shared) if rel in entries]


def parse_compare(text: TextInput) -> dict[str, Any]:
    """The whole line: where one term ends is the search's to find (see ``_split``)."""
    return {"first": text.rest}


def compare_verb(ctx: Context, asker: Asker, *, first: str, second: str | None = None) -> Reply:
    """Two terms given apart (Discord's two options), or in ``first`` alone as typed."""
    lang = lang_of(ctx, asker)
    typed = first if second is None else f"{first} vs {second}"
    if len(first) > MAX_QUERY or len(second or "") > MAX_QUERY:
        return too_long_reply(lang)
    if not typed.strip():
        return _usage(tr(lang, "Which two terms should I compare?"), lang)
    index = ctx.index(lang)
    if second is None:
        pair = _split(index, first)
    else:
        left, right = index.search(first).match, index.search(second).match
        pair = (left, right) if left and right else None
    if pair is None:
        return _usage(tr(lang, "I could not find two terms in “{text}”", text=echo(typed)), lang)
    return compare_reply(ctx, pair[0].entry, pair[1].entry, lang)


def compare_reply(ctx: Context, a: Entry, b: Entry, lang: str) -> Reply:
    """Two entries side by side; also the answer to "how is X different from Y?"."""
    if a.id == b.id:
        return _usage(tr(lang, "Both sides are {title}", title=a.title), lang)
    entries = ctx.pack(lang).entries
    table = Table(
        headers=("", a.title, b.title),
        rows=(
            (tr(lang, "In short"), a.summary, b.summary),
            (tr(lang, "Topic"), tr(lang, CATEGORIES[a.category]), tr(lang, CATEGORIES[b.category])),
            (tr(lang, "Learn more"), f"/iep {a.id}", f"/iep {b.id}"),
        ),
    )
    return Reply(
        kind=ReplyKind.COMPARE,
        title=tr(lang, "{a} and {b}", a=a.title, b=b.title),
        sections=[Section(tr(lang, "Side by side: {a} compared with {b}.", a=a.title, b=b.title))],
        table=table,
        related=_both_related(a, b, entries) or [Ref(a.id, a.title), Ref(b.id, b.title)],
        lang=lang,
    )
