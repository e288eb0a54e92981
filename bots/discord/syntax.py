"""How Discord writes a channel: `<#123>` (a snowflake), which every client shows as a link; and
a person: `<@123>`, shown as their name (messages are sent with mentions off: nobody is pinged).

Discord sends channels and people as typed options, so only buttons and pasted text reach
``read_channel`` and ``read_user``.
"""

from __future__ import annotations

import re

from bots.targets import ChannelSyntax

SYNTAX = ChannelSyntax(
    re.compile(r"^<#(\d{1,20})>$|^#([\w-]{1,80})$"),
    "<#{id}>",
    user_pattern=re.compile(r"^<@!?(\d{1,20})>$"),
    user_written="<@{id}>",
)
