"""Errors whose message is shown to the person who typed the input.

Every layer above (CLI, chat verb, reminder service) prints ``str(exc)`` as is, so the message
must be one line, name what was wrong, and say how to fix it. Nothing here may carry a traceback
to the user.
"""

from __future__ import annotations

from content.i18n import tr


class DeadlineInputError(ValueError):
    """Bad user input (event, date, state, calendar file): ``str`` is one line for the user.

    The message is a catalogue template plus its fields, so the same error reads in English in
    the CLI and in the asker's language in chat (``text(lang)``); fields stay raw until then.
    """

    def __init__(self, message: str, /, **fields: object) -> None:
        self.template = message
        self.fields = fields
        super().__init__(_one_line(message.format(**fields) if fields else message))

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``; anything not in the catalogue stays in English."""
        return _one_line(tr(lang, self.template, **self.fields))


def _one_line(message: str) -> str:
    # Collapse newlines so a message built from file content can never break the one-line rule.
    return " ".join(message.split())


class RuleDataError(RuntimeError):
    """The packaged rule YAML is broken: a bug for maintainers, named by file, rule and field."""
