"""Three real `iepbot run` replicas on one PostgreSQL schema and a fake Slack: 500 reminders due
over 20 seconds, the leader SIGKILLed midway. Every reminder reaches Slack exactly once, and the
time a standby took to lead is printed."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import text

from scheduler.store.database import open_store
from tests.replicas.harness import Cluster, HistoryFakeSlack, add_reminders, utcnow
from tests.store.pg_helpers import postgres_schema

COUNT = 500
SPREAD = timedelta(seconds=20)
TAG = "failover-check"
NUMBER = re.compile(rf"{TAG} (\d{{4}})")


@pytest.fixture
def pg_url():
    with postgres_schema("iepbot_replicas") as url:
        yield url


async def test_leader_killed_midway_every_reminder_once(pg_url, tmp_path):
    fake = HistoryFakeSlack()
    await fake.start()
    store = open_store(pg_url)  # migrated before the replicas race to do it
    cluster = Cluster(pg_url, fake, tmp_path, size=3)
    print(f"\nlogs in {tmp_path}")
    try:
        await cluster.start()
        first = await cluster.leader()
        add_reminders(store, COUNT, utcnow() + timedelta(seconds=3), SPREAD, 50, TAG)

        def delivered() -> list[str]:
            return [m.group(1) for p in fake.posts() if (m := NUMBER.search(p.get("text", "")))]

        await fake.wait_for(lambda: len(delivered()) >= COUNT // 2, timeout=60)
        killed_at = time.monotonic()
        first.kill()
        await first.proc.wait()
        second = await cluster.leader(timeout=30, exclude={first.name})
        failover = time.monotonic() - killed_at
        before = len(delivered())
        await fake.wait_for(lambda: len(delivered()) > before, timeout=30)
        resumed = time.monotonic() - killed_at
        print(
            f"\nfailover: {second.name} leads {failover:.2f} s after SIGKILL of {first.name}; "
            f"deliveries resumed after {resumed:.2f} s"
        )

        await fake.wait_for(lambda: len(set(delivered())) >= COUNT, timeout=90)

        def settled() -> bool:
            with store.engine.connect() as conn:
                open_rows = conn.execute(
                    text("SELECT count(*) FROM deliveries WHERE status IN ('claimed','sending')")
                ).scalar()
            return open_rows == 0

        await cluster.wait_until(lambda _: settled(), timeout=30)
        counts = Counter(delivered())
        assert set(counts) == {f"{i:04d}" for i in range(COUNT)}, cluster.logs()
        assert [n for n, c in counts.items() if c != 1] == [], cluster.logs()
        with store.engine.connect() as conn:
            statuses = dict(
                conn.execute(text("SELECT status, count(*) FROM deliveries GROUP BY status")).all()
            )
        assert statuses == {"sent": COUNT}, statuses
        assert not [p for p in fake.posts() if "uncertain" in p.get("text", "").lower()]
    finally:
        codes = await cluster.stop()
        store.close()
        await fake.stop()
    assert [c for r, c in zip(cluster.replicas, codes, strict=True) if r is not first] == [0, 0]
