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
from bots.slack.escape import clip, escape_keep_channels, strip_marks
from bots.verbs.declare import VERBS, Kind, Param, TextInput, Unreadable, Verb, convert_text
from content.i18n import N_, tr
from scheduler.identity import Asker, Target

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


# -- forms built from a verb's declaration ---------------------------------------------------
# A verb's form is its declared parameters, each as the Slack input its kind calls for; a
# submission is read back parameter by parameter with the same converter as typed text
# (``convert_text``), so the form holds no rule of its own. Adding a parameter to a verb adds a
# field here. Kinds a person does not fill in (a reminder id, a delivery time) have no field.
def form_verbs() -> list[str]:
    """The verbs declared with a form (``Verb.form``)."""
    return [name for name, verb in VERBS.items() if verb.form]


FORM_KINDS = frozenset(
    {
        Kind.TERM, Kind.TEXT, Kind.DATE, Kind.EVENT, Kind.STATE, Kind.TARGET, Kind.DURATION,
        Kind.LEADS, Kind.ZONE, Kind.CHOICE, Kind.PERSON,
    }
)  # fmt: skip
LONG_TEXT = 200  # a text parameter longer than this gets a multi-line box


def form_callback(verb: str) -> str:
    return REMIND_MODAL if verb == "remind" else TRACK_MODAL if verb == "track" else f"iep_{verb}"


def form_fields(verb: Verb) -> list[Param]:
    return [p for p in verb.params if p.kind in FORM_KINDS]


def _choices(param: Param, lang: str) -> list[dict[str, Any]]:
    if param.choices:
        return [_option(value, tr(lang, label)) for value, label in param.choices]
    return [_option(k, tr(lang, v)) for k, v in EVENTS.items()]  # Kind.EVENT


def _element(param: Param, today: date, lang: str) -> dict[str, Any]:
    kind = param.kind
    if kind is Kind.DATE:
        return {"type": "datepicker", "initial_date": today.isoformat()}
    if kind in (Kind.EVENT, Kind.CHOICE):
        options = _choices(param, lang)
        return {"type": "static_select", "options": options, "initial_option": options[0]}
    if kind is Kind.TARGET:
        return {
            "type": "conversations_select",
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            "placeholder": plain(tr(lang, "A direct message to you"), 150),
        }
    if kind is Kind.PERSON:
        return {"type": "users_select", "placeholder": plain(tr(lang, "Someone else"), 150)}
    element: dict[str, Any] = {"type": "plain_text_input"}
    if param.max_length:
        element["max_length"] = param.max_length
        element["multiline"] = param.max_length > LONG_TEXT
    return element


def form_view(verb: Verb, today: date, channel_id: str | None, lang: str = "en") -> Block:
    """The verb's form in the opener's language; ``lang`` rides in the metadata so the
    submission's field errors are in that language too."""
    blocks = [
        _input(
            p.name,
            tr(lang, p.help),
            _element(p, today, lang),
            optional=not p.required,
        )
        for p in form_fields(verb)
    ]
    if any(p.kind is Kind.TEXT for p in verb.params):
        blocks.append(context(tr(lang, "Use a case label such as AB-7, never a student's name.")))
    return _modal(
        form_callback(verb.name),
        tr(lang, verb.form or verb.summary or verb.name),
        blocks,
        {"channel": channel_id or "", "lang": lang, "verb": verb.name},
        lang,
    )


@dataclass(frozen=True)
class Submission:
    """A form turned into a verb's typed values, or the per-field errors to show instead."""

    verb: str
    values: dict[str, Any] | None
    errors: dict[str, str]


def _value(state: dict[str, Any], block_id: str) -> dict[str, Any]:
    found = (state.get(block_id) or {}).get("v") or {}
    return found if isinstance(found, dict) else {}


def _raw(state: dict[str, Any], param: Param) -> str:
    """What the person entered in one field, as text (empty when nothing)."""
    value = _value(state, param.name)
    if param.kind is Kind.DATE:
        raw = value.get("selected_date")
    elif param.kind in (Kind.EVENT, Kind.CHOICE):
        raw = (value.get("selected_option") or {}).get("value")
    elif param.kind is Kind.TARGET:
        raw = value.get("selected_conversation")
    elif param.kind is Kind.PERSON:
        raw = value.get("selected_user")
    else:
        raw = value.get("value")
    return " ".join(strip_marks(raw).split()) if isinstance(raw, str) else ""


def form_values(verb: Verb, state: dict[str, Any], asker: Asker, lang: str = "en") -> Submission:
    """Each declared field read back and converted as typed text would be; a field that is
    empty but required, or that cannot be read, is an error next to it."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    reading = TextInput("", asker, lang)
    for param in form_fields(verb):
        raw = _raw(state, param)
        if not raw:
            if param.required:
                errors[param.name] = tr(lang, "This is needed.")
            continue
        if param.kind is Kind.TARGET:
            if not re.match(r"^[CG][A-Z0-9]{1,20}$", raw):
                errors[param.name] = tr(lang, "Pick a channel, or leave it empty.")
                continue
            values[param.keyword_name] = Target("channel", raw)
        elif param.kind is Kind.PERSON:
            if not re.match(r"^[UW][A-Z0-9]{1,20}$", raw):
                errors[param.name] = tr(lang, "I could not read that")
                continue
            values[param.keyword_name] = Target("user", raw)
        else:
            try:
                values[param.keyword_name] = convert_text(param, raw, reading)
            except Unreadable as exc:
                errors[param.name] = str(exc)[:300]
    if errors:
        return Submission(verb.name, None, errors)
    return Submission(verb.name, values, {})


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
