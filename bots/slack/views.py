"""The modals (new reminder, track a case) and the App Home tab.

Modals do not carry their own business rules: a submission is turned into the same router
command a person would type (`remind <#C1> 2026-09-15 14:30: text`, `track consent ...`), so the
router and the reminder service check it exactly as they check typed commands. Only what the
form itself can get wrong (an empty field, a malformed label) is reported next to the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bots.replies import Reply
from bots.slack.blocks import (
    OPEN_REMIND,
    OPEN_TRACK,
    Block,
    actions_blocks,
    button,
    context,
    header,
    plain,
    render,
    section,
)
from bots.slack.escape import clip, escape_keep_channels

REMIND_MODAL = "iep_remind_modal"
TRACK_MODAL = "iep_track_modal"
TEXT_MAX = 1000
LABEL_MAX = 40
HOME_CASES_MAX = 15
HOME_DEADLINES_PER_CASE = 8

EVENTS = {
    "consent": "Parental consent to evaluate",
    "eligibility": "Eligibility determination",
    "iep": "IEP meeting held",
    "evaluation": "Evaluation completed",
    "referral": "Referral to early intervention (Part C)",
    "birthdate": "Child's birth date (Part C to B)",
}
REPEATS = {
    "once": "Once",
    "day": "Every day",
    "weekday": "Every weekday (Mon–Fri)",
    "week": "Every week on that day",
}
LEADS = ("30d", "14d", "7d", "3d", "1d")
DEFAULT_LEADS = ("14d", "7d", "1d")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_STATE = re.compile(r"^[A-Za-z]{2}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label, 75), "value": value}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = ""
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": {**element, "action_id": "v"},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _modal(callback_id: str, title: str, blocks: list[Block], metadata: dict[str, str]) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata)[:3000],
        "blocks": blocks,
    }


def _channel_picker(label: str) -> Block:
    return _input(
        "to",
        label,
        {
            "type": "conversations_select",
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            "placeholder": plain("A direct message to you", 150),
        },
        optional=True,
        hint="Leave empty to get it as a direct message. For a channel you must be a member.",
    )


def remind_modal(today: date, channel_id: str | None) -> Block:
    return _modal(
        REMIND_MODAL,
        "New reminder",
        [
            _input(
                "what",
                "Remind about",
                {
                    "type": "plain_text_input",
                    "multiline": True,
                    "max_length": TEXT_MAX,
                    "placeholder": plain("Bring the draft IEP for AB-7", 150),
                },
                hint="Use a case label such as AB-7, never a student's name.",
            ),
            _input("day", "Day", {"type": "datepicker", "initial_date": today.isoformat()}),
            _input("time", "Time", {"type": "timepicker", "initial_time": "09:00"}),
            _input(
                "repeat",
                "Repeat",
                {
                    "type": "static_select",
                    "options": [_option(k, v) for k, v in REPEATS.items()],
                    "initial_option": _option("once", REPEATS["once"]),
                },
            ),
            _channel_picker("Send to"),
        ],
        {"channel": channel_id or ""},
    )


def track_modal(today: date, channel_id: str | None) -> Block:
    return _modal(
        TRACK_MODAL,
        "Track a case",
        [
            _input(
                "event",
                "What happened",
                {
                    "type": "static_select",
                    "options": [_option(k, v) for k, v in EVENTS.items()],
                    "initial_option": _option("consent", EVENTS["consent"]),
                },
            ),
            _input("day", "On", {"type": "datepicker", "initial_date": today.isoformat()}),
            _input(
                "case",
                "Case label",
                {
                    "type": "plain_text_input",
                    "max_length": LABEL_MAX,
                    "placeholder": plain("AB-7", 150),
                },
                hint="Letters, digits and dashes. Never a student's name.",
            ),
            _input(
                "state",
                "State (optional)",
                {"type": "plain_text_input", "max_length": 2, "placeholder": plain("TX", 150)},
                optional=True,
                hint="Two letters; empty uses the federal IDEA timelines.",
            ),
            _input(
                "leads",
                "Remind me before each deadline",
                {
                    "type": "multi_static_select",
                    "options": [_option(v, f"{v[:-1]} day(s) before") for v in LEADS],
                    "initial_options": [
                        _option(v, f"{v[:-1]} day(s) before") for v in DEFAULT_LEADS
                    ],
                },
            ),
            _channel_picker("Send reminders to"),
        ],
        {"channel": channel_id or ""},
    )


@dataclass(frozen=True)
class Submission:
    """A modal turned into a router command, or the per-field errors to show instead."""

    command: str | None
    errors: dict[str, str]


def _value(state: dict[str, Any], block_id: str) -> dict[str, Any]:
    return (state.get(block_id) or {}).get("v") or {}


def _selected(state: dict[str, Any], block_id: str) -> str | None:
    option = _value(state, block_id).get("selected_option") or {}
    return option.get("value")


def _target(state: dict[str, Any]) -> str | None:
    channel = _value(state, "to").get("selected_conversation")
    if channel and re.match(r"^[CGD][A-Z0-9]{1,20}$", channel):
        return f"<#{channel}>"
    return None


def remind_command(state: dict[str, Any]) -> Submission:
    errors: dict[str, str] = {}
    text = " ".join((_value(state, "what").get("value") or "").split())
    if not text:
        errors["what"] = "Write what the reminder should say."
    elif len(text) > TEXT_MAX:
        errors["what"] = f"That is {len(text):,} characters; the most is {TEXT_MAX:,}."
    day = _value(state, "day").get("selected_date") or ""
    try:
        on = date.fromisoformat(day)
    except ValueError:
        errors["day"] = "Pick a day."
        on = None
    at = _value(state, "time").get("selected_time") or ""
    if not _TIME.match(at):
        errors["time"] = "Pick a time."
    repeat = _selected(state, "repeat") or "once"
    if repeat not in REPEATS:
        errors["repeat"] = "Pick how often."
    if errors or on is None:
        return Submission(None, errors)
    if repeat == "once":
        when = f"{on.isoformat()} {at}"
    elif repeat == "week":
        when = f"every {WEEKDAY_NAMES[on.weekday()]} at {at}"
    else:
        when = f"every {repeat} at {at}"
    target = _target(state) or "me"
    # The trailing ":" ends the time phrase, so a message starting with a number stays whole.
    return Submission(f"remind {target} {when}: {text}", {})


def track_command(state: dict[str, Any]) -> Submission:
    errors: dict[str, str] = {}
    event = _selected(state, "event")
    if event not in EVENTS:
        errors["event"] = "Pick what happened."
    day = _value(state, "day").get("selected_date") or ""
    try:
        date.fromisoformat(day)
    except ValueError:
        errors["day"] = "Pick the day it happened."
    label = (_value(state, "case").get("value") or "").strip()
    if not _LABEL.match(label):
        errors["case"] = "A short label: letters, digits and dashes, e.g. AB-7 (never a name)."
    us_state = (_value(state, "state").get("value") or "").strip()
    if us_state and not _STATE.match(us_state):
        errors["state"] = "Two letters, e.g. TX, or leave it empty."
    leads = [o.get("value") for o in _value(state, "leads").get("selected_options") or []]
    leads = [lead for lead in leads if lead in LEADS]
    if not leads:
        errors["leads"] = "Pick at least one."
    if errors:
        return Submission(None, errors)
    parts = [f"track {event} {day} case={label}", f"lead={','.join(leads)}"]
    if us_state:
        parts.append(f"state={us_state.upper()}")
    target = _target(state)
    if target:
        parts.append(f"to={target}")
    return Submission(" ".join(parts), {})


def result_view(title: str, reply: Reply) -> Block:
    """What the modal turns into after a successful save: the reply, without buttons."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("Done", 24),
        "blocks": render(reply, buttons=False, max_blocks=100).blocks,
    }


