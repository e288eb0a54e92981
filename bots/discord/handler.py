"""Turn an interaction into an Asker and router text, and the router's Reply into a response.

Every command defers first: Discord forgets an interaction not answered within 3 seconds (error
10062), and the router may touch the store. Only autocomplete answers directly, as it must.
Replies are ephemeral: lookups, lists and confirmations concern the person who asked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import discord

from bots.context import Context
from bots.discord.notifier import CANNOT_DM, DiscordNotifier
from bots.discord.render import render
from bots.discord.views import locale_lang
from bots.preferences import lang_of
from bots.replies import Reply, ReplyKind, Section
from bots.router import route
from bots.verbs.declare import Verb, invoke
from content.i18n import N_, norm_lang, tr
from scheduler.identity import Asker

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()
DM_HELLO = N_("👋 This is where I will send your iepbot reminders.")
DM_BLOCKED = (
    N_("I can't send you direct messages"),
    N_(
        "Your reminder{which} is kept, but it can't reach you until you allow direct messages "
        "from this server's members (server menu → Privacy Settings). Or set it for a channel "
        "with the `to` option."
    ),
)
__all__ = ["DM_BLOCKED", "DM_HELLO", "Handler", "locale_lang"]


class Handler:
    """The adapter's per-process logic, shared by commands, buttons and autocomplete."""

    def __init__(
        self,
        ctx: Context,
        notifier: DiscordNotifier,
        *,
        admin_role: str | None = None,
        get_channel: Callable[[int], object | None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.notifier = notifier
        self.admin_role = (admin_role or "").strip() or None
        self.get_channel = get_channel
        self._dm_ok: set[int] = set()

    # --- who is asking --------------------------------------------------------------------

    def _has_admin_role(self, user: discord.abc.User) -> bool:
        if self.admin_role is None or not isinstance(user, discord.Member):
            return False
        if self.admin_role.isdigit():
            # Role ids come with the interaction's member payload; no cache needed.
            return int(self.admin_role) in getattr(user, "_roles", ())
        return any(role.name == self.admin_role for role in user.roles)

    def is_admin(self, interaction: discord.Interaction) -> bool:
        """Manage Server, or the configured role; never in DMs (there is no server there)."""
        if interaction.guild_id is None:
            return False
        return interaction.permissions.manage_guild or self._has_admin_role(interaction.user)

    def asker(self, interaction: discord.Interaction) -> Asker:
        return Asker(
            platform="discord",
            user_id=str(interaction.user.id),
            workspace_id=str(interaction.guild_id) if interaction.guild_id else "dm",
            channel_id=str(interaction.channel_id) if interaction.channel_id else None,
            is_admin=self.is_admin(interaction),
            lang=locale_lang(interaction.locale),
        )

    def channel_check(self, asker: Asker, channel_id: str) -> bool:
        """Posting to a channel (reminders, tracked deadlines) is for server managers only, and
        only to a channel of the server the command came from, when the cache knows it."""
        if not asker.is_admin:
            return False
        if self.get_channel is not None and channel_id.isdigit():
            channel = self.get_channel(int(channel_id))
            guild = getattr(channel, "guild", None)
            if guild is not None and str(guild.id) != asker.workspace_id:
                return False
        return True

    def install_channel_check(self) -> None:
        """Chain onto the shared context: Slack's check keeps answering for Slack askers."""
        previous = self.ctx.channel_check

        def check(asker: Asker, channel_id: str) -> bool:
            if asker.platform == "discord":
                return self.channel_check(asker, channel_id)
            return previous(asker, channel_id) if previous is not None else True

        self.ctx.channel_check = check

    # --- answering ------------------------------------------------------------------------

    async def send(
        self, interaction: discord.Interaction, reply: Reply, *, ephemeral: bool = True
    ) -> None:
        """Send a reply whether or not the interaction was answered (deferred) yet."""
        rendered = render(reply, interaction.user.id)
        kwargs = rendered.send_kwargs()
        if interaction.response.is_done():
            await interaction.followup.send(ephemeral=ephemeral, **kwargs)  # type: ignore[arg-type]
        else:
            await interaction.response.send_message(ephemeral=ephemeral, **kwargs)  # type: ignore[arg-type]

    async def lang(self, interaction: discord.Interaction) -> str:
        """The presser's language for words the adapter adds itself (refusals, DM notices):
        their setting if they made one, else the client's locale."""
        asker = self.asker(interaction)
        try:
            return norm_lang(await asyncio.to_thread(lang_of, self.ctx, asker))
        except Exception as exc:  # a store hiccup costs the language, not the answer
            log.warning("language lookup failed: %s", type(exc).__name__)
            return norm_lang(asker.lang)

    async def refuse(
        self, interaction: discord.Interaction, title: str, hint: str | None = None
    ) -> None:
        """A bad option, answered at once: nothing was routed, nothing stored. ``title`` and
        ``hint`` are catalogue msgids (marked with N_ by the caller), translated here."""
        lang = await self.lang(interaction)
        reply = Reply(
            kind=ReplyKind.ERROR,
            title=tr(lang, title),
            sections=[Section(tr(lang, hint))] if hint else [],
            lang=lang,
        )
        await self.send(interaction, reply)

    async def run(
        self, interaction: discord.Interaction, text: str, *, dm_target: bool = False
    ) -> Reply:
        """Route a command line (a button's) for the interaction's user and answer privately."""
        return await self._answer(
            interaction, lambda asker: route(self.ctx, text, asker), dm_target
        )

    async def call(
        self,
        interaction: discord.Interaction,
        verb: Verb,
        values: dict[str, Any],
        *,
        dm_target: bool = False,
    ) -> Reply:
        """Call a declared verb with typed option values and answer privately.

        ``dm_target``: the command sets something that will be delivered by DM, so check once
        that a DM can reach this person and say so here if not (the reminder is kept)."""
        return await self._answer(
            interaction, lambda asker: invoke(self.ctx, verb, asker, values), dm_target
        )

    async def _answer(
        self,
        interaction: discord.Interaction,
        work: Callable[[Asker], Reply],
        dm_target: bool,
    ) -> Reply:
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        asker = self.asker(interaction)
        reply = await asyncio.to_thread(work, asker)
        await self.send(interaction, reply)
        # The reply already carries the asker's language: no second store read before the DMs.
        if dm_target and reply.ok:
            await self._probe_dm(interaction, reply.lang)
        await self._tell_blocked(interaction, reply.lang)
        return reply

    async def run_button(self, interaction: discord.Interaction, command: str) -> None:
        await self.run(interaction, command)

    # --- DMs ------------------------------------------------------------------------------

    async def _probe_dm(self, interaction: discord.Interaction, lang: str = "en") -> None:
        """Discord cannot tell whether a DM would arrive without sending one, so the first
        personal reminder a person sets (per process) is followed by a short hello DM."""
        user_id = interaction.user.id
        if user_id in self._dm_ok:
            return
        try:
            channel = await self.notifier.open_dm(user_id)
            await channel.send(tr(lang, DM_HELLO), allowed_mentions=NONE)
        except discord.Forbidden as exc:
            if exc.code == CANNOT_DM:
                self.notifier.blocked[user_id] = None
            else:
                log.warning("DM check failed with Discord error %s", exc.code)
        except (discord.HTTPException, OSError) as exc:
            log.warning("DM check failed: %s", type(exc).__name__)
        else:
            self._dm_ok.add(user_id)
            self.notifier.blocked.pop(user_id, None)

    async def _tell_blocked(self, interaction: discord.Interaction, lang: str = "en") -> None:
        user_id = interaction.user.id
        if user_id not in self.notifier.blocked:
            return
        reminder_id = self.notifier.blocked.pop(user_id)
        self._dm_ok.discard(user_id)
        which = f" #{reminder_id}" if reminder_id is not None else ""
        reply = Reply(
            kind=ReplyKind.ERROR,
            title=tr(lang, DM_BLOCKED[0]),
            sections=[Section(tr(lang, DM_BLOCKED[1], which=which))],
            lang=lang,
        )
        await self.send(interaction, reply)
