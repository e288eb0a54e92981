"""How the console writes a channel: `#name`, in command text and in replies alike."""

from __future__ import annotations

import re

from bots.targets import ChannelSyntax

SYNTAX = ChannelSyntax(re.compile(r"^#([\w-]{1,80})$"), "#{id}")
