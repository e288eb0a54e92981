"""Read and validate the scheduled-pushes YAML, refusing the whole file on any error.

Example::

    pushes:
      - id: weekly-tip
        cron: "0 8 * * 1"            # minute hour day-of-month month day-of-week
        timezone: America/Chicago
        platform: slack              # one of the chat platforms the bot runs on
        channel: C0123456789
        entry: accommodations        # a content entry id ...
      - id: parent-meeting
        cron: "0 18 1 * *"
        timezone: America/Chicago
        platform: discord
        channel: "112233445566778899"
        text: The monthly parent meeting is tonight at 7 in the library.   # ... or text

Errors name the file, the push and the field, like the content checker's.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from content.loader import ContentIssue as _Issue
from content.loader import read_yaml_mapping
from content.model import Library
from scheduler.limits import REMINDER_TEXT_MAX
from scheduler.timing.errors import TimeError
from scheduler.timing.recurrence import Recurrence, cron_recurrence

REQUIRED = ("id", "cron", "timezone", "platform", "channel")
OPTIONAL = ("entry", "text", "lang", "workspace")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ContentIssue = partial(_Issue, what="push")


@dataclass(frozen=True)
class Push:
    id: str
    recurrence: Recurrence
    timezone: str
    platform: str
    channel: str
    text: str
    lang: str
    workspace: str | None


def _text_of(raw: dict[str, Any], library: Library, lang: str) -> str | None:
    if "text" in raw:
        return str(raw["text"]).strip()
    entry = library.pack(lang).get(str(raw["entry"]))
    if entry is None:
        return None
    return f"💡 {entry.title}: {entry.summary}\nMore: /iep {entry.id}"


def load_pushes(
    path: Path, library: Library, platforms: Collection[str]
) -> tuple[list[Push], list[_Issue]]:
    """All pushes, or no pushes and every problem found. ``platforms`` are the names a push
    may name (the bots layer knows which exist; the scheduler does not)."""
    shown = path.name
    issues: list[_Issue] = []
    data = read_yaml_mapping(path, shown, "pushes", issues)
    pushes: list[Push] = []
    seen: set[str] = set()
    for i, raw in enumerate(data):
        if not isinstance(raw, dict):
            issues.append(ContentIssue(shown, "is not a mapping", f"#{i + 1}"))
            continue
        label = str(raw.get("id") or f"#{i + 1}")
        before = len(issues)
        for name in REQUIRED:
            if name not in raw or raw[name] in (None, ""):
                issues.append(ContentIssue(shown, "missing", label, name))
        for name in sorted(set(map(str, raw)) - set(REQUIRED) - set(OPTIONAL)):
            issues.append(ContentIssue(shown, "unknown field", label, name))
        if ("entry" in raw) == ("text" in raw):
            issues.append(ContentIssue(shown, "give exactly one of entry or text", label, "entry"))
        if len(issues) > before:
            continue
        if not ID_PATTERN.match(str(raw["id"])):
            issues.append(ContentIssue(shown, "lowercase letters, digits, hyphens", label, "id"))
        elif raw["id"] in seen:
            issues.append(ContentIssue(shown, "duplicate id", label, "id"))
        seen.add(str(raw["id"]))
        if raw["platform"] not in platforms:
            issues.append(
                ContentIssue(shown, f"use one of {', '.join(platforms)}", label, "platform")
            )
        lang = str(raw.get("lang", "en"))
        if lang not in library.packs and lang != "en":
            issues.append(ContentIssue(shown, f"no content in language {lang!r}", label, "lang"))
            continue
        try:
            recurrence = cron_recurrence(str(raw["cron"]), str(raw["timezone"]))
        except TimeError as exc:
            field = "cron" if exc.code.startswith("cron") or exc.code == "bad_cron" else "timezone"
            issues.append(ContentIssue(shown, str(exc), label, field))
            continue
        text = _text_of(raw, library, lang)
        if text is None:
            issues.append(ContentIssue(shown, f"no content entry {raw['entry']!r}", label, "entry"))
            continue
        if not text or len(text) > REMINDER_TEXT_MAX:
            issues.append(
                ContentIssue(shown, f"must be 1 to {REMINDER_TEXT_MAX} characters", label, "text")
            )
            continue
        pushes.append(
            Push(
                id=str(raw["id"]),
                recurrence=recurrence,
                timezone=recurrence.tz,
                platform=str(raw["platform"]),
                channel=str(raw["channel"]),
                text=text,
                lang=lang,
                workspace=str(raw["workspace"]) if raw.get("workspace") else None,
            )
        )
    if issues:
        return [], issues
    return pushes, []
