"""Slack for many workspaces, through bolt and the local fake Slack: two workspaces install
through the OAuth flow (GET /slack/install -> state cookie -> /slack/oauth_redirect), use the bot
side by side without seeing each other's data, and one of them uninstalls."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest

from bots.context import Context
from bots.slack.adapter import SlackAdapter, bot_scopes, from_env
from tests.slack.conftest import CHANNELS, USERS
from tests.slack.fake_slack import (
    CLIENT_ID,
    CLIENT_SECRET,
    SECRET,
    FakeSlack,
    SlackSender,
    Workspace,
)

STATE_COOKIE = "slack-app-oauth-state"


@dataclass
class Multi:
    fake: FakeSlack
    adapter: SlackAdapter
    ctx: Context
    t1: SlackSender
    t2: SlackSender


def oauth_env(fake: FakeSlack) -> dict[str, str]:
    return {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"{fake.url}/api/",
    }


async def install(base: str, code: str) -> tuple[int, str]:
    """What a person's browser does: open the Add to Slack page (which sets the state cookie),
    follow its link to Slack (skipped: the fake hands out ``code``), come back to the redirect
    URL with the code, the state and the cookie. Returns the redirect's status and page."""
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"{base}/slack/install", allow_redirects=False) as page:
            assert page.status == 200, await page.text()
            html = await page.text()
            cookie = page.cookies[STATE_COOKIE].value
        link = unescape(re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', html)[1])
        query = parse_qs(urlparse(link).query)
        assert query["client_id"] == [CLIENT_ID]
        assert set(query["scope"][0].split(",")) == set(bot_scopes())
        [state] = query["state"]
        assert state == cookie
        async with browser.get(
            f"{base}/slack/oauth_redirect",
            params={"code": code, "state": state},
            headers={"Cookie": f"{STATE_COOKIE}={cookie}"},
            allow_redirects=False,
        ) as done:
            return done.status, await done.text()


@pytest.fixture
async def multi(tmp_path) -> AsyncIterator[Multi]:
    from bots.runtime import start_runtime
    from scheduler.delivery.dispatcher import DispatchPolicy

    fake = FakeSlack(
        users={k: dict(v) for k, v in USERS.items()},
        channels={k: list(v) for k, v in CHANNELS.items()},
        workspaces=[
            Workspace("T1", "North School", "UADMIN"),
            Workspace("T2", "South School", "UADMIN"),
        ],
    )
    await fake.start()
    adapter = from_env(oauth_env(fake), {"port": 0, "host": "127.0.0.1"})
    assert adapter is not None and adapter.oauth is not None and adapter.mode == "http"
    runtime = await start_runtime(
        {"slack": adapter.notifier},
        database_url=f"sqlite:///{tmp_path}/t.sqlite3",
        policy=DispatchPolicy(pace=0.01, backoff=0.05, max_backoff=0.2),
    )
    await adapter.start(runtime.ctx)
    for code in ("code-T1", "code-T2"):
        status, page = await install(adapter.base, code)
        assert status == 200, page
    t1 = SlackSender(adapter.url, fake, team="T1")
    t2 = SlackSender(adapter.url, fake, team="T2")
    yield Multi(fake, adapter, runtime.ctx, t1, t2)
    await t1.close()
    await t2.close()
    await adapter.stop()
    await runtime.stop()
    await fake.stop()


async def answer(multi: Multi, sender: SlackSender, text: str, **kwargs) -> str:
    """The text of the bot's answer to a command (on the acknowledgement or the response_url)."""
    before = len(multi.fake.responses)
    reply = await sender.command(text, **kwargs)
    assert reply.status == 200
    if reply.body and reply.body.startswith("{"):
        return str(reply.json())
    found = await multi.fake.wait_response(before + 1)
    return str(found[before])


def reminder_id(text: str) -> int:
    return int(re.search(r"#(\d+)", text)[1])


async def test_install_saves_each_workspace_and_bad_state_is_refused(multi):
    store = multi.adapter.installations
    assert store is not None
    for team, token in (("T1", "xoxb-T1-token"), ("T2", "xoxb-T2-token")):
        bot = await store.async_find_bot(enterprise_id=None, team_id=team)
        assert bot is not None and bot.bot_token == token
    exchanges = multi.fake.called("oauth.v2.access")
    assert [e["code"] for e in exchanges] == ["code-T1", "code-T2"]
    # A redirect without the browser's state cookie (a forged link) installs nothing.
    multi.fake.workspaces.append(Workspace("T3", "East School", "UADMIN"))
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(
            f"{multi.adapter.base}/slack/oauth_redirect",
            params={"code": "code-T3", "state": "made-up"},
        ) as page,
    ):
        assert page.status == 400
    assert await store.async_find_bot(enterprise_id=None, team_id="T3") is None
    assert len(multi.fake.called("oauth.v2.access")) == 2


