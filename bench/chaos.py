"""The chaos run of issue 15: 3 `iepbot run` replicas on PostgreSQL with the local fakes of
Slack and Discord, a stream of reminders and slash commands, and, while it runs, random SIGKILLs
and SIGTERMs of replicas (restarted after), database outages (a TCP proxy between the replicas
and PostgreSQL, cut and restored: the shared server itself is never restarted), 429 and 500
storms and slow answers from the fakes.

Run: .venv/bin/python bench/chaos.py [--seconds 120] [--seed 15]
Needs PostgreSQL (IEPBOT_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1/test);
a throw-away schema is created and dropped. Everything listens on 127.0.0.1 only, and the run
ends within --seconds plus the settle time (about 4 minutes with the defaults).

Prints reminders set / delivered once / lost / doubled (and silently doubled) / reported
uncertain or failed, the errors users saw, and min/median/max of the slash-command ack time and
of delivery after the due time. Exit code 1 when anything was lost, silently doubled, or a user
saw an error that was not a clean message.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.chaos.harness import ChaosRun, Plan  # noqa: E402
from tests.store.pg_helpers import postgres_schema  # noqa: E402


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120, help="how long faults keep coming")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--keep-logs", action="store_true", help="print the logs folder, keep it")
    args = parser.parse_args()
    scale = args.seconds / 60
    plan = Plan(
        seconds=args.seconds,
        slack_reminders=int(80 * scale),
        discord_reminders=int(20 * scale),
        commands=int(40 * scale),
        kills=max(1, int(3 * scale)),
        terms=max(1, int(2 * scale)),
        db_cuts=max(1, int(2 * scale)),
        storms=max(1, int(4 * scale)),
        settle=90,
        seed=args.seed,
    )
    folder = Path(tempfile.mkdtemp(prefix="iepbot-chaos-"))
    with postgres_schema("iepbot_chaos") as url:
        report = await ChaosRun(plan, url, folder).run()
    for line in report.lines():
        print(line)
    if args.keep_logs:
        print(f"replica logs: {folder}")
    else:
        for log in folder.iterdir():
            log.unlink()
        folder.rmdir()
    bad = report.lost or report.doubled_silently or report.user_errors
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
