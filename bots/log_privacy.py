"""Keep what people type out of the log, including the platform libraries' own log lines.

slack-bolt writes every rejected request body at INFO (user id, user name, the typed text,
response_url) and, like slack_sdk and discord.py, logs request and gateway payloads at DEBUG;
some of those lines are built with f-strings, so filtering arguments is not enough. A record
from one of these libraries keeps its logger name, level and exception type, so an operator
still sees that something happened and where, and loses its text. Installed as the process's
log-record factory, it applies to every handler at every level, the tests' capture included.
"""

from __future__ import annotations

import logging
from typing import Any

LIBRARY_LOGGERS = (
    "slack_bolt",
    "slack_sdk",
    "discord",
    "aiohttp.access",
    "aiohttp.server",
    "aiohttp.web",
    "iepbot.slack.bolt",  # the logger iepbot hands to bolt: bolt's own lines
)
WITHHELD = "details withheld: a platform library's log line may hold what a person typed"


def _is_library(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in LIBRARY_LOGGERS)


def withhold_library_logs() -> None:
    """Install the redacting record factory once per process (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_iepbot_withholds", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _is_library(record.name):
            exc = record.exc_info[0] if record.exc_info else None
            record.msg = f"{WITHHELD} ({exc.__name__})" if exc else WITHHELD
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return record

    factory._iepbot_withholds = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