async def test_each_request_uses_its_workspaces_token(multi):
    await answer(multi, multi.t1, "reminders")
    await answer(multi, multi.t2, "reminders")
    auths = [c["_auth"] for c in multi.fake.called("users.info")]
    assert "Bearer xoxb-T1-token" in auths and "Bearer xoxb-T2-token" in auths


async def test_a_workspace_that_never_installed_is_told_to_install(multi):
    stranger = SlackSender(multi.adapter.url, multi.fake, team="T9")
    try:
        reply = await stranger.command("reminders")
        assert reply.status == 200
        # bolt's answer for a workspace without an installation; nothing was stored.
        text = reply.body or str(await multi.fake.wait_response())
        assert "reinstall" in text.lower() or "install" in text.lower()
    finally:
        await stranger.close()
    assert multi.ctx.store.list_reminders_for_owner("slack", "U1") == []


async def test_reminders_are_invisible_and_untouchable_from_another_workspace(multi):
    # The same user id in both workspaces (as an Enterprise Grid member has) is the hard case.
    made = await answer(multi, multi.t1, "remind me in 3 hours pack the zebra folder")
    rid = reminder_id(made)
    channel = await answer(multi, multi.t1, "remind here in 3 hours walrus meeting")
    cid = reminder_id(channel)

    listed = await answer(multi, multi.t2, "reminders")
    assert "pack the zebra folder" not in listed and "walrus meeting" not in listed
    listed_in_channel = await answer(multi, multi.t2, "reminders", user="U2", channel="C1")
    assert "walrus meeting" not in listed_in_channel

    for who in ("U1", "UADMIN"):  # the owner's id, and an admin of the other workspace
        for command in (f"cancel {rid}", f"snooze {rid} 1d", f"cancel {cid}"):
            said = await answer(multi, multi.t2, command, user=who)
            number = command.split()[1]
            assert f"There is no reminder #{number}" in said, said
            assert "someone else" not in said  # not even its existence leaks

    kept = multi.ctx.store.get_reminder(rid)
    assert kept is not None and kept.status == "active" and kept.workspace_id == "T1"
    assert kept.next_fire_at == (await _fire_time(multi, rid))
    mine = await answer(multi, multi.t1, "reminders")
    assert "pack the zebra folder" in mine and "walrus meeting" in mine


async def _fire_time(multi: Multi, rid: int):
    found = multi.ctx.store.get_reminder(rid)
    return found.next_fire_at if found else None


async def test_settings_and_workspace_defaults_stay_in_their_workspace(multi):
    set_default = await answer(multi, multi.t1, "lang workspace es", user="UADMIN")
    assert "Español" in set_default
    # U2 has no Slack locale: the workspace default decides their language.
    north = await answer(multi, multi.t1, "help", user="U2")
    south = await answer(multi, multi.t2, "help", user="U2")
    assert north != south
    assert "Español" not in await answer(multi, multi.t2, "lang", user="U2")
    assert "Español" in await answer(multi, multi.t1, "lang", user="U2")

    await answer(multi, multi.t1, "timezone Asia/Tokyo", user="U2")
    assert "Asia/Tokyo" in await answer(multi, multi.t1, "timezone", user="U2")
    assert "Asia/Tokyo" not in await answer(multi, multi.t2, "timezone", user="U1")


async def test_tracked_cases_and_calendar_stay_in_their_workspace(multi):
    tracked = await answer(multi, multi.t1, "track consent 2026-12-20 case=AB-7 lead=7d")
    assert "AB-7" in tracked
    assert multi.ctx.store.list_cases("slack", "U1", workspace_id="T1")
    assert multi.ctx.store.list_cases("slack", "U1", workspace_id="T2") == []

    listed = await answer(multi, multi.t2, "reminders")
    assert "AB-7" not in listed
    await answer(multi, multi.t2, "track consent 2026-12-21 case=CD-2 lead=7d")
    await answer(multi, multi.t2, "calendar")
    [done] = await multi.fake.wait_call("files.completeUploadExternal")
    assert done["_auth"] == "Bearer xoxb-T2-token"
    [south_ics] = multi.fake.uploads.values()
    assert b"CD-2" in south_ics and b"AB-7" not in south_ics

    await answer(multi, multi.t1, "calendar")
    await multi.fake.wait_call("files.completeUploadExternal", count=2)
    [north_ics] = [ics for ics in multi.fake.uploads.values() if ics != south_ics]
    assert b"AB-7" in north_ics and b"CD-2" not in north_ics


