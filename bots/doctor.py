"""`iepbot doctor`: check the configuration `iepbot run` would use, before it fails later.

It reads the same environment and flags as `iepbot run` and asks each service what `run` would
rely on: the database (reachable, at the latest migration: read only, it never migrates), Slack
(`auth.test`, the scopes granted against the manifest's, Socket Mode or HTTP credentials),
Discord (the token, `/iep` as published against what this version would publish, the bot's
permissions in each server), the pushes file, the default time zone and language, and calendar
feeds. Each check says what is wrong and how to fix it. Tokens and passwords never appear in
what it prints.

``--json`` prints ``{"ok": bool, "checks": [{"id", "status", "summary", "fix"}]}``; ``status``
is "ok", "fail" or "skip" (not configured), ``fix`` is null unless the check failed. The ids
are stable (listed in ``CHECK_IDS``). Exit code: 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

Status = Literal["ok", "fail", "skip"]
MANIFEST = Path(__file__).resolve().parent / "slack_manifest.yaml"
NETWORK_TIMEOUT = 15.0
CHECK_IDS = (
    "database",
    "slack.token",
    "slack.scopes",
    "slack.connection",
    "discord.token",
    "discord.commands",
    "discord.permissions",
    "pushes",
    "defaults.timezone",
    "defaults.lang",
    "calendar.feeds",
    "platforms",
)
# What the bot needs in a server: see channels, post reminders and pushes, embeds for answers,
# files for the .ics calendar (discord.Permissions attribute names).
DISCORD_PERMISSIONS = {
    "view_channel": "View Channels",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
}
TIMEZONE_ENV = "IEPBOT_DEFAULT_TIMEZONE"
LANG_ENV = "IEPBOT_DEFAULT_LANG"


@dataclass(frozen=True)
class Check:
    id: str
    status: Status
    summary: str
    fix: str | None = None


def ok(check_id: str, summary: str) -> Check:
    return Check(check_id, "ok", summary)


def fail(check_id: str, summary: str, fix: str) -> Check:
    return Check(check_id, "fail", summary, fix)


def skip(check_id: str, summary: str) -> Check:
    return Check(check_id, "skip", summary)


@dataclass(frozen=True)
class Options:
    """The `iepbot run` flags that change what is checked."""

    database_url: str | None = None
    pushes: str | None = None
    health_port: int | None = 8081  # None: off (-1)


# -- database ------------------------------------------------------------------------------


def check_database(url: str | None) -> Check:
    """Reachable and at the head revision; read only (``iepbot run`` migrates, doctor never)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import SQLAlchemyError

    from scheduler.store.database import (
        _parse_url,
        alembic_config,
        default_database_url,
        make_engine,
        safe_url,
    )
    from scheduler.store.errors import StoreError
    from scheduler.store.store import describe_db_error

    try:
        parsed = _parse_url(url if url is not None else default_database_url())
    except StoreError as exc:
        return fail("database", str(exc), "Set IEPBOT_DATABASE_URL (or --db) to a valid URL.")
    shown = safe_url(parsed)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    on_disk = parsed.get_backend_name() == "sqlite" and parsed.database not in (
        None,
        "",
        ":memory:",
    )
    if on_disk and not Path(str(parsed.database)).exists():
        return fail(
            "database",
            f"{shown}: the file does not exist yet",
            "Start `iepbot run` once: it creates the file and its tables; or point "
            "IEPBOT_DATABASE_URL at the existing database.",
        )
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        # A firewalled host would otherwise hold the check for the OS's TCP timeout (minutes).
        parsed = parsed.update_query_dict({"connect_timeout": str(int(NETWORK_TIMEOUT))})
    engine = make_engine(parsed)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        detail = describe_db_error(exc, password=parsed.password, with_message=True)
        return fail(
            "database",
            f"cannot reach {shown}: {detail}",
            "Check that the database server is running and that IEPBOT_DATABASE_URL has the "
            "right host, port, user and password.",
        )
    finally:
        engine.dispose()
    if current == head:
        return ok("database", f"{shown} is reachable, at the latest revision ({head})")
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        return fail(
            "database",
            f"{shown} is at revision {current}, which this iepbot does not know",
            "A newer iepbot migrated this database: run that version, or restore a backup.",
        )
    return fail(
        "database",
        f"{shown} is at revision {current or 'none (no tables)'}, the latest is {head}",
        "Start `iepbot run` once: it migrates the database at start (its database user needs "
        "the right to create and alter tables).",
    )


