"""Browse everything the bot knows, grouped the way a parent would look for it."""

from __future__ import annotations

from bots.context import Context
from bots.preferences import lang_of
from bots.replies import Reply, ReplyKind, Section
from content.i18n import tr, trn
from content.model import CATEGORIES
from scheduler.identity import Asker


def topics_verb(ctx: Context, asker: Asker) -> Reply:
    lang = lang_of(ctx, asker)
    pack = ctx.pack(lang)
    groups: dict[str, list[str]] = {key: [] for key in CATEGORIES}
    for entry in pack.entries.values():
        groups[entry.category].append(entry.title)
    sections = [
        Section(" · ".join(sorted(titles, key=str.casefold)), heading=tr(lang, CATEGORIES[key]))
        for key, titles in groups.items()
        if titles
    ]
    count = len(pack.entries)
    return Reply(
        kind=ReplyKind.TOPICS,
        title=trn(lang, "What I can explain ({n} topic)", "What I can explain ({n} topics)", count),
        sections=sections,
        note=tr(lang, "Type `/iep` and any of these, for example `/iep 504 plan`."),
    )
