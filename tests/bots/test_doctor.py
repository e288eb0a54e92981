"""`iepbot doctor` against the local fakes: a healthy set-up passes, and each misconfiguration
is produced for real (a refused token, a scope not granted, an old database, commands out of
sync, a permission missing, a broken pushes file) and reported with its fix."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from alembic import command
from sqlalchemy import create_engine

from bots.cli import main
from bots.discord.cli import _sync_now
from bots.doctor import CHECK_IDS, Check, Options, diagnose, manifest_scopes
from scheduler.store.database import alembic_config, open_store
from tests.discord.fake_discord import TOKEN as DISCORD_TOKEN
from tests.discord.fake_discord import FakeDiscord
from tests.pushes.test_pushes import GOOD as GOOD_PUSHES
from tests.slack.fake_slack import SECRET, FakeSlack

SLACK_TOKEN = "xoxb-doctor-test-token"
ALL = discord.Permissions(view_channel=True, send_messages=True, embed_links=True,
                          attach_files=True, read_message_history=True).value  # fmt: skip


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    server = FakeSlack(bot_token=SLACK_TOKEN, scopes=manifest_scopes())
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def discord_fake(tmp_path) -> AsyncIterator[FakeDiscord]:
    """The fake with /iep published by a real sync, and the bot in one server."""
    original = discord.http.Route.BASE
    server = FakeDiscord(guilds={"900": ALL})
    await server.start()
    discord.http.Route.BASE = f"{server.url}/api/v10"
    try:
        assert await _sync_now(DISCORD_TOKEN, tmp_path / "sync.json") == 0
        yield server
    finally:
        discord.http.Route.BASE = original
        await server.stop()


@pytest.fixture
def database(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'doctor.sqlite3'}"
    open_store(url).close()
    return url


@pytest.fixture
def env(slack, discord_fake, tmp_path) -> dict[str, str]:
    pushes = tmp_path / "pushes.yaml"
    pushes.write_text(GOOD_PUSHES)
    return {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"{slack.url}/api/",
        "DISCORD_TOKEN": DISCORD_TOKEN,
        "DISCORD_API_URL": discord_fake.url,
        "IEPBOT_PUSHES": str(pushes),
        "IEPBOT_DEFAULT_TIMEZONE": "America/Chicago",
        "IEPBOT_PUBLIC_URL": "https://iepbot.example.org",
    }


def by_id(checks: list[Check]) -> dict[str, Check]:
    return {c.id: c for c in checks}


async def test_a_healthy_setup_passes_every_check(env, database) -> None:
    checks = by_id(await diagnose(env, Options(database_url=database)))
    assert {i: c.status for i, c in checks.items()} == {
        "database": "ok",
        "slack.token": "ok",
        "slack.scopes": "ok",
        "slack.connection": "ok",
        "discord.token": "ok",
        "discord.commands": "ok",
        "discord.permissions": "ok",
        "pushes": "ok",
        "defaults.timezone": "ok",
        "defaults.lang": "ok",
        "calendar.feeds": "ok",
    }
    assert set(checks) <= set(CHECK_IDS)
    assert "0007_direct_channels" in checks["database"].summary
    assert checks["slack.token"].summary == "SLACK_BOT_TOKEN is valid (workspace Test School)"
    assert checks["pushes"].summary == "pushes.yaml: 2 scheduled push(es)"
    assert checks["defaults.timezone"].summary.startswith("America/Chicago")


async def test_cli_json_exit_code_and_no_token_in_output(env, database, monkeypatch) -> None:
    env["SLACK_BOT_TOKEN"] = "xoxb-a-revoked-token"
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def run(*args: str) -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["doctor", "--db", database, *args])
        return code, out.getvalue()

    code, text = await asyncio.to_thread(run, "--json")
    assert code == 1
    payload = json.loads(text)
    assert payload["ok"] is False
    assert all(set(c) == {"id", "status", "summary", "fix"} for c in payload["checks"])
    [refused] = [c for c in payload["checks"] if c["status"] == "fail"]
    assert refused["id"] == "slack.token" and "invalid_auth" in refused["summary"]
    assert "OAuth & Permissions" in refused["fix"]

    code, text = await asyncio.to_thread(run)
    assert code == 1
    assert "[FAIL] slack.token: Slack refused SLACK_BOT_TOKEN (invalid_auth)" in text
    assert "1 problem(s) found." in text
    for secret in ("xoxb-a-revoked-token", DISCORD_TOKEN, SECRET):
        assert secret not in text

    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
    code, text = await asyncio.to_thread(run)
    assert code == 0 and text.strip().endswith("All checks passed: `iepbot run` is ready.")


async def test_a_scope_not_granted(env, database, slack) -> None:
    slack.scopes = [s for s in manifest_scopes() if s not in ("files:write", "im:history")]
    check = by_id(await diagnose(env, Options(database_url=database)))["slack.scopes"]
    assert check.status == "fail"
    assert check.summary == "missing scope(s): files:write, im:history"
    assert "reinstall the app" in check.fix


async def test_no_socket_mode_token_nor_signing_secret(env, database) -> None:
    del env["SLACK_SIGNING_SECRET"]
    check = by_id(await diagnose(env, Options(database_url=database)))["slack.connection"]
    assert check.status == "fail" and "SLACK_APP_TOKEN" in check.fix


async def test_a_working_socket_mode_token(env, database, slack) -> None:
    slack.app_token = "xapp-the-real-one"
    env["SLACK_APP_TOKEN"] = "xapp-the-real-one"
    check = by_id(await diagnose(env, Options(database_url=database)))["slack.connection"]
    assert check == Check(
        "slack.connection", "ok", "Socket Mode: SLACK_APP_TOKEN opens a connection"
    )


async def test_a_refused_socket_mode_token(env, database, slack) -> None:
    slack.app_token = "xapp-the-real-one"
    env["SLACK_APP_TOKEN"] = "xapp-a-wrong-one"
    check = by_id(await diagnose(env, Options(database_url=database)))["slack.connection"]
    assert check.status == "fail" and "invalid_auth" in check.summary
    assert "connections:write" in check.fix


async def test_an_unmigrated_database(env, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002_leader_terms")
    engine.dispose()
    check = by_id(await diagnose(env, Options(database_url=url)))["database"]
    assert check.status == "fail"
    assert "at revision 0002_leader_terms, the latest is 0007_direct_channels" in check.summary
    assert "migrates the database at start" in check.fix
    # Doctor only reads: asked again, the database is still behind.
    assert by_id(await diagnose(env, Options(database_url=url)))["database"].status == "fail"


async def test_an_unreachable_database(env) -> None:
    url = "postgresql+psycopg://iep:hunter2@127.0.0.1:1/iep"
    check = by_id(await diagnose(env, Options(database_url=url)))["database"]
    assert check.status == "fail" and check.summary.startswith("cannot reach")
    assert "hunter2" not in check.summary and "IEPBOT_DATABASE_URL" in check.fix


async def test_commands_out_of_sync(env, database, discord_fake) -> None:
    # As published by an older version: no `calendar` subcommand, an older `remind`.
    [iep] = discord_fake.commands
    options = [o for o in iep["options"] if o["name"] != "calendar"]
    remind = next(o for o in options if o["name"] == "remind")
    remind["description"] = "An older description"
    discord_fake.commands = [{**iep, "options": options}]
    check = by_id(await diagnose(env, Options(database_url=database)))["discord.commands"]
    assert check.status == "fail"
    assert "/iep remind" in check.summary and "/iep calendar" in check.summary
    assert "iepbot discord sync" in check.fix


async def test_a_missing_permission_in_one_server(env, database, discord_fake) -> None:
    no_files = discord.Permissions(ALL)
    no_files.attach_files = False
    discord_fake.guilds = {"900": ALL, "901": no_files.value}
    check = by_id(await diagnose(env, Options(database_url=database)))["discord.permissions"]
    assert check.status == "fail"
    assert check.summary == "missing permission(s) in Server 901 (901): Attach Files"
    assert "Roles" in check.fix


async def test_a_refused_discord_token(env, database, discord_fake) -> None:
    discord_fake.reject_token = True
    checks = by_id(await diagnose(env, Options(database_url=database)))
    assert checks["discord.token"].status == "fail"
    assert "developer portal" in checks["discord.token"].fix
    assert "discord.commands" not in checks  # nothing more can be asked with that token


async def test_a_broken_pushes_file(env, database, tmp_path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(GOOD_PUSHES.replace('cron: "0 8 * * 1"', 'cron: "0 8 * * 9"'))
    check = by_id(await diagnose(env, Options(database_url=database, pushes=str(broken))))["pushes"]
    assert check.status == "fail" and check.summary.startswith("broken.yaml: 1 problem(s)")
    assert "weekly-tip" in check.summary and "iepbot pushes check" in check.fix


async def test_bad_defaults_and_feed_settings(env, database) -> None:
    env["IEPBOT_DEFAULT_TIMEZONE"] = "Central Time"
    env["IEPBOT_DEFAULT_LANG"] = "fr"
    env["IEPBOT_PUBLIC_URL"] = "iepbot.example.org"
    checks = by_id(await diagnose(env, Options(database_url=database)))
    assert checks["defaults.timezone"].status == "fail"
    assert "America/Chicago" in checks["defaults.timezone"].fix
    assert checks["defaults.lang"].status == "fail" and "en, es" in checks["defaults.lang"].fix
    assert checks["calendar.feeds"].status == "fail"


async def test_nothing_configured(tmp_path, database) -> None:
    checks = by_id(await diagnose({}, Options(database_url=database)))
    assert checks["slack.token"].status == "skip" and checks["discord.token"].status == "skip"
    assert checks["platforms"].status == "fail"


def test_manifest_scopes_are_read_from_the_manifest() -> None:
    scopes = manifest_scopes(Path(__file__).parents[2] / "bots" / "slack_manifest.yaml")
    assert {"commands", "chat:write", "files:write", "users:read"} <= set(scopes)


def test_run_uses_the_default_settings_doctor_checks(library) -> None:
    from bots.context import Context
    from bots.run import _apply_defaults

    ctx = Context(library)
    _apply_defaults(ctx, {"IEPBOT_DEFAULT_TIMEZONE": "America/Denver", "IEPBOT_DEFAULT_LANG": "es"})
    assert (ctx.default_timezone, ctx.default_lang) == ("America/Denver", "es")
    kept = Context(library)
    _apply_defaults(kept, {"IEPBOT_DEFAULT_TIMEZONE": "Central Time", "IEPBOT_DEFAULT_LANG": "fr"})
    assert (kept.default_timezone, kept.default_lang) == ("America/New_York", "en")
