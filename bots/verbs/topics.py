"""Browse everything the bot knows, grouped the way a parent would look for it."""

from __future__ import annotations

from bots.asker import Asker
from bots.context import Context
from bots.preferences import lang_of
from bots.replies import Reply, ReplyKind, Section
from content.model import CATEGORIES


def topics_verb(ctx: Context, args: str, asker: Asker) -> Reply:
    pack = ctx.pack(lang_of(ctx, asker))
    groups: dict[str, list[str]] = {key: [] for key in CATEGORIES}
    for entry in pack.entries.values():
        groups[entry.category].append(entry.title)
    sections = [
        Section(" · ".join(sorted(titles, key=str.casefold)), heading=CATEGORIES[key])
        for key, titles in groups.items()
        if titles
    ]
    count = len(pack.entries)
    return Reply(
        kind=ReplyKind.TOPICS,
        title=f"What I can explain ({count} topics)",
        sections=sections,
        note="Type `/iep` and any of these, for example `/iep 504 plan`.",
    )
