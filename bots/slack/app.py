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

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bots.context import Context
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
    context,
    render,
)
from bots.slack.escape import from_slack
from bots.slack.people import Directory, error_code
from bots.verbs.declare import VERBS, Verb, invoke
from content.i18n import norm_lang, tr
from scheduler.identity import Asker

log = logging.getLogger(__name__)

COMMAND = "/iep"
ACK_BUDGET = 1.0  # seconds a lookup may take and still ride on the acknowledgement
VIEW_ACK_BUDGET = 2.2  # a modal submission must be answered in 3 s, network included
# Verbs Slack opens a form for when they come without words (``views`` builds them).
MODAL_VERBS = ("remind", "track")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,20}$")

Route = Callable[[Context, str, Asker], Reply]


def _verb(name: str) -> Verb | None:
    """The declaration behind a command word; "" (a bare `/iep`) is help."""
    return VERBS.get(name or "help")


def _flag(name: str, flag: str) -> bool:
    verb = _verb(name)
    return bool(verb is not None and getattr(verb, flag))


def _ephemeral(reply: Reply) -> str:
    return "ephemeral" if reply.private else "in_channel"


class SlackBot:
    """Listeners bound to one Context; built when `iepbot run` hands the adapter its context."""

    def __init__(
        self,
        app: AsyncApp,
        ctx: Context,
        directory: Directory,
        *,
        router: Route = route,
    ) -> None:
        self.app = app
        self.ctx = ctx
        self.directory = directory
        self.router = router
        self._tasks: set[asyncio.Task[Any]] = set()
        self._home_dirty: dict[str, str] = {}  # user -> team, waiting for a refresh
        self._home_running: set[str] = set()
        self._home_status: dict[str, str] = {}
        self._register()

    @property
    def client(self) -> AsyncWebClient:
        return self.app.client

    # -- plumbing -------------------------------------------------------------------------------
    def _register(self) -> None:
        app = self.app
        app.command(COMMAND)(self.on_command)
        app.action(re.compile(rf"^{CMD_ACTION}\d+$"))(self.on_button)
        app.action(SHARE_ACTION)(self.on_share)
        app.action(OPEN_REMIND)(self.on_open_modal)
        app.action(OPEN_TRACK)(self.on_open_modal)
        app.view(views.REMIND_MODAL)(self.on_submit)
        app.view(views.TRACK_MODAL)(self.on_submit)
        app.event("app_home_opened")(self.on_home_opened)

    def spawn(self, work: Awaitable[Any]) -> None:
        """Background work that must outlive the listener, kept referenced until done."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for background work (Home refreshes) to finish; used on stop and in tests."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

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
    async def on_command(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        text = from_slack(str(body.get("text") or ""))
        verb, rest = split_command(text)
        team, user = str(body.get("team_id") or ""), str(body.get("user_id") or "")
        channel = str(body.get("channel_id") or "") or None
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
        await self._answer(respond, reply, verb, text, channel, asker=asker)
        self._after(verb, asker)

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
            opened = await self.client.conversations_open(users=asker.user_id)
            await self.client.files_upload_v2(
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

    def _after(self, verb: str, asker: Asker) -> None:
        if verb == "forget":
            self.directory.forget(asker.user_id)
        if _flag(verb, "changes_home"):
            self.refresh_home(asker.user_id, asker.workspace_id)

    # -- buttons ------------------------------------------------------------------------------
    @staticmethod
    def _who(body: dict[str, Any]) -> tuple[str, str, str | None]:
        user = body.get("user") or {}
        team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        return str(team), str(user.get("id") or ""), channel

    async def on_button(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        command = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
        team, user, channel = self._who(body)
        asker = await self.directory.asker(team, user, channel)
        verb, rest = split_command(command)
        if verb in MODAL_VERBS and not rest:
            await self._open_modal(verb, str(body.get("trigger_id") or ""), asker)
            return
        reply = await self.run(command, asker)
        container = body.get("container") or {}
        if container.get("type") == "view":  # App Home: no response_url; the tab shows it
            status = reply.title
            if reply.attachment is not None:
                status = await self._send_file(reply, asker)
            self.refresh_home(user, team, status=status)
            self._after(verb, asker)
            return
        # An ephemeral message belongs to the presser and may be replaced; a public one never.
        replace = bool(container.get("is_ephemeral"))
        if _flag(verb, "lists"):
            listing = await self.run("reminders", asker)
            status = (":warning: " if reply.kind is ReplyKind.ERROR else "") + reply.title
            await self._answer(
                respond, listing, "reminders", "reminders", channel, replace=replace, status=status
            )
        else:
            await self._answer(respond, reply, verb, command, channel, asker=asker, replace=replace)
        self._after(verb, asker)

    async def on_share(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        command = str(action.get("value") or "")
        team, user, channel = self._who(body)
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
            blocks = [blocks[0], context(shared), *blocks[1:49]]
        await respond(
            response_type="in_channel", replace_original=False, text=rendered.text, blocks=blocks
        )

    # -- modals -------------------------------------------------------------------------------
    async def on_open_modal(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        await ack()
        team, user, channel = self._who(body)
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
        view = (
            views.remind_modal(today, channel, lang)
            if verb == "remind"
            else views.track_modal(today, channel, lang)
        )
        try:
            await self.client.views_open(trigger_id=trigger_id, view=view)
        except Exception as exc:
            log.warning("views.open failed: %s", error_code(exc))

    async def on_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        state = (view.get("state") or {}).get("values") or {}
        is_remind = view.get("callback_id") == views.REMIND_MODAL
        try:
            metadata = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            metadata = {}
        if not isinstance(metadata, dict):
            metadata = {}
        # The language the form was opened in: no store read before the 3-second ack.
        lang = norm_lang(str(metadata.get("lang") or "en"))
        submission = (
            views.remind_command(state, lang) if is_remind else views.track_command(state, lang)
        )
        if submission.values is None:
            await ack(response_action="errors", errors=submission.errors)
            return
        channel = metadata.get("channel") or None
        team, user, _ = self._who(body)
        team = team or str(view.get("team_id") or "")
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
            field = "what" if is_remind else "case"
            message = reply.title + (f" {reply.sections[0].text}" if reply.sections else "")
            await ack(response_action="errors", errors={field: message[:300]})
            return
        title = tr(reply.lang, "Reminder saved") if is_remind else tr(reply.lang, "Case tracked")
        await ack(response_action="update", view=views.result_view(title, reply))

    async def _submit(
        self, team: str, user: str, channel: str | None, verb: str, values: dict[str, Any]
    ) -> Reply:
        asker = await self.directory.asker(team, user, channel)
        reply = await asyncio.to_thread(invoke, self.ctx, VERBS[verb], asker, values)
        if reply.kind is not ReplyKind.ERROR:
            self._after(verb, asker)
        return reply

    # -- App Home -----------------------------------------------------------------------------
    async def on_home_opened(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab") == "home" and event.get("user"):
            self.refresh_home(str(event["user"]), str(body.get("team_id") or ""))

    def refresh_home(self, user_id: str, team_id: str, *, status: str | None = None) -> None:
        """Republish a user's Home tab soon; refreshes for one user never overlap, and changes
        made during a refresh trigger exactly one more."""
        self._home_dirty[user_id] = team_id
        if status is not None:
            self._home_status[user_id] = status
        if user_id not in self._home_running:
            self._home_running.add(user_id)
            self.spawn(self._home_loop(user_id))

    async def _home_loop(self, user_id: str) -> None:
        try:
            while user_id in self._home_dirty:
                team_id = self._home_dirty.pop(user_id)
                status = self._home_status.pop(user_id, None)
                await self.publish_home(user_id, team_id, status)
        finally:
            self._home_running.discard(user_id)

    async def publish_home(self, user_id: str, team_id: str, status: str | None = None) -> None:
        asker = await self.directory.asker(team_id, user_id, None)
        try:
            view = await asyncio.to_thread(self._home_view, asker, status)
            await self.client.views_publish(user_id=user_id, view=view)
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
