"""Who a Slack user is to iepbot: timezone, language and admin rights, and channel membership.

Every command needs an ``Asker``; calling users.info each time would spend Slack's rate limit
(Tier 4) on the same answer, so profiles are cached for ten minutes. Lookups that need neither
a timezone nor admin rights use whatever is cached and never wait for Slack, which keeps the
slash command's acknowledgement fast.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.dms import DirectChannels
from bots.slack.installations import Clients, NotInstalled
from scheduler.identity import Asker

log = logging.getLogger(__name__)

PROFILE_TTL = 600.0
MEMBERS_TTL = 60.0
FAILED_TTL = 30.0
MAX_MEMBER_PAGES = 50
_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_ERRORS = (SlackApiError, SlackClientError, NotInstalled, asyncio.TimeoutError, OSError)


@dataclass(frozen=True)
class Profile:
    timezone: str | None = None
    lang: str | None = None
    is_admin: bool = False


def _lang(locale: str | None) -> str | None:
    if not locale:
        return None
    code = locale.split("-")[0].lower()
    return code if code in ("en", "es") else None


# (workspace, user) or (workspace, channel): with many workspaces, each asks its own Slack.
Key = tuple[str, str]


class Directory:
    """A cache in front of users.info, usergroups.users.list and conversations.members, per
    workspace (each is asked with its own bot token).

    ``walled``: each workspace installed iepbot by itself (OAuth), so every Asker built here
    sees only its own workspace's data (see ``Asker.walled``).
    """

    def __init__(
        self,
        clients: Clients,
        *,
        admin_group: str | None = None,
        walled: bool = False,
        ttl: float = PROFILE_TTL,
        clock: Callable[[], float] = time.monotonic,
        dms: DirectChannels | None = None,
    ) -> None:
        self.clients = clients
        # DM channel ids, shared with the notifier: learned here, used at delivery.
        self.dms = dms if dms is not None else DirectChannels()
        self.admin_group = (admin_group or "").strip().lstrip("@") or None
        self.walled = walled
        self.ttl = ttl
        self.clock = clock
        self._profiles: dict[Key, tuple[float, Profile]] = {}
        self._group: dict[str, tuple[float, frozenset[str]]] = {}
        self._members: dict[Key, tuple[float, frozenset[str]]] = {}
        # (team, channel, user) -> when a "yes" was seen on a partial member list
        self._member_of: dict[tuple[str, str, str], float] = {}
        self._member_lookups: dict[tuple[str, str, str], asyncio.Future[bool]] = {}
        self._inflight: dict[Key, asyncio.Future[Profile]] = {}

    def _fresh(self, stamp: float, ttl: float) -> bool:
        return self.clock() - stamp < ttl

    def cached(self, team_id: str, user_id: str) -> Profile | None:
        found = self._profiles.get((team_id, user_id))
        return found[1] if found and self._fresh(found[0], self.ttl) else None

    def forget(self, team_id: str, user_id: str) -> None:
        """Drop a cached profile (after `/iep forget`, nothing about the user stays here)."""
        self._profiles.pop((team_id, user_id), None)
        self.dms.forget(team_id, user_id)
        for key in [k for k in self._member_of if k[0] == team_id and k[2] == user_id]:
            del self._member_of[key]

    def forget_workspace(self, team_id: str) -> None:
        """Drop everything cached about a workspace (it uninstalled iepbot)."""
        for cache in (self._profiles, self._members, self._member_of):
            for key in [k for k in cache if k[0] == team_id]:
                del cache[key]
        self._group.pop(team_id, None)
        self.dms.forget_workspace(team_id)

    async def profile(self, team_id: str, user_id: str) -> Profile:
        """The user's profile, fetched once per TTL even when requests arrive together."""
        found = self.cached(team_id, user_id)
        if found is not None:
            return found
        key = (team_id, user_id)
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Profile] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            profile, ttl = await self._fetch(team_id, user_id)
            self._profiles[key] = (self.clock() - (self.ttl - ttl), profile)
            future.set_result(profile)
            return profile
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: nobody else may be waiting
            raise
        finally:
            self._inflight.pop(key, None)

    async def _fetch(self, team_id: str, user_id: str) -> tuple[Profile, float]:
        try:
            client = await self.clients.get(team_id)
            answer = await client.users_info(user=user_id, include_locale=True)
        except _ERRORS as exc:
            # Fail closed on rights, open on comfort: no admin, default timezone; retry soon.
            log.warning("users.info failed: %s", error_code(exc))
            return Profile(), FAILED_TTL
        user = answer.get("user") or {}
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        if not admin and self.admin_group:
            admin = user_id in await self.group_members(team_id)
        tz = user.get("tz")
        return Profile(
            tz if isinstance(tz, str) and tz else None, _lang(user.get("locale")), admin
        ), (self.ttl)

    async def group_members(self, team_id: str) -> frozenset[str]:
        """Members of the configured admin user group (by id `S0...` or by handle)."""
        found = self._group.get(team_id)
        if found and self._fresh(found[0], self.ttl):
            return found[1]
        members: frozenset[str] = frozenset()
        try:
            client = await self.clients.get(team_id)
            group_id = await self._group_id(client)
            if group_id:
                answer = await client.usergroups_users_list(usergroup=group_id)
                members = frozenset(answer.get("users") or [])
        except _ERRORS as exc:
            log.warning("usergroups lookup failed: %s", error_code(exc))
            return members
        self._group[team_id] = (self.clock(), members)
        return members

    async def _group_id(self, client: AsyncWebClient) -> str | None:
        name = self.admin_group
        if not name or _GROUP_ID.match(name):
            return name
        answer = await client.usergroups_list()
        for group in answer.get("usergroups") or []:
            if group.get("handle") == name or group.get("name") == name:
                return str(group["id"])
        log.warning("admin user group not found")
        return None

    async def asker(self, team_id: str, user_id: str, channel_id: str | None) -> Asker:
        """``team_id`` is the tenant id (``installations.tenant_of``)."""
        profile = await self.profile(team_id, user_id)
        return self._asker(team_id, user_id, channel_id, profile)

    def quick_asker(self, team_id: str, user_id: str, channel_id: str | None) -> Asker:
        """For lookups: no Slack call; unknown profile means defaults (and no admin rights)."""
        profile = self.cached(team_id, user_id) or Profile()
        return self._asker(team_id, user_id, channel_id, profile)

    def _asker(self, team_id: str, user_id: str, channel_id: str | None, profile: Profile) -> Asker:
        return Asker(
            platform="slack",
            user_id=user_id,
            workspace_id=team_id,
            channel_id=channel_id,
            is_admin=profile.is_admin,
            lang=profile.lang,
            timezone=profile.timezone,
            walled=self.walled,
        )

    async def unreachable(self, user_id: str, team_id: str) -> str | None:
        """Why a reminder for this person could not reach them, or None when it can: a bot,
        a deactivated account, someone outside this workspace, or a DM Slack will not open.
        Asked fresh each time (not from the profile cache): a reminder must not be stored for
        someone who left last week. The reason is a catalogue key, never Slack's text."""
        try:
            client = await self.clients.get(team_id)
            answer = await client.users_info(user=user_id)
        except _ERRORS as exc:
            code = error_code(exc)
            log.info("users.info for a reminder recipient failed: %s", code)
            return "not_found" if code in ("user_not_found", "user_not_visible") else "unknown"
        user = answer.get("user") or {}
        if user.get("is_bot") or user.get("is_app_user") or user_id == "USLACKBOT":
            return "bot"
        if user.get("deleted"):
            return "deactivated"
        home = user.get("team_id")
        if user.get("is_stranger") or (home and team_id and home != team_id):
            return "outside"
        try:
            await self.dms.open(client, team_id, user_id)  # kept for the delivery
        except _ERRORS as exc:
            log.info("conversations.open for a reminder recipient failed: %s", error_code(exc))
            return "no_dm"
        return None

    async def open_dm(self, team_id: str, user_id: str) -> None:
        """Learn the person's DM channel ahead of a reminder's delivery (see ``bots.slack.dms``);
        a failure is only logged: the delivery opens the DM itself."""
        try:
            client = await self.clients.get(team_id)
            await self.dms.channel(client, team_id, user_id)
        except _ERRORS as exc:
            log.info("conversations.open ahead of a reminder failed: %s", error_code(exc))

    async def is_member(self, team_id: str, user_id: str, channel_id: str) -> bool:
        """Whether the user is in the channel. Unknown (an API error) counts as no.

        Answers are cached for ``MEMBERS_TTL`` seconds: a whole member list when Slack gave
        all of it, else the "yes" found on the pages read so far. A burst of channel reminders
        set for one channel asks Slack once, not once per reminder; concurrent asks for the
        same channel share one lookup.
        """
        found = self._members.get((team_id, channel_id))
        if found is not None and self._fresh(found[0], MEMBERS_TTL):
            return user_id in found[1]
        key = (team_id, channel_id, user_id)
        seen = self._member_of.get(key)
        if seen is not None and self._fresh(seen, MEMBERS_TTL):
            return True
        pending = self._member_lookups.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._lookup_members(team_id, user_id, channel_id))
            self._member_lookups[key] = pending
            pending.add_done_callback(lambda _f: self._member_lookups.pop(key, None))
        return await asyncio.shield(pending)

    async def _lookup_members(self, team_id: str, user_id: str, channel_id: str) -> bool:
        members: set[str] = set()
        cursor: str | None = None
        try:
            client = await self.clients.get(team_id)
            for _ in range(MAX_MEMBER_PAGES):
                answer = await client.conversations_members(
                    channel=channel_id, limit=1000, cursor=cursor
                )
                members.update(answer.get("members") or [])
                cursor = (answer.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    self._members[(team_id, channel_id)] = (self.clock(), frozenset(members))
                    break
                if user_id in members:
                    break  # enough to answer; a partial list is not cached as the whole
        except _ERRORS as exc:
            log.info("conversations.members failed: %s", error_code(exc))
            return False
        if user_id in members:
            self._member_of[(team_id, channel_id, user_id)] = self.clock()
            return True
        return False


def error_code(exc: BaseException) -> str:
    """An error label for logs: Slack's error code or the exception type, never message text."""
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return str(exc.response.get("error") or type(exc).__name__)
    return type(exc).__name__