async def test_forget_in_one_workspace_leaves_the_other(multi):
    await answer(multi, multi.t1, "remind me in 3 hours north note")
    await answer(multi, multi.t2, "remind me in 3 hours south note")
    await answer(multi, multi.t2, "track consent 2026-12-20 case=CD-2")
    gone = await answer(multi, multi.t2, "forget")
    assert "deleted" in gone.lower()
    store = multi.ctx.store
    assert [r.text for r in store.list_reminders_for_owner("slack", "U1")] == ["north note"]
    assert store.list_cases("slack", "U1") == []


async def test_deliveries_use_the_workspaces_own_token(multi):
    await answer(multi, multi.t1, "remind me in 2 seconds north delivery")
    await answer(multi, multi.t2, "remind me in 2 seconds south delivery", user="U2")
    posts = await multi.fake.wait_call("chat.postMessage", count=2, timeout=15)
    [north] = [p for p in posts if "north delivery" in p["text"]]
    [south] = [p for p in posts if "south delivery" in p["text"]]
    assert north["_auth"] == "Bearer xoxb-T1-token"
    assert south["_auth"] == "Bearer xoxb-T2-token"


@pytest.mark.parametrize("event", ["app_uninstalled", "tokens_revoked"])
async def test_uninstalling_removes_the_installation_and_all_its_data(multi, event):
    await answer(multi, multi.t1, "remind me in 3 hours north note")
    await answer(multi, multi.t1, "track consent 2026-12-20 case=AB-7")
    await answer(multi, multi.t1, "lang workspace es", user="UADMIN")
    await answer(multi, multi.t1, "timezone Asia/Tokyo", user="U2")
    await answer(multi, multi.t2, "remind me in 3 hours south note")
    await answer(multi, multi.t2, "track consent 2026-12-20 case=CD-2")
    await answer(multi, multi.t2, "lang workspace es", user="UADMIN")

    payload = {"type": event, "event_ts": "1700000000.000100"}
    if event == "tokens_revoked":
        payload["tokens"] = {"oauth": [], "bot": ["UBOTT1"]}
    reply = await multi.t1.event(payload)
    assert reply.status == 200

    store = multi.ctx.store
    installations = multi.adapter.installations
    assert installations is not None
    deadline = time.monotonic() + 10
    # The event is acknowledged first and handled after: wait for its one transaction.
    while store.list_reminders_for_owner("slack", "U1", workspace_id="T1"):
        assert time.monotonic() < deadline, "the workspace's data was not removed"
        await asyncio.sleep(0.02)
    assert await installations.async_find_installation(enterprise_id=None, team_id="T1") is None
    assert store.list_reminders_for_owner("slack", "U1", workspace_id="T1") == []
    assert store.list_cases("slack", "U1", workspace_id="T1") == []
    assert store.get_settings("slack", "workspace", "T1").lang is None
    assert store.get_settings("slack", "user", "U2").timezone is None
    # The other workspace is untouched, and still works.
    assert "south note" in {
        r.text for r in store.list_reminders_for_owner("slack", "U1", workspace_id="T2")
    }
    assert store.list_cases("slack", "U1", workspace_id="T2")
    assert store.get_settings("slack", "workspace", "T2").lang == "es"
    assert "south note" in await answer(multi, multi.t2, "reminders")
    # The uninstalled workspace is no longer served.
    before = len(multi.fake.called("users.info"))
    late = await multi.t1.command("reminders")
    assert late.status == 200
    assert all(
        c["_auth"] != "Bearer xoxb-T1-token" for c in multi.fake.called("users.info")[before:]
    )
    assert store.list_reminders_for_owner("slack", "U1", workspace_id="T1") == []


def test_oauth_needs_all_three_settings():
    partial = {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}
    assert from_env(partial, {}) is None
    one_school = from_env(
        {**partial, "SLACK_BOT_TOKEN": "xoxb-one", "SLACK_SIGNING_SECRET": SECRET}, {}
    )
    assert one_school is not None and one_school.oauth is None
    many = from_env({**partial, "SLACK_SIGNING_SECRET": SECRET}, {})
    assert many is not None and many.oauth is not None and many.directory.walled
    assert not one_school.directory.walled


