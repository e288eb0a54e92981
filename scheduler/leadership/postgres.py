"""Several replicas on PostgreSQL: a session advisory lock decides which one leads.

Every ``iepbot run`` replica on one PostgreSQL database keeps a dedicated connection and tries
``pg_try_advisory_lock`` on it five times a second (``standby_interval``; the leader checks its
session once a second). The one that gets the lock is the leader: it
opens a new term in ``leader_terms`` (its epoch fences the delivery ledger, see
``Store.begin_send``) and runs the scheduler and delivery. The lock belongs to the session, so it
goes when the leader does:

* killed or crashed: the kernel closes its sockets, the server ends the session at once;
* frozen, or cut off by the network: the server ends the session after ``lease`` seconds
  without a query (``idle_session_timeout``; the leader pings every ``interval``) or when TCP
  keepalives fail; the leader itself notices a failed or slow ping and abdicates at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from scheduler.leadership.base import (
    INTERVAL_SECONDS,
    LEADER,
    LEASE_SECONDS,
    PING_TIMEOUT_SECONDS,
    STANDBY,
    STANDBY_INTERVAL_SECONDS,
    Deposed,
    Elected,
    holder_name,
)
from scheduler.store.store import SCHEDULER_TERM, Store

log = logging.getLogger(__name__)


class PgLeadership:
    """Leader election on PostgreSQL with a session advisory lock on one dedicated connection.

    ``on_elected(epoch)`` runs as its own task (recovery may take a while and the lock
    connection must keep being checked meanwhile); ``on_deposed()`` is awaited as soon as the
    lock connection fails, after that task is cancelled.
    """

    def __init__(
        self,
        store: Store,
        on_elected: Elected,
        on_deposed: Deposed,
        *,
        interval: float = INTERVAL_SECONDS,
        lease: float = LEASE_SECONDS,
        ping_timeout: float = PING_TIMEOUT_SECONDS,
        standby_interval: float | None = None,
    ) -> None:
        self.store = store
        self.on_elected = on_elected
        self.on_deposed = on_deposed
        self.interval = interval
        self.standby_interval = (
            min(interval, STANDBY_INTERVAL_SECONDS)
            if standby_interval is None
            else standby_interval
        )
        self.lease = lease
        self.ping_timeout = ping_timeout
        self.role = STANDBY
        self.epoch: int | None = None
        self.holder = holder_name()
        self._conn: Any = None
        self._loop_task: asyncio.Task[None] | None = None
        self._term_task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        # Set by stop(). Cancelling the loop is not enough on its own: asyncio.wait_for (3.11)
        # can swallow a cancel that lands as its query completes, and a loop that went on would
        # take the lock the old leader just released, and lead a process that is shutting down.
        self._stopping = False
        self._sit_out_until = 0.0  # after step_aside: no lock attempts before this loop time
        self.attempts = 0  # lock attempts and pings so far: lets tests wait for a round

    # -- the lock connection ----------------------------------------------------------------

    def _connect_kwargs(self) -> dict[str, Any]:
        engine = self.store.engine
        _, params = engine.dialect.create_connect_args(engine.url)
        params.pop("context", None)
        lease_ms = int(self.lease * 1000)
        return {
            **params,
            "autocommit": True,
            "connect_timeout": max(1, int(self.ping_timeout)),
            # The client side of "is the other end still there": a dead server or a cut cable
            # fails the next ping within seconds instead of hanging on TCP retransmissions.
            "keepalives": 1,
            "keepalives_idle": 2,
            "keepalives_interval": 1,
            "keepalives_count": 3,
            "tcp_user_timeout": lease_ms,
            "application_name": "iepbot-leader-lock",
        }

    async def _open(self) -> Any:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(**self._connect_kwargs())
        lease_ms = int(self.lease * 1000)
        # The server side: a leader that stops pinging (frozen, partitioned) loses its session,
        # and with it the lock, after the lease; dead peers are found by keepalives.
        await conn.execute(f"SET idle_session_timeout = {lease_ms}")
        await conn.execute("SET tcp_keepalives_idle = 2")
        await conn.execute("SET tcp_keepalives_interval = 1")
        await conn.execute("SET tcp_keepalives_count = 3")
        await conn.execute(f"SET statement_timeout = {int(self.ping_timeout * 1000)}")
        return conn

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), self.ping_timeout)

    async def _query(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        cursor = await asyncio.wait_for(self._conn.execute(sql, params), self.ping_timeout)
        row = await cursor.fetchone()
        return row[0] if row else None

    # Advisory locks are per database; the schema is part of the key so that separate
    # installations (or tests) in one database each get their own leader.
    _LOCK_KEY = "hashtextextended('iepbot:' || current_schema() || ':' || %s, 0)"

    async def _try_lock(self) -> bool:
        return bool(
            await self._query(f"SELECT pg_try_advisory_lock({self._LOCK_KEY})", (SCHEDULER_TERM,))
        )

    async def _still_leader(self) -> bool:
        """The lock session answers, and the term in the table is still ours."""
        epoch = await self._query(
            "SELECT epoch FROM leader_terms WHERE name = %s", (SCHEDULER_TERM,)
        )
        return bool(epoch == self.epoch)

    # -- the loop ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop_task = asyncio.get_running_loop().create_task(self._run())

    async def wait_role(self, role: str, timeout: float) -> None:
        """For tests and tools: wait until this replica has the given role."""

        async def until() -> None:
            while self.role != role:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(until(), timeout)

    def _set_role(self, role: str) -> None:
        self.role = role
        self._changed.set()

    async def _run(self) -> None:
        while not self._stopping:
            self.attempts += 1
            try:
                if self._conn is None:
                    self._conn = await asyncio.wait_for(self._open(), self.ping_timeout * 2)
                if self.role == LEADER:
                    if not await self._still_leader():
                        raise ConnectionError("term taken over")
                elif (
                    asyncio.get_running_loop().time() >= self._sit_out_until
                    and await self._try_lock()
                    and not self._stopping
                ):
                    # (A lock won while stopping goes with the connection stop() closes.)
                    await self._elect()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Any doubt about the lock session means this replica may no longer lead.
                log.warning("leader lock connection failed: %s", type(exc).__name__)
                await self._drop()
                if self.role == LEADER:
                    await self._depose()
            await asyncio.sleep(self.interval if self.role == LEADER else self.standby_interval)

    async def _elect(self) -> None:
        self.epoch = await asyncio.to_thread(self.store.start_term, self.holder)
        log.info("elected scheduler leader (term %d)", self.epoch)
        self._set_role(LEADER)
        self._term_task = asyncio.get_running_loop().create_task(self._lead(self.epoch))

    async def _lead(self, epoch: int) -> None:
        try:
            await self.on_elected(epoch)
        except asyncio.CancelledError:
            raise
        except Exception:
            # A leader that cannot start its scheduler must not keep the lock from the others.
            log.exception("could not start as leader; stepping aside")
            await self._drop()
            if self.role == LEADER:
                await self._depose()

    async def _end_term(self) -> None:
        """Cancel the leader's term task and wait for it to end (unless it is the caller)."""
        term, self._term_task = self._term_task, None
        if term is not None and term is not asyncio.current_task():
            term.cancel()
            with contextlib.suppress(BaseException):
                await term

    async def _depose(self) -> None:
        log.warning("no longer the scheduler leader (term %s)", self.epoch)
        self._set_role(STANDBY)
        await self._end_term()
        try:
            await self.on_deposed()
        except Exception:
            log.exception("stopping the leader's work failed")

    async def step_aside(self, handover: Deposed, pause: float) -> None:
        """Release the lock for another replica and sit out ``pause`` seconds: this leader
        cannot do its work (its Discord connection has not come back)."""
        if self.role != LEADER or self._stopping:
            return
        self._sit_out_until = asyncio.get_running_loop().time() + pause
        await self._end_term()
        try:
            await handover()
        except Exception:
            log.exception("hand-over failed")
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._query(f"SELECT pg_advisory_unlock({self._LOCK_KEY})", (SCHEDULER_TERM,))
        self._set_role(STANDBY)
        log.warning("stepped aside as scheduler leader for %.0f s", pause)

    async def stop(self, handover: Deposed | None = None) -> None:
        """Stop competing; a leader runs ``handover`` (finish or hand back its sends) and then
        releases the lock at once, so a standby takes over within ``standby_interval``."""
        self._stopping = True
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(BaseException):
                await self._loop_task
            self._loop_task = None
        if self.role == LEADER:
            await self._end_term()
            if handover is not None:
                try:
                    await handover()
                except Exception:
                    log.exception("hand-over failed")
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    await self._query(
                        f"SELECT pg_advisory_unlock({self._LOCK_KEY})", (SCHEDULER_TERM,)
                    )
            self._set_role(STANDBY)
            log.info("released scheduler leadership")
        await self._drop()
