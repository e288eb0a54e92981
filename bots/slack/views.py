"""The modals (new reminder, track a case) and the App Home tab.

Modals do not carry their own business rules: a submission becomes the typed values of the
verb it stands for (``bots.verbs.builtin``), which the verb and the reminder service check
exactly as they check a typed command. Only what the form itself can get wrong (an empty
field, a malformed label) is reported next to the field.
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
from content.i18n import N_, tr
from scheduler.identity import Target
from scheduler.limits import REMINDER_TEXT_MAX
from scheduler.timing.durations import parse_leads

REMIND_MODAL = "iep_remind_modal"
TRACK_MODAL = "iep_track_modal"
LABEL_MAX = 40
HOME_CASES_MAX = 15
HOME_DEADLINES_PER_CASE = 8

EVENTS = {
    "consent": N_("Parental consent to evaluate"),
    "eligibility": N_("Eligibility determination"),
    "iep": N_("IEP meeting held"),
    "evaluation": N_("Evaluation completed"),
    "referral": N_("Referral to early intervention (Part C)"),
    "birthdate": N_("Child's birth date (Part C to B)"),
}
REPEATS = {
    "once": N_("Once"),
    "day": N_("Every day"),
    "weekday": N_("Every weekday (Mon–Fri)"),
    "week": N_("Every week on that day"),
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


def _modal(
    callback_id: str, title: str, blocks: list[Block], metadata: dict[str, str], lang: str
) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "submit": plain(tr(lang, "Save"), 24),
        "close": plain(tr(lang, "Cancel"), 24),
        "private_metadata": json.dumps(metadata)[:3000],
        "blocks": blocks,
    }


def _channel_picker(label: str, lang: str) -> Block:
    return _input(
        "to",
        label,
        {
            "type": "conversations_select",
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            "placeholder": plain(tr(lang, "A direct message to you"), 150),
        },
        optional=True,
        hint=tr(
            lang,
            "Leave empty to get it as a direct message. For a channel you must be a member.",
        ),
    )


def remind_modal(today: date, channel_id: str | None, lang: str = "en") -> Block:
    """The form in the opener's language; ``lang`` rides in the metadata so the submission's
    field errors are in that language too."""
    repeats = [_option(k, tr(lang, v)) for k, v in REPEATS.items()]
    return _modal(
        REMIND_MODAL,
        tr(lang, "New reminder"),
        [
            _input(
                "what",
                tr(lang, "Remind about"),
                {
                    "type": "plain_text_input",
                    "multiline": True,
                    "max_length": REMINDER_TEXT_MAX,
                    "placeholder": plain(tr(lang, "Bring the draft IEP for AB-7"), 150),
                },
                hint=tr(lang, "Use a case label such as AB-7, never a student's name."),
            ),
            _input(
                "day", tr(lang, "Day"), {"type": "datepicker", "initial_date": today.isoformat()}
            ),
            _input("time", tr(lang, "Time"), {"type": "timepicker", "initial_time": "09:00"}),
            _input(
                "repeat",
                tr(lang, "Repeat"),
                {"type": "static_select", "options": repeats, "initial_option": repeats[0]},
            ),
            _channel_picker(tr(lang, "Send to"), lang),
        ],
        {"channel": channel_id or "", "lang": lang},
        lang,
    )


def _lead_option(value: str, lang: str) -> dict[str, Any]:
    return _option(value, tr(lang, "{n} day(s) before", n=value[:-1]))


def track_modal(today: date, channel_id: str | None, lang: str = "en") -> Block:
    events = [_option(k, tr(lang, v)) for k, v in EVENTS.items()]
    return _modal(
        TRACK_MODAL,
        tr(lang, "Track a case"),
        [
            _input(
                "event",
                tr(lang, "What happened"),
                {"type": "static_select", "options": events, "initial_option": events[0]},
            ),
            _input(
                "day", tr(lang, "On"), {"type": "datepicker", "initial_date": today.isoformat()}
            ),
            _input(
                "case",
                tr(lang, "Case label"),
                {
                    "type": "plain_text_input",
                    "max_length": LABEL_MAX,
                    "placeholder": plain("AB-7", 150),
                },
                hint=tr(lang, "Letters, digits and dashes. Never a student's name."),
            ),
            _input(
                "state",
                tr(lang, "State (optional)"),
                {"type": "plain_text_input", "max_length": 2, "placeholder": plain("TX", 150)},
                optional=True,
                hint=tr(lang, "Two letters; empty uses the federal IDEA timelines."),
            ),
            _input(
                "leads",
                tr(lang, "Remind me before each deadline"),
                {
                    "type": "multi_static_select",
                    "options": [_lead_option(v, lang) for v in LEADS],
                    "initial_options": [_lead_option(v, lang) for v in DEFAULT_LEADS],
                },
            ),
            _channel_picker(tr(lang, "Send reminders to"), lang),
        ],
        {"channel": channel_id or "", "lang": lang},
        lang,
    )


@dataclass(frozen=True)
class Submission:
    """A modal turned into a verb's typed values, or the per-field errors to show instead."""

    verb: str
    values: dict[str, Any] | None
    errors: dict[str, str]


def _value(state: dict[str, Any], block_id: str) -> dict[str, Any]:
    return (state.get(block_id) or {}).get("v") or {}


def _selected(state: dict[str, Any], block_id: str) -> str | None:
    option = _value(state, block_id).get("selected_option") or {}
    return option.get("value")


