"""The console's welcome line is in the language the console user chose with `lang`."""

from __future__ import annotations

import io

import pytest

from bots.console import BANNER, PROMPT, console_asker, run_console
from bots.context import Context
from bots.router import route
from scheduler.store.database import open_store


class Terminal(io.StringIO):
    """Typed input, as from a person at a TTY: the banner and prompts are shown."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def ctx(library, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    yield Context(library, store=store)
    store.close()


async def _banner(ctx: Context) -> str:
    out = io.StringIO()
    assert await run_console(ctx, Terminal(""), out, console_asker("UTC")) == 0
    return out.getvalue().split("\n", 1)[0]


async def test_the_banner_follows_the_stored_language(ctx) -> None:
    assert await _banner(ctx) == BANNER
    route(ctx, "lang es", console_asker("UTC"))  # kept in the store, as across a restart
    assert await _banner(ctx) == (
        "Consola de iepbot. Escribe un término (`plan 504`), `help` o Ctrl-D para salir."
    )


async def test_a_pipe_gets_no_banner(ctx) -> None:
    out = io.StringIO()
    await run_console(ctx, io.StringIO(""), out, console_asker("UTC"))
    assert PROMPT not in out.getvalue() and out.getvalue() == ""
