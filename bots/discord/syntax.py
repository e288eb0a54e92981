"""How Discord writes a channel: `<#123>` (a snowflake), which every client shows as a link.

Discord sends channels as typed options, so only buttons and pasted text reach ``read_channel``.
"""

from __future__ import annotations

import re

from bots.targets import ChannelSyntax

SYNTAX = ChannelSyntax(re.compile(r"^<#(\d{1,20})>$|^#([\w-]{1,80})$"), "<#{id}>")
