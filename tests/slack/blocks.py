"""What a person reads in a Slack message's blocks, for assertions on what reached the fake."""

from __future__ import annotations

from typing import Any


def block_text(blocks: list[dict[str, Any]], *, buttons: bool = False) -> str:
    """The text of every section and context element, a line each; with ``buttons``, the
    button labels too."""
    parts = []
    for b in blocks:
        if isinstance(b.get("text"), dict):
            parts.append(b["text"]["text"])
        for e in b.get("elements", []):
            if e.get("type") in ("mrkdwn", "plain_text"):
                parts.append(e["text"])
            elif buttons and e.get("type") == "button":
                parts.append(e["text"]["text"])
    return "\n".join(parts)


def block_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every button (and other element) of the message's actions blocks, in order."""
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
