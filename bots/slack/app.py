"""The bolt app: `/iep`, its buttons, the modals and the App Home, all on the shared router.

Slack drops a slash command, button or modal that is not acknowledged within 3 seconds, and
``ack()`` only sets the HTTP response. So every listener acknowledges first and works after;
the one exception is a cheap lookup, answered inside the acknowledgement when the router gives
it back within ``ACK_BUDGET`` (one round trip fewer for the most common command), and
otherwise answered through the response_url like everything else.

What a verb is (cheap, shareable, changes the Home tab, shows the list after a button) comes
from its declaration (``bots.verbs.builtin``); a modal submission calls the verb with typed
values. The router is synchronous (it touches the SQL store), so it always runs in a worker
thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bots.context import Context
from bots.deliveries import from_delivery
from bots.preferences import lang_of
from bots.replies import Reply, ReplyKind, Section
from bots.router import route, split_command
from bots.slack import views
from bots.slack.blocks import (
    CMD_ACTION,
    OPEN_REMIND,
    OPEN_TRACK,
    SHARE_ACTION,
    Rendered,
    render,
)
from bots.slack.blocks import context as context_block
from bots.slack.escape import escape_keep_channels, from_slack
from bots.slack.home import HomeRefresher
from bots.slack.installations import Clients, Installations, tenant_of
from bots.slack.people import Directory, error_code
from bots.slack.syntax import SYNTAX
from bots.targets import HERE_WORDS
from bots.verbs.declare import VERBS, Kind, Verb, invoke
from content.i18n import N_, norm_lang, tr
from scheduler.identity import Asker, Target

log = logging.getLogger(__name__)

COMMAND = "/iep"
STATUS_BLOCK = "iep_status"  # the line a delivered reminder gets after a button press
ACK_BUDGET = 1.0  # seconds a lookup may take and still ride on the acknowledgement
VIEW_ACK_BUDGET = 2.2  # a modal submission must be answered in 3 s, network included
# Verbs Slack opens a form for when they come without words (``views`` builds them).
MODAL_VERBS = ("remind", "track")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,20}$")

Route = Callable[[Context, str, Asker], Reply]


# Why a reminder for someone else is refused (``Directory.unreachable``'s reasons).
UNREACHABLE = {
    "bot": N_("I can't remind a bot or an app."),
    "deactivated": N_("That person's account is deactivated, so I can't remind them."),
    "outside": N_("That person is outside this workspace, so I can't remind them."),
    "not_found": N_("I can't find that person in this workspace."),
    "no_dm": N_("I can't send that person a direct message, so I can't remind them."),
    "unknown": N_("I couldn't check that person just now; please try again."),
}


def recipient(raw: str) -> str | None:
    """The person a raw `/iep remind <@U123|name> ...` is for: the first word after the verb,
    read before the text conversion that makes mentions inert."""
    words = raw.strip().split(None, 2)
    if len(words) < 3 or split_command(words[0])[0] != "remind":
        return None
    return SYNTAX.read_user(words[1])


def _to_own_dm(rest: str) -> bool:
    """Whether `remind <rest>` goes to the asker's own DM: no channel (named or `here`) first.
    (A reminder for another person is checked, and its DM opened, before it is set.)"""
    head = rest.strip().split(None, 1)[0].lower() if rest.strip() else ""
    return head not in HERE_WORDS and SYNTAX.read_channel(head) is None


def _verb(name: str) -> Verb | None:
    """The declaration behind a command word; "" (a bare `/iep`) is help."""
    return VERBS.get(name or "help")


def _flag(name: str, flag: str) -> bool:
    verb = _verb(name)
    return bool(verb is not None and getattr(verb, flag))


def _ephemeral(reply: Reply) -> str:
    return "ephemeral" if reply.private else "in_channel"


def _tenant(context: AsyncBoltContext) -> str:
    """The workspace (or Grid organisation, for an org-wide install) a request came from, as
    bolt read it from the request: the key of everything stored for that workspace."""
    return tenant_of(context.enterprise_id, context.team_id, bool(context.is_enterprise_install))


class SlackBot:
    """Listeners bound to one Context; built when `iepbot run` hands the adapter its context.

    ``installations`` (many workspaces): where bolt's OAuth flow keeps each workspace's token;
    an uninstalled workspace's installation goes from there, and ``on_removed`` lets the
    adapter drop what it cached for it.
    """

    def __init__(
        self,
        app: AsyncApp,
        ctx: Context,
        directory: Directory,
        *,
        router: Route = route,
        installations: Installations | None = None,
        on_removed: Callable[[str], None] | None = None,
    ) -> None:
        self.app = app
        self.ctx = ctx
        self.directory = directory
        self.router = router
        self.installations = installations
        self.on_removed = on_removed
        self._tasks: set[asyncio.Task[Any]] = set()
        self.home = HomeRefresher(self.publish_home)
        self._register()

    @property
    def clients(self) -> Clients:
        return self.directory.clients

    async def client(self, workspace_id: str) -> AsyncWebClient:
        """The Web API client with this workspace's bot token."""
        return await self.clients.get(workspace_id)

    # -- plumbing -------------------------------------------------------------------------------
    def _register(self) -> None:
        app = self.app
        app.command(COMMAND)(self.on_command)
        app.action(re.compile(rf"^{CMD_ACTION}\d+$"))(self.on_button)
        app.action(SHARE_ACTION)(self.on_share)
        app.action(OPEN_REMIND)(self.on_open_modal)
        app.action(OPEN_TRACK)(self.on_open_modal)
        for verb in views.form_verbs():
            app.view(views.form_callback(verb))(self.on_submit)
        app.event("app_home_opened")(self.on_home_opened)
        app.event("app_uninstalled")(self.on_uninstalled)
        app.event("tokens_revoked")(self.on_tokens_revoked)

    def spawn(self, work: Awaitable[Any]) -> None:
        """Background work that must outlive the listener, kept referenced until done."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for background work (Home refreshes) to finish; used in tests."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.home.drain()

    async def close(self) -> None:
        """Stopping: background work finishes, except Home refreshes only waiting for their
        turn after a delivery (``HomeRefresher.close``)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.home.close()

    async def run(self, text: str, asker: Asker) -> Reply:
        return await asyncio.to_thread(self.router, self.ctx, text, asker)

    async def lang(self, asker: Asker) -> str:
        """The asker's language for words outside a routed reply (modals, the Home tab); the
        setting lives in the store, so it is read in a worker thread."""
        try:
            return norm_lang(await asyncio.to_thread(lang_of, self.ctx, asker))
        except Exception as exc:  # a store hiccup costs the language, not the answer
            log.warning("language lookup failed: %s", error_code(exc))
            return norm_lang(asker.lang)

    def _today(self, asker: Asker | None) -> datetime:
        zone = UTC
        if asker is not None and asker.timezone:
            try:
                zone = ZoneInfo(asker.timezone)  # from Slack's users.info, not user text
            except (ValueError, KeyError, OSError):
                zone = UTC
        return datetime.now(zone)

    # -- /iep ---------------------------------------------------------------------------------
    async def on_command(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        raw = str(body.get("text") or "")
        text = from_slack(raw)
        verb, rest = split_command(text)
        team, user = _tenant(context), str(body.get("user_id") or "")
        channel = str(body.get("channel_id") or "") or None
        person = recipient(raw) if verb == "remind" else None
        if person is not None and person == user:  # `remind @myself ...` is `remind me ...`
            text = f"remind me {from_slack(raw.strip().split(None, 2)[2])}"
        elif person is not None:
            # Two Slack calls to check the person: acknowledge first (3-second rule).
            await ack()
            refused = await self._unreachable(person, team, user)
            if refused is not None:
                await self._answer(respond, refused, verb, text, channel)
                return
            asker = await self.directory.asker(team, user, channel)
            # The person stays a mention for the router; the rest reads as typed.
            text = f"remind <@{person}> {from_slack(raw.strip().split(None, 2)[2])}"
            reply = await self.run(text, asker)
            await self._answer(respond, reply, verb, text, channel, asker=asker)
            self._after(verb, asker)
            if reply.ok:
                self.refresh_home(person, team)  # it is listed on their Home tab too
            return
        if verb in MODAL_VERBS and not rest:
            await ack()
            asker = self.directory.quick_asker(team, user, channel)
            await self._open_modal(verb, str(body.get("trigger_id") or ""), asker)
            return
        if _flag(verb, "cheap"):
            asker = self.directory.quick_asker(team, user, channel)
            work = asyncio.ensure_future(self.run(text, asker))
            try:
                reply = await asyncio.wait_for(asyncio.shield(work), ACK_BUDGET)
            except TimeoutError:
                await ack()
                reply = await work
                await self._answer(respond, reply, verb, text, channel)
                return
            rendered = self._rendered(reply, verb, text, channel)
            await ack(response_type=_ephemeral(reply), **rendered.payload())
            return
        await ack()
        asker = await self.directory.asker(team, user, channel)
        reply = await self.run(text, asker)
        self._forgotten(verb, asker)
        await self._answer(respond, reply, verb, text, channel, asker=asker)
        self._after(verb, asker)
        if verb == "remind" and reply.ok and _to_own_dm(rest):
            self._learn_dm(asker, asker.user_id)

    async def _unreachable(self, person: str, team: str, user: str) -> Reply | None:
        """A refusal when a reminder for ``person`` could not reach them; None when it can."""
        reason = await self.directory.unreachable(person, team)
        if reason is None:
            return None
        lang = await self.lang(self.directory.quick_asker(team, user, None))
        return Reply(
            kind=ReplyKind.ERROR,
            title=tr(lang, UNREACHABLE.get(reason, UNREACHABLE["unknown"])),
            sections=[Section(tr(lang, "Nothing was saved."))],
            lang=lang,
        )

    def _rendered(
        self, reply: Reply, verb: str, text: str, channel: str | None, status: str | None = None
    ) -> Rendered:
        share = None
        if (
            _flag(verb, "shareable")
            and reply.ok
            and reply.private
            and channel
            and not channel.startswith("D")
        ):
            share = reply.entry_id if reply.kind is ReplyKind.ENTRY and reply.entry_id else text
        return render(reply, share=share, status=status)

    async def _answer(
        self,
        respond: AsyncRespond,
        reply: Reply,
        verb: str,
        text: str,
        channel: str | None,
        *,
        asker: Asker | None = None,
        replace: bool = False,
        status: str | None = None,
    ) -> None:
        if reply.attachment is not None and asker is not None:
            status = await self._send_file(reply, asker)
        rendered = self._rendered(reply, verb, text, channel, status)
        try:
            await respond(
                response_type=_ephemeral(reply), replace_original=replace, **rendered.payload()
            )
        except Exception as exc:  # the response_url expired or Slack refused: log the code only
            log.warning("respond failed: %s", error_code(exc))

    async def _send_file(self, reply: Reply, asker: Asker) -> str:
        """Personal files (tracked deadlines) go to the person's DM with the app, never to the
        channel the command was typed in."""
        attachment = reply.attachment
        assert attachment is not None
        try:
            client = await self.client(asker.workspace_id)
            opened = await client.conversations_open(users=asker.user_id)
            await client.files_upload_v2(
                channel=opened["channel"]["id"],
                content=attachment.content,
                filename=attachment.filename,
                title=attachment.filename,
            )
        except Exception as exc:
            log.warning("file upload failed: %s", error_code(exc))
            return tr(
                reply.lang,
                "I could not send {file}; please try again later.",
                file=attachment.filename,
            )
        return tr(reply.lang, "I sent {file} to you in a direct message.", file=attachment.filename)

    def _forgotten(self, verb: str, asker: Asker) -> None:
        """After `forget` ran, drop what memory holds of the person (profile, DM channel)
        before the reply says it is done, not after it was sent."""
        if verb == "forget":
            self.directory.forget(asker.workspace_id, asker.user_id)

    def _after(self, verb: str, asker: Asker) -> None:
        if _flag(verb, "changes_home"):
            self.refresh_home(asker.user_id, asker.workspace_id)

    # -- buttons ------------------------------------------------------------------------------
    @staticmethod
    def _who(body: dict[str, Any], context: AsyncBoltContext) -> tuple[str, str, str | None]:
        user = body.get("user") or {}
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        return _tenant(context), str(user.get("id") or ""), channel

    async def on_button(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        command = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
        team, user, channel = self._who(body, context)
        asker = await self.directory.asker(team, user, channel)
        verb, rest = split_command(command)
        if verb in MODAL_VERBS and not rest:
            await self._open_modal(verb, str(body.get("trigger_id") or ""), asker)
            return
        reply = await self.run(command, asker)
        self._forgotten(verb, asker)
        container = body.get("container") or {}
        if container.get("type") == "view":  # App Home: no response_url; the tab shows it
            status = reply.title
            if reply.attachment is not None:
                status = await self._send_file(reply, asker)
            self.refresh_home(user, team, status=status)
            self._after(verb, asker)
            return
        original = body.get("message")
        if from_delivery(command) and reply.ok and isinstance(original, dict):
            # The delivered reminder itself says what was done, with the exact new time; its
            # buttons stay (Skip, then Stop), and the ledger stops a second press of one.
            await self._mark_delivered(respond, original, reply)
            self._after(verb, asker)
            return
        # An ephemeral message belongs to the presser and may be replaced; a public one never.
        replace = bool(container.get("is_ephemeral"))
        # A delivered reminder's button answers with its own confirmation (the exact new time),
        # not the list: the delivered message stays as it was, in the DM or channel.
        if _flag(verb, "lists") and not from_delivery(command):
            listing = await self.run("reminders", asker)
            status = (":warning: " if reply.kind is ReplyKind.ERROR else "") + reply.title
            await self._answer(
                respond, listing, "reminders", "reminders", channel, replace=replace, status=status
            )
        else:
            await self._answer(respond, reply, verb, command, channel, asker=asker, replace=replace)
        self._after(verb, asker)

    async def _mark_delivered(
        self, respond: AsyncRespond, original: dict[str, Any], reply: Reply
    ) -> None:
        """Replace a delivered reminder with itself plus one status line (the latest action)."""
        blocks = [b for b in original.get("blocks") or [] if b.get("block_id") != STATUS_BLOCK]
        lines = [reply.title, *(s.text for s in reply.sections)]
        status = context_block(escape_keep_channels("\n".join(lines)))
        try:
            await respond(
                replace_original=True,
                text=str(original.get("text") or reply.title),
                blocks=[*blocks, {**status, "block_id": STATUS_BLOCK}],
            )
        except Exception as exc:  # the response_url expired or Slack refused: log the code only
            log.warning("respond failed: %s", error_code(exc))

    async def on_share(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        command = str(action.get("value") or "")
        team, user, channel = self._who(body, context)
        verb, _ = split_command(command)
        asker = self.directory.quick_asker(team, user, channel)
        reply = await self.run(command, asker)
        if not _flag(verb, "shareable") or not reply.ok:
            await respond(
                response_type="ephemeral",
                replace_original=False,
                text=tr(reply.lang, "That answer cannot be shared any more; ask again with /iep."),
            )
            return
        rendered = render(reply)
        blocks = rendered.blocks
        if _USER_ID.match(user):
            shared = tr(reply.lang, "Shared by {user} with `/iep`", user=f"<@{user}>")
            blocks = [blocks[0], context_block(shared), *blocks[1:49]]
        await respond(
            response_type="in_channel", replace_original=False, text=rendered.text, blocks=blocks
        )

    # -- modals -------------------------------------------------------------------------------
    async def on_open_modal(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        team, user, channel = self._who(body, context)
        verb = "remind" if action.get("action_id") == OPEN_REMIND else "track"
        await self._open_modal(
            verb, str(body.get("trigger_id") or ""), self.directory.quick_asker(team, user, channel)
        )

    async def _open_modal(self, verb: str, trigger_id: str, asker: Asker) -> None:
        today = self._today(asker).date()
        channel = (
            asker.channel_id if asker.channel_id and not asker.channel_id.startswith("D") else None
        )
        lang = await self.lang(asker)
        view = views.form_view(VERBS[verb], today, channel, lang)
        try:
            client = await self.client(asker.workspace_id)
            await client.views_open(trigger_id=trigger_id, view=view)
        except Exception as exc:
            log.warning("views.open failed: %s", error_code(exc))

    async def on_submit(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        state = (view.get("state") or {}).get("values") or {}
        try:
            metadata = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            metadata = {}
        if not isinstance(metadata, dict):
            metadata = {}
        # The language the form was opened in: no store read before the 3-second ack.
        lang = norm_lang(str(metadata.get("lang") or "en"))
        callback = view.get("callback_id")
        name = next((v for v in views.form_verbs() if views.form_callback(v) == callback), "track")
        verb = VERBS[name]
        team, user, _ = self._who(body, context)
        channel = metadata.get("channel") or None
        quick = self.directory.quick_asker(team, user, channel)
        submission = views.form_values(verb, state if isinstance(state, dict) else {}, quick, lang)
        if submission.values is None:
            await ack(response_action="errors", errors=submission.errors)
            return
        work = asyncio.ensure_future(
            self._submit(team, user, channel, submission.verb, submission.values)
        )
        try:
            reply = await asyncio.wait_for(asyncio.shield(work), VIEW_ACK_BUDGET)
        except TimeoutError:
            await ack(
                response_action="update",
                view=views.result_view(
                    tr(lang, "Saving"),
                    Reply(
                        ReplyKind.INFO,
                        tr(lang, "Still saving: see the Home tab in a moment"),
                        lang=lang,
                    ),
                ),
            )
            self.spawn(work)
            return
        if reply.kind is ReplyKind.ERROR:
            # Shown next to the verb's first text field (remind: the time; track: the label).
            fields = views.form_fields(verb)
            field = next((p.name for p in fields if p.kind is Kind.TEXT), fields[0].name)
            message = reply.title + (f" {reply.sections[0].text}" if reply.sections else "")
            await ack(response_action="errors", errors={field: message[:300]})
            return
        saved = {"remind": N_("Reminder saved"), "track": N_("Case tracked")}
        title = tr(reply.lang, saved[name]) if name in saved else reply.title
        await ack(response_action="update", view=views.result_view(title, reply))

    async def _submit(
        self, team: str, user: str, channel: str | None, verb: str, values: dict[str, Any]
    ) -> Reply:
        asker = await self.directory.asker(team, user, channel)
        reply = await asyncio.to_thread(invoke, self.ctx, VERBS[verb], asker, values)
        if reply.kind is not ReplyKind.ERROR:
            self._forgotten(verb, asker)
            self._after(verb, asker)
            to = values.get("to")
            if verb == "remind" and (to is None or isinstance(to, Target) and to.kind == "user"):
                self._learn_dm(asker, asker.user_id if to is None else to.id)
        return reply

    def _learn_dm(self, asker: Asker, person: str) -> None:
        """A reminder for ``person``'s DM was set: learn their DM channel now, after the
        answer, rather than with a conversations.open at every delivery."""
        self.spawn(self.directory.open_dm(asker.workspace_id, person))

    # -- App Home -----------------------------------------------------------------------------
    async def on_home_opened(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        if event.get("tab") == "home" and event.get("user"):
            self.refresh_home(str(event["user"]), _tenant(context))

    def refresh_home(
        self, user_id: str, team_id: str, *, status: str | None = None, coalesce: bool = False
    ) -> None:
        """Republish a user's Home tab: at once, or after a delivery (``coalesce``) later and
        paced (``bots.slack.home``)."""
        self.home.refresh(user_id, team_id, status=status, coalesce=coalesce)

    async def publish_home(self, user_id: str, team_id: str, status: str | None = None) -> None:
        asker = await self.directory.asker(team_id, user_id, None)
        try:
            view = await asyncio.to_thread(self._home_view, asker, status)
            client = await self.client(team_id)
            await client.views_publish(user_id=user_id, view=view)
        except Exception as exc:
            log.warning("home refresh failed: %s", error_code(exc))

    def _home_view(self, asker: Asker, status: str | None) -> dict[str, Any]:
        """Runs in a worker thread: it reads the store."""
        today = self._today(asker).date()
        lang = norm_lang(lang_of(self.ctx, asker))
        if self.ctx.reminders is None:
            return views.home_view(
                Reply(
                    ReplyKind.INFO,
                    tr(lang, "Reminders are off"),
                    [Section(tr(lang, "This bot runs without a store."))],
                    lang=lang,
                ),
                [],
                today=today,
                status=status,
                lang=lang,
            )
        reminders = self.router(self.ctx, "reminders", asker)
        cases = [
            views.CaseLine(
                case.label,
                case.event,
                case.event_date,
                case.state,
                [(d.due, d.title, d.citation) for d in deadlines],
            )
            for case, deadlines in self.ctx.reminders.cases(asker)
        ]
        return views.home_view(reminders, cases, today=today, status=status, lang=lang)

    # -- uninstalling -------------------------------------------------------------------------
    async def on_uninstalled(self, context: AsyncBoltContext) -> None:
        """The workspace removed iepbot: its installation and everything stored for it go."""
        await self.remove_workspace(context)

    async def on_tokens_revoked(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """A revoked bot token is the end of the bot in that workspace (the same as an
        uninstall); revoked user tokens only drop those people's installation rows."""
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):
            await self.remove_workspace(context)
            return
        if self.installations is not None:
            for user_id in tokens.get("oauth") or []:
                await self.installations.async_delete_installation(
                    enterprise_id=context.enterprise_id,
                    team_id=None if context.is_enterprise_install else context.team_id,
                    user_id=str(user_id),
                )

    async def remove_workspace(self, context: AsyncBoltContext) -> None:
        tenant = _tenant(context)
        if not tenant:
            return
        if self.installations is not None:
            await self.installations.async_delete_all(
                enterprise_id=context.enterprise_id,
                team_id=None if context.is_enterprise_install else context.team_id,
            )
        counts: dict[str, int] = {}
        if self.ctx.reminders is not None:
            counts = await asyncio.to_thread(self.ctx.reminders.forget_workspace, "slack", tenant)
        self.clients.forget(tenant)
        self.directory.forget_workspace(tenant)
        self.home.forget_workspace(tenant)
        if self.on_removed is not None:
            self.on_removed(tenant)
        log.info("slack: a workspace uninstalled iepbot; removed %s", counts)
