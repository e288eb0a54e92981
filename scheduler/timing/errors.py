"""The one error type of the timing package, and its chat-ready wording.

Every refusal is shown verbatim in Slack, Discord or the console, so each message is a single
short line in the user's language and always carries an example that does work: a user who got
the syntax wrong learns the right one from the error alone, without opening help. The English
text here is the msgid; the Spanish lives in the shared catalogue (content/i18n).
"""

from __future__ import annotations

from content.i18n import N_, norm_lang
from scheduler.errors import UserError

__all__ = ["CODES", "TimeError", "norm_lang"]

_MESSAGES: dict[str, str] = {
    "no_time": N_(
        "I couldn't find a time at the start. Try `tomorrow 9am bring the draft` or `every "
        "monday 8am check caseload`."
    ),
    "past": N_(
        "That time has already passed. Pick a future one, e.g. `tomorrow 9am bring the draft`."
    ),
    "bad_date": N_(
        "That date doesn't exist. Check the day and month, e.g. `dec 3 9am send notice` or "
        "`YYYY-MM-DD 08:00 send notice`."
    ),
    "weekday_mismatch": N_(
        "That date falls on a {actual}, not a {given}. Check it, e.g. `{actual} {date} 9am "
        "send notice`."
    ),
    "bad_time": N_("That time of day doesn't exist. Use e.g. `9am`, `3:30pm` or `15:30`."),
    "empty_message": N_(
        "Add what to remind about after the time, e.g. `tomorrow 9am bring the draft`."
    ),
    "too_far": N_(
        "I can only schedule up to one year ahead. Try e.g. `in 3 days call the district`."
    ),
    "too_long": N_(
        "That reminder is too long (1,000 characters at most). Shorten it, e.g. `tomorrow "
        "9am bring the draft`."
    ),
    "bad_recurrence": N_(
        "I couldn't read that repeat. Try `every monday 8am check caseload`, `every weekday"
        " at 7:30 attendance` or `every 2 weeks team sync`."
    ),
    "bad_interval": N_(
        "Repeat every 1 to 365 days or 1 to 52 weeks, e.g. `every 2 weeks team sync`."
    ),
    "bad_month_day": N_(
        "For a monthly reminder pick a day from 1 to 28, e.g. `every month on the 1st at "
        "9am progress notes`."
    ),
    "bad_duration": N_(
        "I couldn't read that length of time. Use e.g. `2d`, `3h`, `30m`, `1h30m` or `2 days`."
    ),
    "zero_duration": N_("The time must be more than zero, e.g. `2d` or `3 hours`."),
    "negative_duration": N_("The time can't be negative. Use e.g. `2d` or `3 hours`."),
    "long_duration": N_("That is more than 365 days. Use a shorter time, e.g. `1w` or `30 days`."),
    "bad_leads": N_(
        "Reminder leads must each be between 1 hour and 365 days, e.g. `lead=14d,7d,1d`."
    ),
    "bad_zone": N_("I don't know that time zone. Use a name like `America/Chicago` or `Central`."),
    "bad_cron": N_(
        "That schedule isn't a valid 5-field cron expression, e.g. `0 9 * * mon` (Mondays "
        "at 09:00)."
    ),
    "cron_dom_and_dow": N_(
        "Limit either the day of the month or the day of the week, not both, e.g. `0 9 1 * "
        "*` or `0 9 * * mon`."
    ),
    "cron_never": N_("That cron schedule never fires (no such date). Try e.g. `0 9 1 * *`."),
}

CODES = frozenset(_MESSAGES)


class TimeError(UserError):
    """A refusal of the timing parsers; ``code`` is for callers and tests that must not depend
    on the wording, ``text(lang)`` the one-line chat reply."""

    MESSAGES = _MESSAGES
