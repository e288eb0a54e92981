"""Plain-text rendering of a Reply, for the console and the CLI.

Chat adapters have their own renderers (Block Kit, embeds); this one is what a person sees in
a terminal, so it wraps lines and keeps tables readable without colour or markup.
"""

from __future__ import annotations

import textwrap

from bots.replies import Reply, ReplyKind, Table
from content.i18n import tr

WIDTH = 88


def _wrap(text: str, indent: str = "") -> str:
    paragraphs = text.split("\n")
    return "\n".join(
        textwrap.fill(p, WIDTH, initial_indent=indent, subsequent_indent=indent) if p else ""
        for p in paragraphs
    )


def _table(table: Table) -> str:
    """Narrow tables as aligned columns; wide ones (compare) as one block per row."""
    widths = [
        max(len(row[i]) for row in (table.headers, *table.rows)) for i in range(len(table.headers))
    ]
    if sum(widths) + 3 * len(widths) <= WIDTH:
        lines = [
            " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            for row in (table.headers, *table.rows)
        ]
        lines.insert(1, "-+-".join("-" * w for w in widths))
        return "\n".join(line.rstrip() for line in lines)
    blocks = []
    for row in table.rows:
        label, *cells = row
        heads = table.headers[1:]
        block = [f"{label}:"] if label else []
        block += [_wrap(f"{h}: {c}" if h else c, "  ") for h, c in zip(heads, cells, strict=True)]
        blocks.append("\n".join(block))
    return "\n\n".join(blocks)


def render_text(reply: Reply) -> str:
    marker = "!" if reply.kind is ReplyKind.ERROR else "#"
    out = [f"{marker} {reply.title}"]
    if reply.note:
        out.append(_wrap(f"({reply.note})"))
    for section in reply.sections:
        if section.heading:
            out.append(f"\n{section.heading}:")
        out.append(_wrap(section.text))
    if reply.table is not None:
        out.append("")
        out.append(_table(reply.table))
    if reply.suggestions:
        out.append("")
        # Numbered: in the console, typing the number opens that entry (see bots/console.py).
        out += [
            f"  {i}. {ref.title}  (/iep {ref.id})" for i, ref in enumerate(reply.suggestions, 1)
        ]
    if reply.related:
        names = ", ".join(f"{ref.title} (/iep {ref.id})" for ref in reply.related)
        out.append("\n" + tr(reply.lang, "Related: {names}", names=names))
    if reply.links:
        out.append("\n" + tr(reply.lang, "Sources:"))
        out += [f"  - {link.title}: {link.url}" for link in reply.links]
    return "\n".join(out)
