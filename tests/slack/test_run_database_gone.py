"""`iepbot run` whose SQLite file is deleted under it: it stops with an error (issue 15, 14)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bots.run import serve
from tests.local_server import free_port
from tests.slack.conftest import env_for


async def test_run_stops_with_exit_code_1_when_its_database_file_goes(fake, tmp_path, caplog):
    database = tmp_path / "run.sqlite3"
    task = asyncio.create_task(
        serve(
            env_for(fake),
            port=free_port(),
            host="127.0.0.1",
            database_url=f"sqlite:///{database}",
            grace=timedelta(hours=1),
            stop=asyncio.Event(),
        )
    )
    for _ in range(200):  # bounded wait for the store to be open
        if database.exists():
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    for file in tmp_path.iterdir():
        file.unlink()
    assert await asyncio.wait_for(task, 20) == 1
    assert any("deleted or replaced" in r.getMessage() for r in caplog.records)
