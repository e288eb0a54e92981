"""Two terms side by side, e.g. `compare iep 504`: the question parents ask most."""

from __future__ import annotations

import re

from bots.asker import Asker
from bots.context import Context
from bots.preferences import lang_of
from bots.replies import Ref, Reply, ReplyKind, Section, Table
from bots.verbs.lookup import MAX_QUERY, echo, too_long_reply
from content.model import CATEGORIES, Entry
from content.search import Match, SearchIndex

_SEPARATOR = re.compile(r"\s+(?:vs\.?|versus|and|or|with|to)\s+|\s*[,/&]\s*", re.IGNORECASE)
USAGE = "Try `/iep compare iep 504` or `/iep compare accommodations vs modifications`."


def _usage(title: str) -> Reply:
    return Reply(kind=ReplyKind.ERROR, title=title, sections=[Section(USAGE)])


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


def compare_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    if len(args) > MAX_QUERY:
        return too_long_reply()
    if not args.strip():
        return _usage("Which two terms should I compare?")
    lang = lang_of(ctx, asker)
    pair = _split(ctx.index(lang), args)
    if pair is None:
        return _usage(f"I could not find two terms in “{echo(args)}”")
    a, b = pair[0].entry, pair[1].entry
    if a.id == b.id:
        return _usage(f"Both sides are {a.title}")
    entries = ctx.pack(lang).entries
    table = Table(
        headers=("", a.title, b.title),
        rows=(
            ("In short", a.summary, b.summary),
            ("Topic", CATEGORIES[a.category], CATEGORIES[b.category]),
            ("Learn more", f"/iep {a.id}", f"/iep {b.id}"),
        ),
    )
    return Reply(
        kind=ReplyKind.COMPARE,
        title=f"{a.title} and {b.title}",
        sections=[Section(f"Side by side: {a.title} compared with {b.title}.")],
        table=table,
        related=_both_related(a, b, entries) or [Ref(a.id, a.title), Ref(b.id, b.title)],
    )