# -- Slack -------------------------------------------------------------------------------------


def manifest_scopes(path: Path = MANIFEST) -> list[str]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data["oauth_config"]["scopes"]["bot"])


async def check_slack(env: Mapping[str, str]) -> list[Check]:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    from bots.slack.adapter import api_base_url

    token = (env.get("SLACK_BOT_TOKEN") or "").strip()
    app_token = (env.get("SLACK_APP_TOKEN") or "").strip()
    secret = (env.get("SLACK_SIGNING_SECRET") or "").strip()
    if not (token or app_token or secret):
        return [skip("slack.token", "Slack is not configured (no SLACK_BOT_TOKEN)")]
    checks: list[Check] = []
    base = api_base_url(env.get("SLACK_API_URL"))
    if not token:
        checks.append(
            fail(
                "slack.token",
                "SLACK_BOT_TOKEN is not set, but other Slack settings are",
                "Copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions "
                "page into SLACK_BOT_TOKEN.",
            )
        )
    else:
        client = AsyncWebClient(token=token, base_url=base, timeout=int(NETWORK_TIMEOUT))
        try:
            response = await client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error", "error") if exc.response is not None else "error"
            checks.append(
                fail(
                    "slack.token",
                    f"Slack refused SLACK_BOT_TOKEN ({error})",
                    "Copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions again; "
                    "reinstall the app to the workspace if it was revoked.",
                )
            )
            response = None
        except Exception as exc:  # network: no message, it may hold the URL's secrets
            checks.append(
                fail(
                    "slack.token",
                    f"could not reach Slack ({type(exc).__name__})",
                    "Check the network (and SLACK_API_URL if you set it).",
                )
            )
            response = None
        if response is not None:
            team = response.get("team") or response.get("team_id") or "?"
            checks.append(ok("slack.token", f"SLACK_BOT_TOKEN is valid (workspace {team})"))
            checks.append(_scopes_check(response.headers))
    checks.append(await _slack_connection(app_token, secret, base))
    return checks


