"""Assemble the running bot: store, dispatcher, reminder engine and the router's context.

The console and `iepbot run` both start from here, so the pieces are wired one way only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bots.context import Context
from content.loader import load_library
from scheduler.delivery.dispatcher import DeliveryObserver, Dispatcher, DispatchPolicy
from scheduler.delivery.messages import Notifier
from scheduler.reminders.jobs import DEFAULT_GRACE, ReminderEngine
from scheduler.reminders.service import ReminderService
from scheduler.store.database import open_store
from scheduler.store.store import Store


@dataclass
class Runtime:
    ctx: Context
    store: Store
    dispatcher: Dispatcher
    engine: ReminderEngine

    async def stop(self) -> None:
        await self.engine.shutdown()
        self.store.close()


async def start_runtime(
    notifiers: Mapping[str, Notifier],
    *,
    database_url: str | None = None,
    policy: DispatchPolicy | None = None,
    grace: timedelta = DEFAULT_GRACE,
    default_timezone: str | None = None,
    lead: bool = True,
    observer: DeliveryObserver | None = None,
) -> Runtime:
    """Open the store (migrating it), start the scheduler and hand back a ready context.

    ``lead=False`` leaves the scheduler stopped: `iepbot run` starts it only once this replica
    is elected leader (see ``scheduler.leadership``)."""
    store = open_store(database_url)
    dispatcher = Dispatcher(notifiers, ledger=store, policy=policy, observer=observer)
    engine = ReminderEngine(store, dispatcher, grace=grace)
    ctx = Context(load_library(), store=store, reminders=ReminderService(store, engine))
    if default_timezone:
        ctx.default_timezone = default_timezone
    if lead:
        await engine.start()
    return Runtime(ctx, store, dispatcher, engine)