async def _uninstalled(multi: Multi, sender: SlackSender, tenant: str, user: str = "U1") -> None:
    """Send app_uninstalled and wait until it has been handled to the end (the profile cache
    is the last thing cleared)."""
    assert multi.adapter.directory.cached(tenant, user) is not None
    assert (await sender.event({"type": "app_uninstalled"})).status == 200
    deadline = time.monotonic() + 10
    while multi.adapter.directory.cached(tenant, user) is not None:
        assert time.monotonic() < deadline, "the uninstall was not handled"
        await asyncio.sleep(0.02)


async def test_a_workspace_can_install_again_after_uninstalling(multi):
    await answer(multi, multi.t1, "reminders")
    await _uninstalled(multi, multi.t1, "T1")
    north = next(w for w in multi.fake.workspaces if w.team_id == "T1")
    north.code, north.token = "code-T1-again", "xoxb-T1-new-token"
    status, page = await install(multi.adapter.base, "code-T1-again")
    assert status == 200, page
    made = await answer(multi, multi.t1, "remind me in 3 hours after the reinstall")
    assert "Reminder #" in made
    assert multi.fake.called("users.info")[-1]["_auth"] == "Bearer xoxb-T1-new-token"


async def test_home_tabs_are_published_with_each_workspaces_token(multi):
    await answer(multi, multi.t1, "remind me in 3 hours north home")
    await answer(multi, multi.t2, "remind me in 3 hours south home")
    wanted = {"Bearer xoxb-T1-token", "Bearer xoxb-T2-token"}
    await multi.fake.wait_for(
        lambda: wanted <= {c["_auth"] for c in multi.fake.called("views.publish")}
    )
    for call in multi.fake.called("views.publish"):
        blocks = str(call["view"]["blocks"])
        if call["_auth"] == "Bearer xoxb-T1-token":
            assert "south home" not in blocks
        else:
            assert "north home" not in blocks


async def test_an_org_wide_grid_install_is_one_tenant_for_its_workspaces(multi):
    multi.fake.workspaces.append(
        Workspace("T5", "Grid Org", "UADMIN", enterprise_id="E1", org_install=True)
    )
    status, page = await install(multi.adapter.base, "code-T5")
    assert status == 200, page
    g5 = SlackSender(multi.adapter.url, multi.fake, team="T5", org="E1")
    g6 = SlackSender(multi.adapter.url, multi.fake, team="T6", org="E1")
    try:
        made = await answer(multi, g5, "remind me in 2 seconds grid delivery")
        rid = reminder_id(made)
        assert multi.ctx.store.get_reminder(rid).workspace_id == "E1"
        # Another workspace of the same organisation: the same installation, the same data.
        assert "grid delivery" in await answer(multi, g6, "reminders", user="U1")
        # A workspace outside the organisation sees nothing of it.
        assert f"There is no reminder #{rid}" in await answer(multi, multi.t1, f"cancel {rid}")
        [post] = await multi.fake.wait_call("chat.postMessage", timeout=15)
        assert "grid delivery" in post["text"]
        assert post["_auth"] == "Bearer xoxb-T5-token"

        await answer(multi, multi.t1, "remind me in 3 hours north stays")
        await _uninstalled(multi, g5, "E1")
        installations = multi.adapter.installations
        assert installations is not None
        assert (
            await installations.async_find_bot(
                enterprise_id="E1", team_id=None, is_enterprise_install=True
            )
            is None
        )
        assert multi.ctx.store.reminders_of_workspace("slack", "E1") == []
        assert "north stays" in await answer(multi, multi.t1, "reminders")
    finally:
        await g5.close()
        await g6.close()


async def test_one_school_mode_uninstall_removes_that_workspaces_data(slack):
    """SLACK_BOT_TOKEN (one workspace): no installation store, but an uninstall still deletes
    what was stored for the workspace."""
    await slack.sender.command("remind me in 3 hours one school note")
    await slack.fake.wait_response()
    store = slack.ctx.store
    assert store.reminders_of_workspace("slack", "T1")
    assert (await slack.sender.event({"type": "app_uninstalled"})).status == 200
    deadline = time.monotonic() + 10
    while store.reminders_of_workspace("slack", "T1"):
        assert time.monotonic() < deadline, "the workspace's data was not removed"
        await asyncio.sleep(0.02)
    assert store.list_reminders_for_owner("slack", "U1", active_only=False) == []
