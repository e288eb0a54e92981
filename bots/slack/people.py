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

from scheduler.identity import Asker

log = logging.getLogger(__name__)

PROFILE_TTL = 600.0
MEMBERS_TTL = 60.0
FAILED_TTL = 30.0
MAX_MEMBER_PAGES = 50
_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_ERRORS = (SlackApiError, SlackClientError, asyncio.TimeoutError, OSError)


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


class Directory:
    """A cache in front of users.info, usergroups.users.list and conversations.members."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        admin_group: str | None = None,
        ttl: float = PROFILE_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.admin_group = (admin_group or "").strip().lstrip("@") or None
        self.ttl = ttl
        self.clock = clock
        self._profiles: dict[str, tuple[float, Profile]] = {}
        self._group: tuple[float, frozenset[str]] | None = None
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._inflight: dict[str, asyncio.Future[Profile]] = {}

    def _fresh(self, stamp: float, ttl: float) -> bool:
        return self.clock() - stamp < ttl

    def cached(self, user_id: str) -> Profile | None:
        found = self._profiles.get(user_id)
        return found[1] if found and self._fresh(found[0], self.ttl) else None

    def forget(self, user_id: str) -> None:
        """Drop a cached profile (after `/iep forget`, nothing about the user stays here)."""
        self._profiles.pop(user_id, None)

    async def profile(self, user_id: str) -> Profile:
        """The user's profile, fetched once per TTL even when requests arrive together."""
        found = self.cached(user_id)
        if found is not None:
            return found
        pending = self._inflight.get(user_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Profile] = asyncio.get_running_loop().create_future()
        self._inflight[user_id] = future
        try:
            profile, ttl = await self._fetch(user_id)
            self._profiles[user_id] = (self.clock() - (self.ttl - ttl), profile)
            future.set_result(profile)
            return profile
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: nobody else may be waiting
            raise
        finally:
            self._inflight.pop(user_id, None)

    async def _fetch(self, user_id: str) -> tuple[Profile, float]:
        try:
            answer = await self.client.users_info(user=user_id, include_locale=True)
        except _ERRORS as exc:
            # Fail closed on rights, open on comfort: no admin, default timezone; retry soon.
            log.warning("users.info failed: %s", error_code(exc))
            return Profile(), FAILED_TTL
        user = answer.get("user") or {}
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        if not admin and self.admin_group:
            admin = user_id in await self.group_members()
        tz = user.get("tz")
        return Profile(
            tz if isinstance(tz, str) and tz else None, _lang(user.get("locale")), admin
        ), (self.ttl)

    async def group_members(self) -> frozenset[str]:
        """Members of the configured admin user group (by id `S0...` or by handle)."""
        if self._group and self._fresh(self._group[0], self.ttl):
            return self._group[1]
        members: frozenset[str] = frozenset()
        try:
            group_id = await self._group_id()
            if group_id:
                answer = await self.client.usergroups_users_list(usergroup=group_id)
                members = frozenset(answer.get("users") or [])
        except _ERRORS as exc:
            log.warning("usergroups lookup failed: %s", error_code(exc))
            return members
        self._group = (self.clock(), members)
        return members

    async def _group_id(self) -> str | None:
        name = self.admin_group
        if not name or _GROUP_ID.match(name):
            return name
        answer = await self.client.usergroups_list()
        for group in answer.get("usergroups") or []:
            if group.get("handle") == name or group.get("name") == name:
                return str(group["id"])
        log.warning("admin user group not found")
        return None

    async def asker(self, team_id: str, user_id: str, channel_id: str | None) -> Asker:
        profile = await self.profile(user_id)
        return self._asker(team_id, user_id, channel_id, profile)

    def quick_asker(self, team_id: str, user_id: str, channel_id: str | None) -> Asker:
        """For lookups: no Slack call; unknown profile means defaults (and no admin rights)."""
        return self._asker(team_id, user_id, channel_id, self.cached(user_id) or Profile())

    @staticmethod
    def _asker(team_id: str, user_id: str, channel_id: str | None, profile: Profile) -> Asker:
        return Asker(
            platform="slack",
            user_id=user_id,
            workspace_id=team_id,
            channel_id=channel_id,
            is_admin=profile.is_admin,
            lang=profile.lang,
            timezone=profile.timezone,
        )

    async def is_member(self, user_id: str, channel_id: str) -> bool:
        """Whether the user is in the channel. Unknown (an API error) counts as no."""
        found = self._members.get(channel_id)
        if found is None or not self._fresh(found[0], MEMBERS_TTL):
            members: set[str] = set()
            cursor: str | None = None
            try:
                for _ in range(MAX_MEMBER_PAGES):
                    answer = await self.client.conversations_members(
                        channel=channel_id, limit=1000, cursor=cursor
                    )
                    members.update(answer.get("members") or [])
                    if user_id in members:
                        break  # enough to answer; do not cache a partial list
                    cursor = (answer.get("response_metadata") or {}).get("next_cursor") or None
                    if not cursor:
                        self._members[channel_id] = (self.clock(), frozenset(members))
                        break
            except _ERRORS as exc:
                log.info("conversations.members failed: %s", error_code(exc))
                return False
            return user_id in members
        return user_id in found[1]


def error_code(exc: BaseException) -> str:
    """An error label for logs: Slack's error code or the exception type, never message text."""
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return str(exc.response.get("error") or type(exc).__name__)
    return type(exc).__name__
