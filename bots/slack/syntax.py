"""How Slack writes a channel: `<#C123|name>` in slash-command text, `<#C123>` in replies; and a
person: `<@U123|name>` in command text, a mention in replies.

A plain `#name` is read too: Slack leaves it as typed when the app does not ask for escaped
channels, and the channel check then decides whether it may be used. A person the router names
in a reply is wrapped in ``PERSON_MARK``: reply text is escaped as a whole (``bots.slack.escape``),
which keeps exactly those mentions live, and typed text never carries the mark.
"""

from __future__ import annotations

import re

from bots.slack.escape import PERSON_MARK
from bots.targets import ChannelSyntax

SYNTAX = ChannelSyntax(
    re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$|^#([\w-]{1,80})$"),
    "<#{id}>",
    user_pattern=re.compile(r"^<@([UW][A-Z0-9]{1,20})(?:\|[^>]*)?>$"),
    user_written=f"{PERSON_MARK}<@{{id}}>{PERSON_MARK}",
)
