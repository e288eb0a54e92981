"""Errors whose message is shown to the person who typed the input.

Every layer above (CLI, chat verb, reminder service) prints ``str(exc)`` as is, so the message
must be one line, name what was wrong, and say how to fix it. Nothing here may carry a traceback
to the user.
"""

from __future__ import annotations

from content.errors import UserError


class DeadlineInputError(UserError):
    """Bad user input (event, date, state, calendar file): ``str`` is one line for the user.

    The one user-error type of the core, with one difference: the deadline engine words many
    distinct refusals, so the code is the catalogue template itself (marked with ``N_`` where
    it is raised). The same error reads in English in the CLI and in the asker's language in
    chat (``text(lang)``); fields stay raw until then.
    """

    def __init__(self, message: str, /, **fields: object) -> None:
        super().__init__(message, "en", **fields)

    def template(self) -> str:
        return self.code


class RuleDataError(RuntimeError):
    """The packaged rule YAML is broken: a bug for maintainers, named by file, rule and field."""
