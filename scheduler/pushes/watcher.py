"""Keep the stored push reminders in step with the YAML file, reloading it when it changes.

Pushes are stored as ordinary reminders (kind "push") so they share the ledger, the retries and
the restart guarantees. A reload diffs what the file wants against what is stored: unchanged
pushes keep their schedule, removed ones are cancelled, new ones are created. A file with
errors changes nothing; the errors are logged (they are the admin's config, not chat text).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from content.loader import load_library
from content.model import Library
from scheduler.pushes.config import Push, load_pushes
from scheduler.reminders.jobs import ReminderEngine
from scheduler.store.records import ReminderDraft, ReminderRecord
from scheduler.store.store import Store
from scheduler.timing.recurrence import next_fire

log = logging.getLogger(__name__)

PUSH_OWNER = "iepbot-pushes"
POLL_SECONDS = 5.0


def _key(platform: str, channel: str, text: str, recurrence: str) -> tuple[str, str, str, str]:
    return (platform, channel, text, recurrence)


class PushWatcher:
    def __init__(
        self,
        path: Path,
        store: Store,
        engine: ReminderEngine | None,
        platforms: Collection[str],
        library: Library | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.path = path
        self.platforms = tuple(platforms)
        self.store = store
        self.engine = engine
        self.library = library or load_library()
        self.poll_seconds = poll_seconds
        self._seen: tuple[float, int] | None = None
        self._task: asyncio.Task[None] | None = None

    def _stored(self) -> list[ReminderRecord]:
        found: list[ReminderRecord] = []
        for platform in self.platforms:
            found += [
                r
                for r in self.store.list_reminders_for_owner(platform, PUSH_OWNER)
                if r.kind == "push"
            ]
        return found

    def apply(self, pushes: list[Push], now: datetime | None = None) -> tuple[int, int, int]:
        """Make the store match ``pushes``; returns (created, kept, cancelled)."""
        now = now or datetime.now(UTC)
        wanted = {_key(p.platform, p.channel, p.text, p.recurrence.to_json()): p for p in pushes}
        kept = 0
        cancelled = 0
        for record in self._stored():
            key = _key(record.platform, record.target_id, record.text, record.recurrence or "")
            if key in wanted:
                wanted.pop(key)
                kept += 1
                continue
            if self.engine is not None:
                self.engine.unschedule(record)
            self.store.cancel_reminder(record.id)
            cancelled += 1
        created = 0
        for push in wanted.values():
            first = next_fire(push.recurrence, now)
            if first is None:
                continue
            record = self.store.add_reminder(
                ReminderDraft(
                    platform=push.platform,
                    workspace_id=push.workspace,
                    owner_id=PUSH_OWNER,
                    target_kind="channel",
                    target_id=push.channel,
                    text=push.text,
                    lang=push.lang,
                    timezone=push.timezone,
                    next_fire_at=first,
                    recurrence=push.recurrence.to_json(),
                    kind="push",
                )
            )
            if self.engine is not None:
                self.engine.schedule(record)
            created += 1
        return created, kept, cancelled

    def reload_if_changed(self) -> bool:
        """Reload when the file's mtime or size changed. True if the store was updated."""
        try:
            stat = self.path.stat()
            signature: tuple[float, int] | None = (stat.st_mtime, stat.st_size)
        except OSError:
            signature = None
        if signature == self._seen:
            return False
        self._seen = signature
        pushes, issues = load_pushes(self.path, self.library, self.platforms)
        if issues:
            for issue in issues:
                log.error("scheduled pushes not reloaded: %s", issue)
            return False
        created, kept, cancelled = self.apply(pushes)
        log.info("scheduled pushes: %d new, %d kept, %d removed", created, kept, cancelled)
        return True

    async def start(self) -> None:
        await asyncio.to_thread(self.reload_if_changed)
        self._task = asyncio.get_running_loop().create_task(self._poll())

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                await asyncio.to_thread(self.reload_if_changed)
            except Exception:
                log.exception("scheduled pushes reload failed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
