"""What a delivered reminder looks like on every platform: who set it, and its buttons.

The core hands over an ``Outgoing`` (text, reminder id, fire time, whether it repeats, who set
it); the notifiers draw it. The buttons are router commands like any other (``done 42
at=1796140800``), run for whoever presses them, so the rules live in one place: the verbs and
``ReminderService.act`` (only the owner and the person it is for; once per delivery, through
the ledger). ``at=`` names the delivery the button sits on, which makes a double click, or a
press on last week's message, act at most once.
"""

from __future__ import annotations

from collections.abc import Callable

from bots.replies import Action
from content.i18n import N_, tr
from scheduler.delivery.messages import Outgoing

ASKED_BY = N_("{person} asked me to remind you:")

# (label, command after the id, style); Skip and Stop only on a repeating reminder.
ONCE_BUTTONS = (
    (N_("Done"), "done {id}", "primary"),
    (N_("Snooze 20 min"), "snooze {id} 20m", "default"),
    (N_("1 hour"), "snooze {id} 1h", "default"),
    (N_("Tomorrow 9am"), "snooze {id} tomorrow", "default"),
)
REPEAT_BUTTONS = (
    (N_("Skip next"), "skip {id}", "default"),
    (N_("Stop"), "stop {id}", "danger"),
)


def delivery_actions(message: Outgoing) -> list[Action]:
    """The buttons of a delivered reminder, labelled in the reminder's language."""
    if not message.actionable or message.reminder_id is None or message.fire_at is None:
        return []
    at = f" at={int(message.fire_at.timestamp())}"
    buttons = ONCE_BUTTONS + (REPEAT_BUTTONS if message.repeating else ())
    return [
        Action(tr(message.lang, label), command.format(id=message.reminder_id) + at, style)
        for label, command, style in buttons
    ]


def asked_by(message: Outgoing, write_user: Callable[[str], str]) -> str | None:
    """ "Ana asked me to remind you:" for a reminder someone set for the recipient, with the
    setter written as the platform's mention (shown as their name, never pinging them)."""
    if message.set_by is None:
        return None
    return tr(message.lang, ASKED_BY, person=write_user(message.set_by))


def from_delivery(command: str) -> bool:
    """Whether a button's command came from a delivered reminder (it names its delivery)."""
    return any(word.startswith("at=") for word in command.split()[1:])
