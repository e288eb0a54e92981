"""How Slack writes a channel: `<#C123|name>` in slash-command text, `<#C123>` in replies.

A plain `#name` is read too: Slack leaves it as typed when the app does not ask for escaped
channels, and the channel check then decides whether it may be used.
"""

from __future__ import annotations

import re

from bots.targets import ChannelSyntax

SYNTAX = ChannelSyntax(re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$|^#([\w-]{1,80})$"), "<#{id}>")
