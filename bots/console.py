"""`iepbot console`: the whole bot in a terminal, fed by a person at a TTY or by a pipe.

Input is read on a daemon thread and handed to the event loop, so the loop stays free for the
scheduler (reminders print while the console waits for a line) and Ctrl-C or end of input never
leaves a thread blocking the exit. Commands run in a worker thread, as in the chat adapters,
because the store is synchronous.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bots.context import DEFAULT_TIMEZONE, Context
from bots.deliveries import delivery_actions
from bots.preferences import reply_lang
from bots.render_text import render_text
from bots.router import route
from content.i18n import N_, tr
from scheduler.delivery.messages import Outgoing
from scheduler.identity import Asker

PROMPT = "iep> "
BANNER = N_("iepbot console. Type a term (`504 plan`), `help`, or Ctrl-D to leave.")
QUIT = {"quit", "exit", "/quit", "/exit"}
CONSOLE_CHANNEL = "console"


def local_timezone_name() -> str:
    """The machine's IANA zone (TZ, then /etc/localtime), so "tomorrow 9am" means local 9am."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.readlink("/etc/localtime")
        candidates.append(target.split("zoneinfo/", 1)[-1])
    except OSError:
        pass
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    for name in candidates:
        if name and "/" in name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return DEFAULT_TIMEZONE


def console_asker(timezone: str | None = None) -> Asker:
    return Asker(
        platform="console",
        user_id="console-user",
        workspace_id="local",
        channel_id=CONSOLE_CHANNEL,
        is_admin=True,
        timezone=timezone,
    )


class ConsoleNotifier:
    """Delivers reminders by printing them; "DMs" and channels are labelled."""

    platform = "console"

    def __init__(self, stdout: TextIO) -> None:
        self.stdout = stdout

    async def deliver(self, message: Outgoing) -> None:
        if message.target_kind == "user":
            where = tr(message.lang, "to you")
        else:
            where = tr(message.lang, "to #{channel}", channel=message.target_id)
        self.stdout.write(f"\n[{where}] {message.text}\n")
        # The buttons Slack and Discord show, as the commands to type here (the latest delivery).
        typed = [a.command.split(" at=", 1)[0] for a in delivery_actions(message)]
        if typed:
            self.stdout.write(f"  → {' · '.join(typed)}\n")
        self.stdout.flush()


def _pump_lines(
    stream: TextIO, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]
) -> None:
    try:
        for line in stream:
            loop.call_soon_threadsafe(queue.put_nowait, line)
    finally:
        loop.call_soon_threadsafe(queue.put_nowait, None)


async def run_console(
    ctx: Context, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, asker: Asker | None = None
) -> int:
    """Answer line after line until end of input; returns the process exit code."""
    for stream in (stdin, stdout):  # bytes that are not UTF-8 must not end the session
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    asker = asker or console_asker()
    interactive = stdin.isatty()
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_pump_lines, args=(stdin, loop, queue), daemon=True).start()

    def say(text: str) -> None:
        stdout.write(text)
        stdout.flush()

    if interactive:
        lang = await asyncio.to_thread(reply_lang, ctx, asker)
        say(tr(lang, BANNER) + "\n" + PROMPT)
    choices: list[str] = []  # the last reply's numbered suggestions (entry ids)
    while (line := await queue.get()) is not None:
        text = line.strip()
        if text.lower() in QUIT:
            break
        if text.isdigit() and 1 <= int(text) <= len(choices):
            text = f"ask {choices[int(text) - 1]}"
        if text:
            reply = await asyncio.to_thread(route, ctx, text, asker)
            choices = [ref.id for ref in reply.suggestions]
            rendered = render_text(reply)
            if reply.attachment is not None:
                rendered += f"\n\n--- {reply.attachment.filename} ---\n"
                rendered += reply.attachment.content.decode("utf-8", "replace")
            say(rendered + "\n\n")
            if ctx.store is not None and not ctx.store.file_intact():
                print(
                    "error: the database file was deleted or replaced; nothing more is saved",
                    file=sys.stderr,
                )
                return 1
        if interactive:
            say(PROMPT)
    if interactive:
        say("\n")
    return 0
