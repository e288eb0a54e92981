"""A platform-neutral ``Reply`` as a Discord embed, an optional view of buttons and a file.

Discord rejects a whole message when any embed limit is exceeded (error 50035), so every piece
is trimmed here, where the limits are known, rather than hoping replies stay short.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import discord

from bots.discord.views import RouterButton, button_for
from bots.replies import Reply, ReplyKind, Table
from content.i18n import N_, tr

# Discord's documented embed limits.
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
EMBED_TOTAL_MAX = 6000
CONTENT_MAX = 2000
BUTTONS_MAX = 25
BLANK = "\u200b"  # a field name Discord accepts as "no heading"

COLOURS = {
    ReplyKind.ENTRY: 0x5865F2,
    ReplyKind.COMPARE: 0x5865F2,
    ReplyKind.TOPICS: 0x5865F2,
    ReplyKind.HELP: 0x5865F2,
    ReplyKind.DEADLINES: 0x57F287,
    ReplyKind.INFO: 0x99AAB5,
    ReplyKind.NOT_FOUND: 0xFEE75C,
    ReplyKind.ERROR: 0xED4245,
}
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
    "default": discord.ButtonStyle.secondary,
}


@dataclass
class Rendered:
    """What one reply becomes; ``view`` and ``file`` are None when there is nothing to add."""

    embed: discord.Embed
    view: discord.ui.View | None
    file: discord.File | None

    def send_kwargs(self) -> dict[str, object]:
        """Keyword arguments for ``send``/``followup.send``; mentions are always off."""
        kwargs: dict[str, object] = {
            "embed": self.embed,
            "allowed_mentions": discord.AllowedMentions.none(),
        }
        if self.view is not None:
            kwargs["view"] = self.view
        if self.file is not None:
            kwargs["file"] = self.file
        return kwargs


def clip(text: str, limit: int) -> str:
    """Shorten to ``limit`` characters with an ellipsis, so a long answer loses its tail, not
    the whole message."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# A masked link, [what it says](where it goes): Discord renders it as a link whose text can
# lie about its target. In text that may hold what a person typed, the brackets are escaped,
# so the reader sees both the words and the real address.
_MASKED_LINK = re.compile(r"\[([^\[\]\n]*)\]\(")


def defuse_links(text: str) -> str:
    return _MASKED_LINK.sub(lambda m: "\\[" + m.group(1) + "\\](", text)


def safe_content(text: str) -> str:
    """Message content that cannot ping or disguise a link: @everyone, @here, users and roles
    are broken with a zero-width space (sends also carry AllowedMentions.none(); this is the
    second belt), and masked links are shown as plain text."""
    return clip(discord.utils.escape_mentions(defuse_links(text)), CONTENT_MAX)


def _chunks(text: str, limit: int) -> list[str]:
    """Split on line breaks into pieces of at most ``limit``; a single long line is cut."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def _table_fields(table: Table) -> list[tuple[str, str]]:
    """One field per row: Discord has no tables, and a code block wraps badly on phones."""
    fields = []
    for row in table.rows:
        label, *cells = row
        heads = table.headers[1:]
        lines = [f"**{h}:** {c}" if h else c for h, c in zip(heads, cells, strict=False) if c]
        name = label or table.headers[0] or BLANK
        fields.append((name, "\n".join(lines) or BLANK))
    return fields


def _link_lines(reply: Reply) -> str:
    out = []
    for link in reply.links:
        title = link.title.replace("[", "(").replace("]", ")")
        out.append(f"[{title}]({link.url})")
    return "\n".join(out)


MORE_NAME, MORE_VALUE = "…", N_("More in `/iep help` or the console.")
FOOTER_BUDGET = 500  # a note is a hint; the answer gets the room


def build_embed(reply: Reply) -> discord.Embed:
    """The embed of a reply: summary as description, the rest as fields, sources last.

    Pieces are added in order of importance against the 6000-character total, keeping room
    for a final "…" field that says the answer was cut."""
    lang = reply.lang
    more_value = tr(lang, MORE_VALUE)
    title = clip(reply.title, TITLE_MAX)
    footer = clip(reply.note, FOOTER_BUDGET) if reply.note else None
    reserve = len(MORE_NAME) + len(more_value)
    budget = EMBED_TOTAL_MAX - len(title) - len(footer or "") - reserve
    sections = list(reply.sections)
    description = None
    if sections and sections[0].heading is None:
        description = clip(defuse_links(sections.pop(0).text), min(DESCRIPTION_MAX, budget))
        budget -= len(description)
    embed = discord.Embed(
        title=title, description=description, colour=COLOURS.get(reply.kind, 0x99AAB5)
    )
    fields: list[tuple[str, str]] = []
    for section in sections:
        name = section.heading or BLANK
        for i, part in enumerate(_chunks(defuse_links(section.text), FIELD_VALUE_MAX)):
            if i and name != BLANK:
                fields.append((tr(lang, "{name} (cont.)", name=name), part))
            else:
                fields.append((name, part))
    if reply.table is not None:
        fields += _table_fields(reply.table)
    if reply.suggestions:
        suggestions = "\n".join(f"• {ref.title}" for ref in reply.suggestions)
        fields.append((tr(lang, "Did you mean"), suggestions))
    if reply.links:
        sources = tr(lang, "Sources")
        for i, part in enumerate(_chunks(_link_lines(reply), FIELD_VALUE_MAX)):
            fields.append((sources if i == 0 else tr(lang, "{name} (cont.)", name=sources), part))
    for name, value in fields:
        name = clip(name, FIELD_NAME_MAX)
        room = budget - len(name)
        if len(embed.fields) >= FIELDS_MAX - 1 or room < 80:
            embed.add_field(name=MORE_NAME, value=more_value, inline=False)
            break
        value = clip(value, min(FIELD_VALUE_MAX, room))
        embed.add_field(name=name, value=value, inline=False)
        budget -= len(name) + len(value)
    if footer:
        embed.set_footer(text=footer)
    return embed


def build_view(reply: Reply, owner_id: int) -> discord.ui.View | None:
    """Actions bound to the asker, then related terms and suggestions that anyone may open.

    Buttons are persistent dynamic items: the custom_id carries the command and the owner, so a
    restart does not turn old messages' buttons into "This interaction failed"."""
    items: list[RouterButton] = []
    for action in reply.actions:
        button = button_for(action.label, action.command, owner_id, STYLES.get(action.style))
        if button is not None:
            items.append(button)
    for ref in [*reply.related, *reply.suggestions]:
        button = button_for(ref.title, f"ask {ref.id}", 0, discord.ButtonStyle.secondary)
        if button is not None:
            items.append(button)
    if not items:
        return None
    view = discord.ui.View(timeout=None)
    seen: set[str] = set()
    for item in items:
        if item.custom_id in seen or len(view.children) >= BUTTONS_MAX:
            continue
        seen.add(item.custom_id)
        view.add_item(item)
    return view


def render(reply: Reply, owner_id: int) -> Rendered:
    file = None
    if reply.attachment is not None:
        file = discord.File(io.BytesIO(reply.attachment.content), reply.attachment.filename)
    return Rendered(build_embed(reply), build_view(reply, owner_id), file)