def _target(state: dict[str, Any]) -> Target | None:
    channel = _value(state, "to").get("selected_conversation")
    if channel and re.match(r"^[CGD][A-Z0-9]{1,20}$", channel):
        return Target("channel", channel)
    return None


def remind_command(state: dict[str, Any], lang: str = "en") -> Submission:
    errors: dict[str, str] = {}
    text = " ".join((_value(state, "what").get("value") or "").split())
    if not text:
        errors["what"] = tr(lang, "Write what the reminder should say.")
    elif len(text) > REMINDER_TEXT_MAX:
        errors["what"] = tr(
            lang,
            "That is {length} characters; the most is {most}.",
            length=f"{len(text):,}",
            most=f"{REMINDER_TEXT_MAX:,}",
        )
    day = _value(state, "day").get("selected_date") or ""
    try:
        on = date.fromisoformat(day)
    except ValueError:
        errors["day"] = tr(lang, "Pick a day.")
        on = None
    at = _value(state, "time").get("selected_time") or ""
    if not _TIME.match(at):
        errors["time"] = tr(lang, "Pick a time.")
    repeat = _selected(state, "repeat") or "once"
    if repeat not in REPEATS:
        errors["repeat"] = tr(lang, "Pick how often.")
    if errors or on is None:
        return Submission("remind", None, errors)
    if repeat == "once":
        when = f"{on.isoformat()} {at}"
    elif repeat == "week":
        when = f"every {WEEKDAY_NAMES[on.weekday()]} at {at}"
    else:
        when = f"every {repeat} at {at}"
    # The trailing ":" ends the time phrase, so a message starting with a number stays whole.
    return Submission("remind", {"when": f"{when}:", "what": text, "to": _target(state)}, {})


def track_command(state: dict[str, Any], lang: str = "en") -> Submission:
    errors: dict[str, str] = {}
    event = _selected(state, "event")
    if event not in EVENTS:
        errors["event"] = tr(lang, "Pick what happened.")
    day = _value(state, "day").get("selected_date") or ""
    on = None
    try:
        on = date.fromisoformat(day)
    except ValueError:
        errors["day"] = tr(lang, "Pick the day it happened.")
    label = (_value(state, "case").get("value") or "").strip()
    if not _LABEL.match(label):
        errors["case"] = tr(
            lang, "A short label: letters, digits and dashes, e.g. AB-7 (never a name)."
        )
    us_state = (_value(state, "state").get("value") or "").strip()
    if us_state and not _STATE.match(us_state):
        errors["state"] = tr(lang, "Two letters, e.g. TX, or leave it empty.")
    leads = [o.get("value") for o in _value(state, "leads").get("selected_options") or []]
    leads = [lead for lead in leads if lead in LEADS]
    if not leads:
        errors["leads"] = tr(lang, "Pick at least one.")
    if errors or on is None:
        return Submission("track", None, errors)
    values: dict[str, Any] = {
        "event": event,
        "on": on,
        "case": label,
        "lead": parse_leads(",".join(leads)),
        "state": us_state.upper() or None,
        "to": _target(state),
    }
    return Submission("track", values, {})


def result_view(title: str, reply: Reply) -> Block:
    """What the modal turns into after a successful save: the reply, without buttons."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain(tr(reply.lang, "Done"), 24),
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
    reminders: Reply | None,
    cases: Sequence[CaseLine],
    *,
    today: date,
    status: str | None = None,
    lang: str = "en",
) -> Block:
    """The App Home: quick buttons, the status of the last button press, reminders, cases."""
    blocks: list[Block] = [header(tr(lang, "iepbot: your reminders and deadlines"))]
    blocks += actions_blocks(
        [
            button(tr(lang, "New reminder"), OPEN_REMIND, "open", "primary"),
            button(tr(lang, "Track a case"), OPEN_TRACK, "open"),
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
    blocks.append(section(f"*{tr(lang, 'Tracked deadlines')}*"))
    if not cases:
        blocks.append(
            context(
                tr(
                    lang,
                    "Nothing tracked yet. Press *Track a case* or type `/iep track consent "
                    "2026-09-15 case=AB-7`.",
                )
            )
        )
    for case in list(cases)[:HOME_CASES_MAX]:
        upcoming = [d for d in case.deadlines if d[0] >= today][:HOME_DEADLINES_PER_CASE]
        where = f" ({escape_keep_channels(case.state)})" if case.state else ""
        lines = [
            tr(
                lang,
                "*{label}*: {event} on {date}{where}",
                label=escape_keep_channels(case.label),
                event=escape_keep_channels(case.event),
                date=case.event_date.isoformat(),
                where=where,
            )
        ]
        lines += [
            f"• *{due.isoformat()}* {_weekday(due, lang)} · {escape_keep_channels(title)} · "
            f"_{escape_keep_channels(citation)}_"
            for due, title, citation in upcoming
        ] or ["• " + tr(lang, "no deadline ahead")]
        blocks.append(section("\n".join(lines)))
    if len(cases) > HOME_CASES_MAX:
        more = len(cases) - HOME_CASES_MAX
        blocks.append(context(tr(lang, "…and {more} more: type `/iep calendar`.", more=more)))
    return {"type": "home", "blocks": blocks[:100]}


def _weekday(day: date, lang: str) -> str:
    if lang == "en":
        return f"{day:%a}"
    from babel.dates import format_date

    return str(format_date(day, "EEE", locale=lang))
