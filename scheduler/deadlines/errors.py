"""Errors whose message is shown to the person who typed the input.

Every layer above (CLI, chat verb, reminder service) prints ``str(exc)`` as is, so the message
must be one line, name what was wrong, and say how to fix it. Nothing here may carry a traceback
to the user.
"""

from __future__ import annotations


class DeadlineInputError(ValueError):
    """Bad user input (event, date, state, calendar file): ``str`` is one line for the user."""

    def __init__(self, message: str) -> None:
        # Collapse newlines so a message built from file content can never break the one-line rule.
        super().__init__(" ".join(message.split()))


class RuleDataError(RuntimeError):
    """The packaged rule YAML is broken: a bug for maintainers, named by file, rule and field."""
