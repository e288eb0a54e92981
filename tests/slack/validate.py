"""A strict check of the Block Kit limits Slack enforces (it answers `invalid_blocks` otherwise).

Slack's documented limits, applied to what the adapter sends; anything unexpected fails loudly.
"""

from __future__ import annotations

from typing import Any

TEXT_TYPES = {"plain_text", "mrkdwn"}


def _text(obj: Any, limit: int, *, plain_only: bool = False, where: str = "") -> None:
    assert isinstance(obj, dict), where
    assert obj["type"] in ({"plain_text"} if plain_only else TEXT_TYPES), where
    text = obj["text"]
    assert isinstance(text, str) and text.strip(), f"{where}: empty text"
    assert len(text) <= limit, f"{where}: {len(text)} > {limit}"
    if obj["type"] == "mrkdwn":
        # Every < opens a link we wrote, closed before the next one; user text arrives escaped.
        depth = 0
        for ch in text:
            if ch == "<":
                assert depth == 0, f"{where}: nested <"
                depth = 1
            elif ch == ">":
                depth = 0
        assert depth == 0, f"{where}: unclosed <"
        assert "<!" not in text and "<@" not in text.replace("Shared by <@", ""), where


def _element(element: dict[str, Any], where: str) -> None:
    kind = element["type"]
    if kind == "button":
        _text(element["text"], 75, plain_only=True, where=where)
        assert len(element["action_id"]) <= 255
        if "value" in element:
            assert 0 < len(element["value"]) <= 2000, where
        assert element.get("style", "primary") in ("primary", "danger"), where
    elif kind in ("mrkdwn", "plain_text"):
        _text(element, 3000, where=where)
    elif kind == "overflow":
        assert 2 <= len(element["options"]) <= 5
    else:
        raise AssertionError(f"{where}: unexpected element {kind}")


def assert_valid_blocks(blocks: list[dict[str, Any]], max_blocks: int = 50) -> None:
    assert 0 < len(blocks) <= max_blocks, len(blocks)
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), "duplicate block_id"
    action_ids = [
        e["action_id"] for b in blocks for e in (b.get("elements") or []) if "action_id" in e
    ]
    assert len(action_ids) == len(set(action_ids)), "duplicate action_id"
    for i, block in enumerate(blocks):
        where = f"block {i} ({block['type']})"
        if block["type"] == "header":
            _text(block["text"], 150, plain_only=True, where=where)
        elif block["type"] == "section":
            assert "text" in block or "fields" in block, where
            if "text" in block:
                _text(block["text"], 3000, where=where)
            fields = block.get("fields", [])
            assert len(fields) <= 10, where
            for field in fields:
                _text(field, 2000, where=where)
        elif block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10, where
            for element in block["elements"]:
                _element(element, where)
        elif block["type"] == "actions":
            assert 0 < len(block["elements"]) <= 25, where
            for element in block["elements"]:
                _element(element, where)
        elif block["type"] == "divider":
            pass
        elif block["type"] == "input":
            _text(block["label"], 2000, plain_only=True, where=where)
        else:
            raise AssertionError(f"{where}: unexpected block type")