@dataclass(frozen=True)
class CaseLine:
    label: str
    event: str
    event_date: date
    state: str | None
    deadlines: Sequence[tuple[date, str, str]]  # due, title, citation


def home_view(
    reminders: Reply | None, cases: Sequence[CaseLine], *, today: date, status: str | None = None
) -> Block:
    """The App Home: quick buttons, the status of the last button press, reminders, cases."""
    blocks: list[Block] = [header("iepbot: your reminders and deadlines")]
    blocks += actions_blocks(
        [
            button("New reminder", OPEN_REMIND, "open", "primary"),
            button("Track a case", OPEN_TRACK, "open"),
        ],
        "home_open",
    )
    if status:
        blocks.append(context(escape_keep_channels(clip(status, 500))))
    if reminders is not None:
        rendered = render(reminders, max_blocks=60).blocks
        # The reply's own header becomes a section: a home tab reads better with one header.
        blocks += [
            section(f"*{escape_keep_channels(clip(reminders.title, 200))}*")
            if b["type"] == "header"
            else b
            for b in rendered
        ]
    blocks.append({"type": "divider"})
    blocks.append(section("*Tracked deadlines*"))
    if not cases:
        blocks.append(
            context(
                "Nothing tracked yet. Press *Track a case* or type `/iep track consent "
                "2026-09-15 case=AB-7`."
            )
        )
    for case in list(cases)[:HOME_CASES_MAX]:
        upcoming = [d for d in case.deadlines if d[0] >= today][:HOME_DEADLINES_PER_CASE]
        where = f" ({escape_keep_channels(case.state)})" if case.state else ""
        lines = [
            f"*{escape_keep_channels(case.label)}*: {escape_keep_channels(case.event)} on "
            f"{case.event_date.isoformat()}{where}"
        ]
        lines += [
            f"• *{due.isoformat()}* {due:%a} · {escape_keep_channels(title)} · "
            f"_{escape_keep_channels(citation)}_"
            for due, title, citation in upcoming
        ] or ["• no deadline ahead"]
        blocks.append(section("\n".join(lines)))
    if len(cases) > HOME_CASES_MAX:
        blocks.append(context(f"…and {len(cases) - HOME_CASES_MAX} more: type `/iep calendar`."))
    return {"type": "home", "blocks": blocks[:100]}