def _scopes_check(headers: Mapping[str, Any]) -> Check:
    granted_header = next((v for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None)
    if granted_header is None:
        return fail(
            "slack.scopes",
            "Slack did not say which scopes the token has",
            "Use the bot token (xoxb-...), not a user or app token.",
        )
    granted = {s.strip() for s in str(granted_header).split(",") if s.strip()}
    missing = [s for s in manifest_scopes() if s not in granted]
    if missing:
        return fail(
            "slack.scopes",
            f"missing scope(s): {', '.join(missing)}",
            "Add them under OAuth & Permissions, Bot Token Scopes (or update the app from "
            "bots/slack_manifest.yaml), then reinstall the app to the workspace.",
        )
    return ok("slack.scopes", f"all {len(manifest_scopes())} scopes of the manifest are granted")


async def _slack_connection(app_token: str, secret: str, base: str) -> Check:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    if app_token:
        client = AsyncWebClient(token=app_token, base_url=base, timeout=int(NETWORK_TIMEOUT))
        try:
            await client.apps_connections_open(app_token=app_token)
        except SlackApiError as exc:
            error = exc.response.get("error", "error") if exc.response is not None else "error"
            return fail(
                "slack.connection",
                f"Slack refused SLACK_APP_TOKEN for Socket Mode ({error})",
                "Turn on Socket Mode and create an app-level token (xapp-...) with the "
                "connections:write scope under Basic Information, App-Level Tokens.",
            )
        except Exception as exc:
            return fail(
                "slack.connection",
                f"could not reach Slack ({type(exc).__name__})",
                "Check the network (and SLACK_API_URL if you set it).",
            )
        return ok("slack.connection", "Socket Mode: SLACK_APP_TOKEN opens a connection")
    if secret:
        return ok(
            "slack.connection",
            "HTTP mode: SLACK_SIGNING_SECRET is set (Slack must reach /slack/events on --port)",
        )
    return fail(
        "slack.connection",
        "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP) is set",
        "Set SLACK_APP_TOKEN (xapp-..., Socket Mode: no public URL needed) or "
        "SLACK_SIGNING_SECRET (Basic Information, App Credentials) for HTTP.",
    )


# -- Discord -----------------------------------------------------------------------------------


async def local_commands() -> list[dict[str, Any]]:
    """What `iepbot discord sync` would publish now, built the way the running bot builds it."""
    from bots.context import Context
    from bots.discord.adapter import IepClient
    from bots.discord.handler import Handler
    from bots.discord.notifier import DiscordNotifier
    from bots.discord.sync import tree_payload
    from bots.discord.translator import install_translator

    client = IepClient(Handler(Context.default(), DiscordNotifier()), sync_state=Path(os.devnull))
    try:
        await install_translator(client.tree)
        return await tree_payload(client.tree)
    finally:
        await client.close()


def same_command(local: Any, remote: Any) -> bool:
    """Does Discord's copy say what ours says? Discord adds fields (ids, versions) and leaves
    out empty or false ones, so only our fields count, and a missing one equals an empty one."""
    if isinstance(local, dict):
        if not isinstance(remote, dict):
            return False
        return all(
            same_command(value, remote[key]) if key in remote else not value
            for key, value in local.items()
        )
    if isinstance(local, list):
        return (
            isinstance(remote, list)
            and len(local) == len(remote)
            and all(same_command(a, b) for a, b in zip(local, remote, strict=True))
        )
    if local is None or remote is None:
        return not local and not remote
    return bool(local == remote)


def _stale(local: list[dict[str, Any]], remote: list[dict[str, Any]]) -> list[str]:
    """Names of commands (and subcommands) that differ, for the summary."""
    mine = {c["name"]: c for c in local}
    theirs = {c.get("name"): c for c in remote}
    out = [f"/{n} (not published)" for n in mine if n not in theirs]
    out += [f"/{n} (published, no longer ours)" for n in theirs if n not in mine]
    for name, command in mine.items():
        other = theirs.get(name)
        if other is None or same_command(command, other):
            continue
        subs = {o["name"]: o for o in command.get("options") or []}
        published = {o.get("name"): o for o in other.get("options") or []}
        changed = [
            f"/{name} {sub}"
            for sub, option in subs.items()
            if sub not in published or not same_command(option, published[sub])
        ]
        changed += [f"/{name} {sub} (removed)" for sub in published if sub not in subs]
        out += changed or [f"/{name}"]
    return out


async def check_discord(env: Mapping[str, str]) -> list[Check]:
    import discord

    from bots.discord.adapter import configure_api_url

    token = (env.get("DISCORD_TOKEN") or "").strip()
    if not token:
        return [skip("discord.token", "Discord is not configured (no DISCORD_TOKEN)")]
    configure_api_url(env.get("DISCORD_API_URL"))
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        try:
            me = await asyncio.wait_for(http.static_login(token), NETWORK_TIMEOUT)
        except discord.LoginFailure:
            return [
                fail(
                    "discord.token",
                    "Discord refused DISCORD_TOKEN (401)",
                    "Reset the token on the Bot page of the Discord developer portal and put "
                    "the new one in DISCORD_TOKEN.",
                )
            ]
        except Exception as exc:
            return [
                fail(
                    "discord.token",
                    f"could not reach Discord ({type(exc).__name__})",
                    "Check the network (and DISCORD_API_URL if you set it).",
                )
            ]
        checks = [ok("discord.token", f"DISCORD_TOKEN is valid (bot {me['username']})")]
        checks.append(await _discord_commands(http))
        checks.append(await _discord_permissions(http))
        return checks
    finally:
        await http.close()


async def _discord_commands(http: Any) -> Check:
    import discord

    try:
        application = await http.application_info()
        published = await http.get_global_commands(application["id"])
    except discord.HTTPException as exc:
        return fail(
            "discord.commands",
            f"could not read the published commands (HTTP {exc.status})",
            "Invite the bot with the applications.commands scope, then `iepbot discord sync`.",
        )
    local = await local_commands()
    stale = _stale(local, published)
    if stale:
        return fail(
            "discord.commands",
            "the published commands differ from this version's: " + ", ".join(stale),
            "Run `iepbot discord sync` (or restart `iepbot run`, which syncs when they "
            "changed); Discord clients show the change within a minute or so.",
        )
    return ok("discord.commands", "/iep as published is what this version publishes")


async def _discord_permissions(http: Any) -> Check:
    import discord

    guilds = await http.get_guilds(200)
    if not guilds:
        return fail(
            "discord.permissions",
            "the bot is in no server",
            "Invite it with the bot and applications.commands scopes (README, Discord set-up).",
        )
    lacking: list[str] = []
    for guild in guilds:
        granted = discord.Permissions(int(guild.get("permissions") or 0))
        missing = [
            label for attr, label in DISCORD_PERMISSIONS.items() if not getattr(granted, attr)
        ]
        if missing:
            lacking.append(f"{guild.get('name', '?')} ({guild['id']}): {', '.join(missing)}")
    if lacking:
        return fail(
            "discord.permissions",
            "missing permission(s) in " + "; ".join(lacking),
            "In Server Settings, Roles, give the bot's role "
            + ", ".join(DISCORD_PERMISSIONS.values())
            + " (or re-invite it with them); a channel's own overrides can still take them "
            "away there.",
        )
    return ok(
        "discord.permissions",
        f"{', '.join(DISCORD_PERMISSIONS.values())} in all {len(guilds)} server(s)",
    )


# -- files and defaults ------------------------------------------------------------------------


def check_pushes(path: str | None) -> Check:
    if not path:
        return skip("pushes", "no scheduled pushes (IEPBOT_PUSHES and --pushes unset)")
    from bots.adapters import PLATFORMS
    from content.loader import load_library
    from scheduler.pushes.config import load_pushes

    pushes, issues = load_pushes(Path(path), load_library(), PLATFORMS)
    if issues:
        return fail(
            "pushes",
            f"{Path(path).name}: {len(issues)} problem(s): " + "; ".join(str(i) for i in issues),
            "Correct the file (`iepbot pushes check FILE` lists the problems); `iepbot run` "
            "loads none of its pushes until it is valid.",
        )
    return ok("pushes", f"{Path(path).name}: {len(pushes)} scheduled push(es)")


def check_defaults(env: Mapping[str, str]) -> list[Check]:
    from bots.context import DEFAULT_TIMEZONE
    from content.i18n import LANGS
    from scheduler.timing.zones import is_iana_zone

    checks = []
    zone = (env.get(TIMEZONE_ENV) or "").strip()
    if not zone:
        checks.append(ok("defaults.timezone", f"{DEFAULT_TIMEZONE} (built in; {TIMEZONE_ENV})"))
    elif is_iana_zone(zone):
        checks.append(ok("defaults.timezone", f"{zone} ({TIMEZONE_ENV})"))
    else:
        checks.append(
            fail(
                "defaults.timezone",
                f"{TIMEZONE_ENV}={zone!r} is not a time zone name",
                "Use an IANA name such as America/Chicago or America/Los_Angeles.",
            )
        )
    lang = (env.get(LANG_ENV) or "").strip()
    if not lang:
        checks.append(ok("defaults.lang", f"en (built in; {LANG_ENV})"))
    elif lang in LANGS:
        checks.append(ok("defaults.lang", f"{lang} ({LANG_ENV})"))
    else:
        checks.append(
            fail(
                "defaults.lang",
                f"{LANG_ENV}={lang!r} is not a language iepbot speaks",
                f"Use one of: {', '.join(LANGS)}.",
            )
        )
    return checks


def check_feeds(env: Mapping[str, str], options: Options) -> Check:
    from urllib.parse import urlsplit

    from bots.run import PUBLIC_URL_ENV

    public = (env.get(PUBLIC_URL_ENV) or "").strip()
    if not public:
        return skip("calendar.feeds", f"calendar feeds are off ({PUBLIC_URL_ENV} unset)")
    parts = urlsplit(public)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return fail(
            "calendar.feeds",
            f"{PUBLIC_URL_ENV} is not an http(s) address",
            "Set it to where people reach this server, e.g. https://iepbot.example.org.",
        )
    if options.health_port is None:
        return fail(
            "calendar.feeds",
            f"{PUBLIC_URL_ENV} is set but the health port is off (--health-port -1)",
            "Feeds are served on the health port: turn it on and publish /calendar/ through "
            "your reverse proxy.",
        )
    return ok(
        "calendar.feeds",
        f"feeds at {parts.scheme}://{parts.netloc}/calendar/... (served on port "
        f"{options.health_port})",
    )


# -- all together ------------------------------------------------------------------------------


async def _guarded(check_id: str, run: Callable[[], Awaitable[list[Check]]]) -> list[Check]:
    """A check that crashes is a failed check, not a doctor that crashes (type only: an
    exception's message may quote a token or a password)."""
    try:
        return await run()
    except Exception as exc:
        return [fail(check_id, f"the check itself failed ({type(exc).__name__})", "Report a bug.")]


async def diagnose(env: Mapping[str, str], options: Options) -> list[Check]:
    database = await asyncio.to_thread(check_database, options.database_url)
    slack = await _guarded("slack.token", lambda: check_slack(env))
    discord_checks = await _guarded("discord.token", lambda: check_discord(env))
    checks = [database, *slack, *discord_checks]
    pushes = options.pushes or env.get("IEPBOT_PUSHES")
    checks.append(await asyncio.to_thread(check_pushes, pushes))
    checks += check_defaults(env)
    checks.append(check_feeds(env, options))
    configured = [c for c in checks if c.id in ("slack.token", "discord.token")]
    if all(c.status == "skip" for c in configured):
        from bots.run import NO_CREDENTIALS

        checks.append(fail("platforms", NO_CREDENTIALS, "See the README, Running it."))
    return checks


MARKS = {"ok": "[ok]  ", "fail": "[FAIL]", "skip": "[skip]"}


def render(checks: list[Check]) -> str:
    lines = []
    for check in checks:
        lines.append(f"{MARKS[check.status]} {check.id}: {check.summary}")
        if check.fix:
            lines.append(f"       fix: {check.fix}")
    failed = sum(c.status == "fail" for c in checks)
    lines.append(
        f"{failed} problem(s) found." if failed else "All checks passed: `iepbot run` is ready."
    )
    return "\n".join(lines)


def run_doctor(env: Mapping[str, str], options: Options, as_json: bool) -> int:
    checks = asyncio.run(diagnose(env, options))
    failed = any(c.status == "fail" for c in checks)
    if as_json:
        payload = {"ok": not failed, "checks": [asdict(c) for c in checks]}
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print(render(checks))
    sys.stdout.flush()
    return 1 if failed else 0
