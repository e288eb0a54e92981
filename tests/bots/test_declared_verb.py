"""Adding a verb is one declaration plus its function: a test-only verb shows up on Slack (the
real bolt app, a signed request), on Discord (the command synced to the fake API, and a real
interaction) and on the console, and is called with typed values on each."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from datetime import date

import pytest

from bots.console import run_console
from bots.context import Context
from bots.discord.adapter import IepClient
from bots.replies import Reply, ReplyKind, Section
from bots.router import route
from bots.verbs.declare import Kind, Param, Verb, register, unregister
from scheduler.identity import Asker, Target
from tests.discord import payloads
from tests.discord.conftest import logged_in_client, running_fake
from tests.discord.fake_discord import FakeDiscord
from tests.discord.test_lookups import dispatch
from tests.slack.conftest import CHANNELS, USERS
from tests.slack.conftest import _started as started_slack
from tests.slack.fake_slack import FakeSlack, SlackSender


def shout_verb(
    ctx: Context, asker: Asker, *, word: str, on: date, to: Target | None = None
) -> Reply:
    """Shows what it was given, typed: a date's weekday, a target's kind and bare id."""
    where = f"{to.kind} {to.id}" if to is not None else "nowhere"
    return Reply(
        kind=ReplyKind.INFO,
        title=f"{word.upper()} on {on:%A %d %B %Y}",
        sections=[Section(f"to {where} ({type(on).__name__})")],
    )


SHOUT = Verb(
    "shout",
    shout_verb,
    "shout iep on=2026-09-15",
    "say a word loudly",
    summary="Say a word loudly",
    params=(
        Param("word", Kind.TERM, "A word", max_length=50),
        Param("on", Kind.DATE, "A day", keyword=True),
        Param("to", Kind.TARGET, "A channel", required=False, keyword=True),
    ),
    cheap=True,
)


@pytest.fixture
def shout() -> Iterator[Verb]:
    register(SHOUT)
    try:
        yield SHOUT
    finally:
        unregister("shout")


async def test_the_console_reads_the_declaration(shout, ctx):
    stdin = io.StringIO("shout iep on=2026-09-15 to=#team\nshout iep on=someday\nhelp\n")
    stdout = io.StringIO()
    assert await run_console(ctx, stdin, stdout) == 0
    out = stdout.getvalue()
    assert "IEP on Tuesday 15 September 2026" in out
    assert "to channel team (date)" in out
    assert "`/iep shout iep on=2026-09-15`: say a word loudly" in out  # help lists it
    # A date the declaration cannot read is refused with the deadline rules' own wording.
    assert "date 'someday' is not a date; write it as YYYY-MM-DD" in out


@pytest.fixture
async def slack_sender(ctx) -> AsyncIterator[SlackSender]:
    fake = FakeSlack(users={k: dict(v) for k, v in USERS.items()}, channels=dict(CHANNELS))
    await fake.start()
    adapter, sender = await started_slack(fake, ctx)
    try:
        yield sender
    finally:
        await sender.close()
        await adapter.stop()
        await fake.stop()


async def test_slack_reads_channel_syntax_into_a_target(shout, slack_sender):
    reply = await slack_sender.command("shout iep on=2026-09-15 to=<#C1|general>")
    assert reply.status == 200
    answer = reply.json()  # cheap: answered inside the acknowledgement
    assert answer["blocks"][0]["text"]["text"] == "IEP on Tuesday 15 September 2026"
    text = "\n".join(b["text"]["text"] for b in answer["blocks"] if b["type"] == "section")
    assert "to channel C1 (date)" in text


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    async with running_fake() as server:
        yield server


@pytest.fixture
async def shout_client(shout, discord_fake, ctx, tmp_path) -> AsyncIterator[IepClient]:
    client = await logged_in_client(ctx, tmp_path / "sync.json")
    try:
        yield client
    finally:
        await client.close()


async def test_discord_builds_typed_options_and_calls_with_typed_values(shout_client, discord_fake):
    fake = discord_fake
    [sync] = fake.syncs
    [iep] = sync.body
    sub = next(o for o in iep["options"] if o["name"] == "shout")
    assert sub["description"] == "Say a word loudly"
    options = {o["name"]: o for o in sub["options"]}
    assert options["word"]["type"] == 3 and options["word"]["autocomplete"] is True
    assert options["word"]["max_length"] == 50 and options["word"]["required"] is True
    assert options["on"]["type"] == 3 and options["on"]["autocomplete"] is True  # a date
    assert options["to"]["type"] == 7 and options["to"]["channel_types"] == [0, 5]
    assert not options["to"].get("required")

    value, resolved = payloads.channel_option()
    [answer] = await dispatch(
        shout_client,
        fake,
        payloads.command(
            "shout",
            word="iep",
            on="9/15/2026",
            to=value,
            resolved=resolved,
            permissions=payloads.EVERYDAY | payloads.MANAGE_GUILD,
        ),
    )
    embed = answer.body["embeds"][0]
    assert embed["title"] == "IEP on Tuesday 15 September 2026"
    assert f"to channel {payloads.OTHER_CHANNEL} (date)" in embed["description"]


def test_admin_only_is_checked_once_for_every_front_end(ctx):
    register(
        Verb("purge", shout_verb, "purge", "admins only", params=SHOUT.params, admin_only=True)
    )
    try:
        parent = Asker(platform="slack", user_id="U1", workspace_id="T1", is_admin=False)
        refused = route(ctx, "purge iep on=2026-09-15", parent)
        assert refused.kind is ReplyKind.ERROR
        assert refused.title == "Only workspace or server admins can use this command"
        admin = Asker(platform="slack", user_id="U2", workspace_id="T1", is_admin=True)
        assert route(ctx, "purge iep on=2026-09-15", admin).title.startswith("IEP on Tuesday")
    finally:
        unregister("purge")
