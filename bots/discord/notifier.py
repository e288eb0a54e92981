"""Reminder and push delivery to Discord: channel messages and DMs, with mentions off.

Rate limits are handled in two layers on purpose. discord.py already queues per route bucket and
retries a 429 after the Retry-After Discord gives (and pauses everything on a global limit), which
is the most precise place to do it, so short waits are left to it. It is built with
``max_ratelimit_timeout``: a wait longer than that makes it raise instead of sleeping, and after
five 429s in a row it gives up. Both become the core's ``RateLimited``, so the dispatcher pauses
that destination (or, for a global limit, the whole platform) and retries later, with the ledger
saying "claimed", not "sending". Server errors discord.py has already retried become
``TransientSendError``; what Discord will never accept becomes ``PermanentSendError``.

discord.py keeps its bucket state to itself, so the dispatcher would otherwise only know the
published figures and hand discord.py sends that then sit in its queue, holding a dispatcher
slot while other channels wait. The notifier therefore watches the answers to its own message
posts (an aiohttp trace, ``http_trace``, given to the client) and reports Discord's
``X-RateLimit-*`` headers to the dispatcher: a channel whose bucket is empty is held until it
resets, and a global 429 holds every send. discord.py still does its own waiting and retrying.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace

import aiohttp
import discord

from bots.deliveries import asked_by, delivery_actions
from bots.discord.render import STYLES, safe_content
from bots.discord.syntax import SYNTAX
from bots.discord.views import button_for
from scheduler.delivery.limits import LimitReport, PlatformLimits, Window
from scheduler.delivery.messages import (
    Outgoing,
    PermanentSendError,
    RateLimited,
    TransientSendError,
)

log = logging.getLogger(__name__)

# Discord JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
CANNOT_DM = 50007
UNKNOWN_CHANNEL = 10003
UNKNOWN_USER = 10013
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
CLOSED_SESSION = "Session is closed"  # aiohttp's words, raised before any request is made
RATE_LIMIT_TIMEOUT = 30.0  # discord.py's minimum for max_ratelimit_timeout
# The destination the current task is delivering to: the trace sees only URLs, and a DM's
# channel id is not the user id the dispatcher keys it by.
_delivering: contextvars.ContextVar[_Posting | None] = contextvars.ContextVar(
    "iepbot_discord_delivering", default=None
)


@dataclass
class _Posting:
    """One delivery under way: where to, and set once Discord has accepted the post."""

    destination: tuple[str, str, str]
    accepted: asyncio.Event = field(default_factory=asyncio.Event)


def _number(headers: Mapping[str, str], name: str, kind: Callable[[str], float]) -> float | None:
    try:
        value = headers.get(name)
        return None if value is None else kind(value)
    except ValueError:
        return None


def limit_report(
    destination: tuple[str, str, str], status: int, headers: Mapping[str, str]
) -> LimitReport | None:
    """What one answer's rate-limit headers say, or None when it has none."""
    remaining = _number(headers, "X-RateLimit-Remaining", int)
    retry_after = _number(headers, "Retry-After", float) if status == 429 else None
    if remaining is None and retry_after is None:
        return None
    global_limit = (
        str(headers.get("X-RateLimit-Global", "")).lower() == "true"
        or headers.get("X-RateLimit-Scope") == "global"
    )
    limit = _number(headers, "X-RateLimit-Limit", int)
    return LimitReport(
        destination,
        scope="platform" if global_limit else "destination",
        limit=None if global_limit or limit is None else int(limit),
        remaining=None if global_limit or remaining is None else int(remaining),
        reset_after=_number(headers, "X-RateLimit-Reset-After", float),
        retry_after=retry_after,
    )


def _retry_after(exc: discord.HTTPException) -> tuple[float, bool]:
    headers = getattr(exc.response, "headers", None) or {}
    try:
        wait = float(headers.get("Retry-After", "1"))
    except ValueError:
        wait = 1.0
    return wait, str(headers.get("X-RateLimit-Global", "")).lower() == "true"


def send_error(exc: BaseException) -> Exception:
    """The core's error for what discord.py raised; codes only, never message text."""
    if isinstance(exc, discord.RateLimited):
        return RateLimited(exc.retry_after)
    if isinstance(exc, discord.Forbidden):
        if exc.code == CANNOT_DM:
            return PermanentSendError("dm_blocked")
        if exc.code == MISSING_PERMISSIONS:
            return PermanentSendError("missing_permissions")
        return PermanentSendError("forbidden")
    if isinstance(exc, discord.NotFound):
        if exc.code == UNKNOWN_USER:
            return PermanentSendError("user_not_found")
        return PermanentSendError("channel_not_found")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            wait, global_limit = _retry_after(exc)
            return RateLimited(wait, global_limit=global_limit)
        if exc.status >= 500:
            return TransientSendError(f"http_{exc.status}")
        return PermanentSendError(f"http_{exc.status}_{exc.code}")
    if isinstance(exc, aiohttp.ClientError | OSError | TimeoutError):
        return TransientSendError(type(exc).__name__)
    return TransientSendError("unexpected")


