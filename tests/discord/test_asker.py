"""Who is asking: ids, admin (Manage Server or the configured role), language from locale."""

from __future__ import annotations

import discord
import pytest

from bots.context import Context
from bots.discord.handler import Handler
from bots.discord.notifier import DiscordNotifier
from scheduler.identity import Asker
from tests.discord import payloads

ROLE = "1200000000000000077"


def interaction(client, **kwargs) -> discord.Interaction:
    return discord.Interaction(data=payloads.command("help", **kwargs), state=client._connection)


def test_member_in_a_server(client):
    asker = client.iep.asker(interaction(client))
    assert asker == Asker(
        platform="discord",
        user_id=payloads.PARENT,
        workspace_id=payloads.GUILD,
        channel_id=payloads.CHANNEL,
        is_admin=False,
        lang=None,
    )


@pytest.mark.parametrize(("locale", "lang"), [("es-ES", "es"), ("es-419", "es"), ("en-GB", None)])
def test_language_follows_the_client_locale(client, locale, lang):
    assert client.iep.asker(interaction(client, locale=locale)).lang == lang


def test_manage_server_is_admin(client):
    asker = client.iep.asker(interaction(client, permissions=payloads.MANAGE_GUILD))
    assert asker.is_admin


def test_configured_role_is_admin(client, ctx):
    handler = Handler(ctx, DiscordNotifier(), admin_role=ROLE)
    assert handler.asker(interaction(client, roles=[ROLE])).is_admin
    assert not handler.asker(interaction(client, roles=["1"])).is_admin


def test_dm_is_never_admin(client):
    asker = client.iep.asker(interaction(client, dm=True))
    assert asker.workspace_id == "dm" and not asker.is_admin


def test_channel_check_is_for_admins_and_chains_for_other_platforms(library):
    ctx = Context(library)
    ctx.channel_check = lambda asker, channel: channel == "C-slack-ok"
    handler = Handler(ctx, DiscordNotifier())
    handler.install_channel_check()
    check = ctx.channel_check
    assert check(Asker(platform="slack"), "C-slack-ok")
    assert not check(Asker(platform="slack"), "C-other")
    parent = Asker(platform="discord", user_id="1", workspace_id="9", is_admin=False)
    manager = Asker(platform="discord", user_id="2", workspace_id="9", is_admin=True)
    assert not check(parent, "123")
    assert check(manager, "123")

    class Channel:
        guild = discord.Object(8)

    handler.get_channel = lambda channel_id: Channel()
    assert not check(manager, "123")  # a channel of another server
