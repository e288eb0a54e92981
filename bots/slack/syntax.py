"""How Slack writes a channel: `<#C123|name>` in slash-command text, `<#C123>` in replies.

A plain `#name` is read too: Slack leaves it as typed when the app does not ask for escaped
channels, and the channel check then decides whether it may be used.
"""

from __future__ import annotations

import re

from bots.slack.escape import PERSON_MARK

_CHANNEL = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$|^#([\w-]{1,80})$")
_USER = re.compile(r"^<@([UW][A-Z0-9]{1,20})(?:\|[^>]*)?>$")


class SlackSyntax:
    def read_channel(self, token: str) -> str | None:
        found = _CHANNEL.match(token)
        return (found.group(1) or found.group(2)) if found else None

    def write_channel(self, channel_id: str) -> str:
        return f"<#{channel_id}>"

    def read_user(self, token: str) -> str | None:
        """`<@U123>` (or `<@U123|name>`): the one way Slack names a person in command text."""
        found = _USER.match(token)
        return found.group(1) if found else None

    def write_user(self, user_id: str) -> str:
        """A person in a reply, shown by Slack as their name. Reply text is escaped as a whole
        (``bots.slack.escape``), so the mention is wrapped in ``PERSON_MARK``, which only this
        writes: the escaper keeps exactly those live, and typed text never carries the mark."""
        return f"{PERSON_MARK}<@{user_id}>{PERSON_MARK}"


SYNTAX = SlackSyntax()
