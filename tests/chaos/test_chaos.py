"""A short chaos run in the suite (bench/chaos.py is the long one): three `iepbot run`
replicas on PostgreSQL with the fakes of Slack and Discord, reminders and commands arriving
while the leader is SIGKILLed, a replica is SIGTERMed, the database is cut off and the platforms
answer 429, 500 or slowly. Nothing set may be lost, nothing sent twice without a notice, and
every answer a user got must be a clean message.

Runs in CI: without PostgreSQL it is skipped locally and fails when CI is set (see
tests/store/pg_helpers.py), like the other replica tests."""

from __future__ import annotations

import pytest

from tests.chaos.harness import ChaosRun, Plan
from tests.store.pg_helpers import postgres_schema

pytestmark = pytest.mark.chaos

SHORT = Plan(
    seconds=22,
    slack_reminders=24,
    discord_reminders=6,
    commands=10,
    kills=2,
    terms=1,
    db_cuts=1,
    db_cut_seconds=(2.0, 4.0),
    storms=2,
    storm_seconds=(2.0, 4.0),
    lead=(4, 14),
    settle=35,
    seed=1515,
)


async def test_short_chaos_run_loses_nothing_and_doubles_nothing_silently(tmp_path):
    with postgres_schema("iepbot_chaos") as url:
        report = await ChaosRun(SHORT, url, tmp_path).run()
    summary = "\n".join(report.lines())
    print("\n" + summary)
    assert report.set >= SHORT.slack_reminders // 2, summary  # the run did set reminders
    assert sum(report.faults[k] for k in ("kill", "term", "db")) >= 3, summary
    assert report.lost == [], summary
    assert report.doubled_silently == [], summary
    assert report.user_errors == [], summary
