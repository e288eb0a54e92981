"""Reminder and push delivery to Slack, translated into the core's send errors.

The reminder dispatcher owns retrying and pacing. The Web API client used here therefore has no
retry handlers of its own: slack_sdk's rate-limit handler would sleep on a 429 inside one
``deliver`` call while the dispatcher believes the destination is idle, and a connection-error
retry could post a message twice behind the ledger's back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bots.deliveries import asked_by, delivery_actions
from bots.slack.blocks import CMD_ACTION, actions_blocks, button, section
from bots.slack.dms import DirectChannels
from bots.slack.escape import clip, escape_keep_channels
from bots.slack.installations import Clients, NotInstalled
from bots.slack.syntax import SYNTAX
from scheduler.delivery.limits import PlatformLimits, Rate
from scheduler.delivery.messages import (
    Outgoing,
    PermanentSendError,
    RateLimited,
    TransientSendError,
)

log = logging.getLogger(__name__)

# Slack answers these with HTTP 200 and ok=false, yet they are worth another try.
TRANSIENT_CODES = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
TEXT_MAX = 3900  # Slack truncates at 40,000; a reminder is at most 1,000 plus our wording
# Message metadata naming the ledger row a post belongs to (ids only, no text), so a new leader
# can look up whether a send cut short by a crash reached the channel (``landed``).
DELIVERY_EVENT = "iepbot_delivery"
HISTORY_SLACK_SECONDS = 5.0
STALE_DM = "channel_not_found"


def delivery_key(message: Outgoing) -> str | None:
    if message.reminder_id is None or message.fire_at is None:
        return None
    return f"{message.reminder_id}:{int(message.fire_at.timestamp())}"


Delivered = Callable[[Outgoing], Awaitable[None]]


def message_args(text: str) -> dict[str, Any]:
    """chat.postMessage arguments for text that may contain user input: escaped, with mention
    parsing, name linking and unfurls off."""
    return {
        "text": escape_keep_channels(clip(text, TEXT_MAX)),
        "parse": "none",
        "link_names": False,
        "unfurl_links": False,
        "unfurl_media": False,
    }


def delivery_args(message: Outgoing) -> dict[str, Any]:
    """chat.postMessage arguments for a reminder: the text, who set it (a mention Slack shows
    as the name; mentions are off, so nobody is pinged) and its buttons, each an action_id
    with a router command as value, which the app's button listener runs for the presser."""
    args = message_args(message.text)
    header = asked_by(message, lambda user: escape_keep_channels(SYNTAX.write_user(user)))
    if header is not None:
        args["text"] = f"{header}\n{args['text']}"
    actions = delivery_actions(message)
    if actions:
        elements = [
            button(a.label, f"{CMD_ACTION}{i}", a.command, a.style) for i, a in enumerate(actions)
        ]
        args["blocks"] = [section(args["text"]), *actions_blocks(elements, "reminder")]
    return args


def send_error(exc: Exception) -> Exception:
    """The core's error for a Slack failure; its code never contains message text."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = getattr(response, "status_code", 200) or 200
        code = str(response.get("error") or f"http_{status}") if response else "unknown"
        if status == 429:
            headers = {k.lower(): v for k, v in (response.headers or {}).items()}
            try:
                retry_after = float(headers.get("retry-after", "1"))
            except ValueError:
                retry_after = 1.0
            return RateLimited(retry_after)
        if status >= 500 or code in TRANSIENT_CODES:
            return TransientSendError(code)
        return PermanentSendError(code)
    if isinstance(exc, NotInstalled):
        return PermanentSendError("not_installed")
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ClientError | SlackClientError | OSError):
        return TransientSendError(type(exc).__name__)
    return exc


class SlackNotifier:
    """Posts reminders with chat.postMessage: personal ones to the user's DM with the app.

    With many workspaces, each message goes out with its own workspace's bot token (picked by
    ``message.workspace_id``); a workspace that uninstalled iepbot is a permanent failure.
    """

    platform = "slack"
    # chat.postMessage: about one message per second per channel, short bursts above that
    # tolerated (https://api.slack.com/docs/rate-limits, "Posting messages"). The burst of 3
    # is our choice; a 429's Retry-After overrides both. Slack publishes no fixed
    # workspace-wide figure, so that one is learned from 429s only.
    limits = PlatformLimits(destination=Rate(burst=3, per_second=1.0))

    def __init__(
        self,
        clients: Clients | AsyncWebClient,
        on_delivered: Delivered | None = None,
        dms: DirectChannels | None = None,
    ) -> None:
        if isinstance(clients, AsyncWebClient):
            client = clients
            clients = Clients(lambda _token: client, token=client.token or "-")
        self.clients = clients
        self.on_delivered = on_delivered
        # (workspace, user) -> DM channel id, mostly learned when the reminder was set
        self.dms = dms if dms is not None else DirectChannels()

    async def _channel(self, message: Outgoing) -> tuple[AsyncWebClient, str]:
        workspace = message.workspace_id or ""
        client = await self.clients.get(workspace)
        if message.target_kind == "user":
            return client, await self.dms.channel(client, workspace, message.target_id)
        return client, message.target_id

    async def deliver(self, message: Outgoing) -> None:
        try:
            client, channel = await self._channel(message)
            extra: dict[str, Any] = {}
            key = delivery_key(message)
            if key is not None:
                extra["metadata"] = {"event_type": DELIVERY_EVENT, "event_payload": {"id": key}}
            args = delivery_args(message)
            try:
                await client.chat_postMessage(channel=channel, **args, **extra)
            except SlackApiError as exc:
                if message.target_kind != "user" or exc.response.get("error") != STALE_DM:
                    raise
                # A kept DM id Slack no longer knows (nothing was posted): ask for it afresh.
                workspace = message.workspace_id or ""
                channel = await self.dms.open(client, workspace, message.target_id)
                await client.chat_postMessage(channel=channel, **args, **extra)
        except Exception as exc:
            mapped = send_error(exc)
            if mapped is exc:
                raise
            log.warning("slack delivery failed: %s", getattr(mapped, "code", type(exc).__name__))
            raise mapped from None
        if self.on_delivered is not None:
            try:
                await self.on_delivered(message)
            except Exception as exc:  # a Home refresh must never fail a delivered reminder
                log.warning("after-delivery hook failed: %s", type(exc).__name__)

    async def landed(self, message: Outgoing, since: datetime) -> bool | None:
        """Is this reminder's post already in its channel? Read back from the channel history
        by its metadata; None when Slack cannot tell us (no history scope, not a member, more
        messages since than one page holds)."""
        key = delivery_key(message)
        if key is None:
            return None
        try:
            client, channel = await self._channel(message)
            history = await client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp() - HISTORY_SLACK_SECONDS:.6f}",
                limit=200,
                include_all_metadata=True,
            )
        except Exception as exc:
            log.warning("slack history check failed: %s", type(exc).__name__)
            return None
        for posted in history.get("messages") or []:
            meta = posted.get("metadata") or {}
            if (
                meta.get("event_type") == DELIVERY_EVENT
                and (meta.get("event_payload") or {}).get("id") == key
            ):
                return True
        return None if history.get("has_more") else False
