"""A reminder sent while the Discord client is closing (its leader deposed by a database outage)
never left the process: discord.py raises RuntimeError("Session is closed") before any request.
That is a send to retry (or to leave to the next leader), not an "unexpected" answer settled as
uncertain. Found by the chaos run."""

from __future__ import annotations

import pytest

from bots.discord.notifier import DiscordNotifier
from scheduler.delivery.messages import TransientSendError
from tests.discord.test_delivery import outgoing


async def test_a_send_on_a_closed_session_is_transient(client, fake):
    notifier = DiscordNotifier(client)
    await client.http.close()  # what client.close() does to the HTTP session
    with pytest.raises(TransientSendError) as raised:
        await notifier.deliver(outgoing())
    assert raised.value.code == "client_closed"
    assert fake.channel_messages == []
