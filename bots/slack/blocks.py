"""A platform-neutral ``Reply`` as Slack Block Kit.

Slack rejects a whole message (``invalid_blocks``) when one limit is exceeded, and the text here
includes whatever a user typed, so every string is escaped and cut to the documented limits
(section 3000, header 150, button text 75, value 2000, 50 blocks, 25 elements per actions
block, 10 fields), with a margin. Cutting happens on escaped text without splitting an entity
or a link, and no block is ever emitted with empty text, so even a 10,000-character paste or
unbalanced markdown renders as valid blocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bots.replies import Ref, Reply, ReplyKind, Table
from bots.slack.escape import clip, clip_mrkdwn, escape, escape_keep_channels, safe_url
from content.i18n import tr

Block = dict[str, Any]

SECTION_MAX = 2900
HEADER_MAX = 150
BUTTON_TEXT_MAX = 75
VALUE_MAX = 2000
FIELD_MAX = 1900
FALLBACK_MAX = 2900
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
ACTIONS_PER_BLOCK = 25
ACTION_BLOCKS_MAX = 4
CHUNKS_PER_SECTION = 6

CMD_ACTION = "iep_cmd_"  # + n; the value is a router command run for whoever presses it
SHARE_ACTION = "iep_share"
OPEN_REMIND = "iep_open_remind"
OPEN_TRACK = "iep_open_track"


@dataclass(frozen=True)
class Rendered:
    """What chat.postMessage / respond / ack take: notification text plus the blocks."""

    text: str
    blocks: list[Block]

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def mrkdwn(text: str) -> dict[str, Any]:
    # verbatim: Slack must not auto-link names or mentions in text that came from users.
    return {"type": "mrkdwn", "text": text if text.strip() else "…", "verbatim": True}


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(" ".join(text.split()) or "…", limit), "emoji": True}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(clip_mrkdwn(text, SECTION_MAX))}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(clip_mrkdwn(text, SECTION_MAX))]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_MAX)}


def button(
    label: str, action_id: str, value: str | None = None, style: str = "default"
) -> Block | None:
    """A button, or None when its command would not fit (a cut command would run wrong)."""
    element: Block = {"type": "button", "action_id": action_id, "text": plain(label, 75)}
    if value is not None:
        if not value.strip() or len(value) > VALUE_MAX:
            return None
        element["value"] = value
    if style in ("primary", "danger"):
        element["style"] = style
    return element


def actions_blocks(elements: Iterable[Block | None], prefix: str = "actions") -> list[Block]:
    """Buttons in rows of at most 25 (Slack's limit per actions block)."""
    kept = [e for e in elements if e is not None][: ACTIONS_PER_BLOCK * ACTION_BLOCKS_MAX]
    return [
        {
            "type": "actions",
            "block_id": f"{prefix}_{i // ACTIONS_PER_BLOCK}",
            "elements": kept[i : i + ACTIONS_PER_BLOCK],
        }
        for i in range(0, len(kept), ACTIONS_PER_BLOCK)
    ]


def _split_line(line: str, limit: int) -> Iterator[str]:
    """Pieces of one escaped line, at spaces when possible, never inside an entity (``&amp;``)
    or a Slack link or mention (``<#C1|name>``, ``<@U1>``, ``<https://…|text>``)."""
    while len(line) > limit:
        cut = line.rfind(" ", limit // 2, limit)
        if cut <= 0:
            cut = limit
            amp = line.rfind("&", cut - 6, cut)
            if amp != -1 and ";" not in line[amp:cut]:
                cut = amp
        opened = line.rfind("<", 0, cut)
        if opened > 0 and ">" not in line[opened:cut]:
            cut = opened  # the link goes whole into the next piece
        yield line[:cut]
        line = line[cut:].lstrip(" ")
    if line:
        yield line


def chunks(text: str, limit: int = SECTION_MAX) -> list[str]:
    """Escaped text packed into pieces of at most ``limit``, split at line ends first."""
    out: list[str] = []
    current = ""
    for raw in text.split("\n"):
        for piece in _split_line(raw, limit) if raw else [""]:
            if current and len(current) + 1 + len(piece) > limit:
                out.append(current)
                current = piece
            else:
                current = f"{current}\n{piece}" if current else piece
    if current.strip():
        out.append(current)
    return [c for c in out if c.strip()]


def text_sections(text: str, heading: str | None = None) -> list[Block]:
    body = escape_keep_channels(text.strip())
    if heading:
        body = f"*{escape_keep_channels(heading)}*\n{body}"
    parts = chunks(body)
    if len(parts) > CHUNKS_PER_SECTION:
        parts = [*parts[:CHUNKS_PER_SECTION], "…"]
    return [section(p) for p in parts]


def _compare_table(table: Table) -> list[Block]:
    """Two columns side by side, which is what Block Kit section fields are good at."""
    blocks: list[Block] = [
        {
            "type": "section",
            "fields": [
                mrkdwn(f"*{clip_mrkdwn(escape_keep_channels(h), FIELD_MAX)}*")
                for h in table.headers[1:3]
            ],
        }
    ]
    for row in table.rows:
        label, *cells = row
        block: Block = {
            "type": "section",
            "fields": [mrkdwn(clip_mrkdwn(escape_keep_channels(c), FIELD_MAX)) for c in cells[:2]],
        }
        if label.strip():
            block["text"] = mrkdwn(f"*{clip_mrkdwn(escape_keep_channels(label), 200)}*")
        blocks.append(block)
    return blocks


def table_blocks(table: Table) -> list[Block]:
    """A table as one line per row: Block Kit has no table, and fields only make two columns."""
    if len(table.headers) == 3 and not table.headers[0].strip():
        return _compare_table(table)
    lines = []
    wide = len(table.headers) > 3 and any(len(" ".join(row)) > 160 for row in table.rows)
    for row in table.rows:
        first, *rest = (" ".join(c.split()) for c in row)
        cells = [f"*{escape_keep_channels(first)}*"] if first else []
        if wide:  # the first two cells as a title line, the details below it
            cells += [escape_keep_channels(c) for c in rest[:1] if c]
            details = " · ".join(escape_keep_channels(c) for c in rest[1:] if c)
            lines.append(" · ".join(cells) + (f"\n{details}\n" if details else ""))
        else:
            cells += [escape_keep_channels(c) for c in rest if c]
            lines.append(" · ".join(cells))
    blocks: list[Block] = []
    if any(h.strip() for h in table.headers):
        blocks.append(context(" · ".join(escape_keep_channels(h) for h in table.headers if h)))
    parts = chunks("\n".join(lines))
    blocks += [section(p) for p in parts]
    return blocks


def _ref_button(ref: Ref, n: int) -> Block | None:
    return button(ref.title, f"{CMD_ACTION}{n}", ref.id)


def _sources(reply: Reply) -> Block | None:
    links = []
    for link in reply.links:
        url = safe_url(link.url)
        title = escape(clip(" ".join(link.title.split()), 200)) or tr(reply.lang, "source")
        links.append(f"<{url}|{title}>" if url else title)
    if not links:
        return None
    text = tr(reply.lang, "Sources: {links}", links=" · ".join(links))
    return context(clip_mrkdwn(text, SECTION_MAX))


def fallback_text(reply: Reply) -> str:
    """The notification and screen-reader text: the title, escaped and short."""
    return clip_mrkdwn(escape_keep_channels(" ".join(reply.title.split()) or "iepbot"), 300)


def render(
    reply: Reply,
    *,
    share: str | None = None,
    buttons: bool = True,
    max_blocks: int = MESSAGE_BLOCKS_MAX,
    status: str | None = None,
) -> Rendered:
    """Block Kit for a reply. ``share`` is the router command a "Share in channel" button
    re-runs publicly; ``buttons=False`` for modals, where Slack sends no response_url.
    The words added here (Related, Sources, Share in channel) follow ``reply.lang``."""
    lang = reply.lang
    head: list[Block] = []
    if status:
        head.append(context(escape_keep_channels(status)))
    if reply.kind is ReplyKind.ERROR:
        head.append(section(f":warning: *{escape_keep_channels(clip(reply.title, 280))}*"))
    else:
        head.append(header(reply.title))
    if reply.note and reply.note.strip():
        head.append(context(escape_keep_channels(reply.note)))

    body: list[Block] = []
    for part in reply.sections:
        if part.text.strip():
            body += text_sections(part.text, part.heading)
    if reply.table is not None and reply.table.rows:
        # Dates and reminder lists are what the person asked for: before the notes about them.
        table = table_blocks(reply.table)
        first = reply.kind in (ReplyKind.DEADLINES, ReplyKind.INFO)
        body = [*table, *body] if first else [*body, *table]

    tail: list[Block] = []
    n = 0
    if buttons and reply.suggestions:
        tail += actions_blocks(
            (_ref_button(r, n + i) for i, r in enumerate(reply.suggestions)), "suggest"
        )
        n += len(reply.suggestions)
    if reply.related:
        if buttons:
            tail.append(context(f"*{tr(lang, 'Related')}*"))
            tail += actions_blocks(
                (_ref_button(r, n + i) for i, r in enumerate(reply.related)), "related"
            )
            n += len(reply.related)
        else:
            names = ", ".join(escape_keep_channels(r.title) for r in reply.related)
            tail.append(context(tr(lang, "Related: {names}", names=names)))
    sources = _sources(reply)
    if sources is not None:
        tail.append(sources)
    if buttons:
        elements: list[Block | None] = [
            button(a.label, f"{CMD_ACTION}{n + i}", a.command, a.style)
            for i, a in enumerate(reply.actions)
        ]
        if share:
            elements.append(button(tr(lang, "Share in channel"), SHARE_ACTION, share))
        tail += actions_blocks(elements, "cmds")
    if not buttons and reply.suggestions:
        names = ", ".join(escape_keep_channels(r.title) for r in reply.suggestions)
        tail.append(context(tr(lang, "Did you mean: {names}", names=names)))

    room = max_blocks - len(head) - len(tail)
    if len(body) > room:
        shortened = tr(lang, "(shortened: too long to show here)")
        body = [*body[: max(0, room - 1)], context(f"_{shortened}_")]
    blocks = [*head, *body, *tail][:max_blocks]
    return Rendered(fallback_text(reply), blocks)