def delivery_view(message: Outgoing) -> discord.ui.View | None:
    """The delivered reminder's buttons: persistent dynamic items (custom_id ``iep:0:done 42
    at=...``) that work after a restart. Owner 0 lets the press through to the verb, which
    allows the reminder's owner and the person it is for, and refuses anyone else privately."""
    buttons = [
        button_for(a.label, a.command, 0, STYLES.get(a.style)) for a in delivery_actions(message)
    ]
    kept = [b for b in buttons if b is not None]
    if not kept:
        return None
    view = discord.ui.View(timeout=None)
    for item in kept:
        view.add_item(item)
    return view


def delivery_content(message: Outgoing) -> str:
    header = asked_by(message, SYNTAX.write_user)
    text = safe_content(message.text)
    return f"{header}\n{text}" if header is not None else text


class DiscordNotifier:
    """The dispatcher's way into Discord. ``client`` is set by the adapter once it exists."""

    platform = "discord"
    # Messages: 5 per 5 s per channel, and 50 requests a second for the whole bot
    # (https://support-dev.discord.com/hc/en-us/articles/6223003921559-My-Bot-is-Being-Rate-Limited).
    # Discord says not to rely on fixed figures: its 429s (Retry-After, X-RateLimit-Global)
    # override these, and discord.py also waits on its own bucket headers.
    limits = PlatformLimits(destination=Window(5, 5.0), platform=Window(50, 1.0))

    def __init__(self, client: discord.Client | None = None) -> None:
        self.client = client
        # Set by the dispatcher: where what Discord says about its limits goes.
        self.limit_reports: Callable[[LimitReport], None] | None = None
        self._finishing: set[asyncio.Future[None]] = set()  # accepted posts still returning
        self.http_trace = aiohttp.TraceConfig()
        self.http_trace.on_request_end.append(self._answered)
        # Users whose DMs failed with 50007, and the reminder that could not reach them: the
        # adapter tells them privately on their next command. Kept in memory only: the ledger
        # already records the failure, this is just the nudge.
        self.blocked: dict[int, int | None] = {}

    def _ready(self) -> discord.Client:
        client = self.client
        if client is None or client.user is None or client.is_closed():
            raise TransientSendError("not_connected")
        return client

    async def open_dm(self, user_id: int) -> discord.DMChannel:
        """The DM channel with a user (POST /users/@me/channels; cached by discord.py)."""
        return await self._ready().create_dm(discord.Object(user_id))

    async def _answered(
        self,
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        """An answer reached discord.py: pass on its limit headers if it was a delivery's
        message post (DM opens and interactions have buckets of their own)."""
        posting = _delivering.get()
        if posting is None or not params.url.path.endswith("/messages"):
            return
        status = params.response.status
        report_to = self.limit_reports
        if report_to is not None:
            report = limit_report(posting.destination, status, params.response.headers)
            if report is not None:
                report_to(report)
        if 200 <= status < 300:
            posting.accepted.set()

    async def deliver(self, message: Outgoing) -> None:
        """Post, and return as soon as Discord has accepted it. When that post used the
        channel's last request of its window, discord.py sits out the reset (up to 5 s)
        before ``send`` returns; the message is out, so the ledger should say so now and the
        dispatcher's slot go to another channel. The call finishes in the background."""
        posting = _Posting(message.destination)
        token = _delivering.set(posting)
        try:
            sending = asyncio.ensure_future(self._deliver(message))  # copies the context
        finally:
            _delivering.reset(token)
        accepted = asyncio.ensure_future(posting.accepted.wait())
        try:
            await asyncio.wait({sending, accepted}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            sending.cancel()
            raise
        finally:
            accepted.cancel()
        if sending.done():
            return sending.result()
        self._finishing.add(sending)
        sending.add_done_callback(self._finished)
        return None

    @property
    def finishing(self) -> int:
        """Posts Discord accepted whose ``send`` has not returned yet (sitting out a reset)."""
        return len(self._finishing)

    def _finished(self, task: asyncio.Future[None]) -> None:
        self._finishing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("discord post finished with %s", type(task.exception()).__name__)

    async def _deliver(self, message: Outgoing) -> None:
        client = self._ready()
        try:
            target_id = int(message.target_id)
        except ValueError:
            raise PermanentSendError("bad_target") from None
        try:
            if message.target_kind == "user":
                channel: discord.abc.Messageable = await self.open_dm(target_id)
            else:
                channel = client.get_partial_messageable(target_id)
            view = delivery_view(message)
            extra = {"view": view} if view is not None else {}
            await channel.send(
                delivery_content(message),
                allowed_mentions=discord.AllowedMentions.none(),
                **extra,  # type: ignore[arg-type]
            )
        except RuntimeError as exc:
            if str(exc) != CLOSED_SESSION:
                raise
            # The client is closing (a deposed leader): nothing left the process. Retried, or
            # left to the next leader, rather than settled as uncertain.
            raise TransientSendError("client_closed") from None
        except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            error = send_error(exc)
            if (
                isinstance(error, PermanentSendError)
                and error.code == "dm_blocked"
                and message.target_kind == "user"
            ):
                self.blocked[target_id] = message.reminder_id
            raise error from None
