"""The chaos run's judge on made-up outcomes: it must call a reminder lost, doubled silently
or reported, exactly as defined in tests/chaos/harness.py, or the chaos tests could not fail."""

from __future__ import annotations

from types import SimpleNamespace

from tests.chaos.harness import ChaosRun, Command, Plan


def judged(posts: list[str], rows: dict[str, int], commands: list[Command] | None = None):
    run = ChaosRun(Plan(), "postgresql+psycopg://unused/none", None)  # type: ignore[arg-type]
    run._rows = lambda: ({tag: {"id": i, "next_fire_at": None} for tag, i in rows.items()}, {})
    run._posts = lambda: [(p, 0.0) for p in posts]
    run._due_times = dict
    run.slack = SimpleNamespace(calls=[], responses=[])
    run.discord = SimpleNamespace(calls=[], channel_messages_all=list)
    run.commands = commands or []
    run._tally()
    return run.report


def test_lost_doubled_and_reported_are_told_apart():
    report = judged(
        posts=[
            "chaos-s0001",  # once
            "chaos-s0002",
            "chaos-s0002",  # twice, nobody told
            "chaos-s0003",
            "chaos-s0003",
            "Reminder #3, due Tue 1 Dec, may not have gone out: ... It said: chaos-s0003",
            "I could not deliver reminder #5 (channel_not_found). It is kept",
        ],
        rows={"s0001": 1, "s0002": 2, "s0003": 3, "s0004": 4, "s0005": 5},
    )
    assert report.set == 5
    assert report.delivered_once == 1
    assert [x.split(":")[0] for x in report.lost] == ["s0004#4"]
    assert report.doubled == ["s0002#2", "s0003#3"]
    assert report.doubled_silently == ["s0002#2"]
    assert report.uncertain == ["s0003#3:2"] and report.failed == ["s0005#5:0"]


def test_unclean_and_missing_answers_are_user_errors():
    bad = Command("c0001", "slack", "help", status=200, ack_seconds=0.1, replica="r0")
    bad.ack_body = '{"text": "Traceback (most recent call last):"}'
    slow = Command("c0002", "slack", "help", status=200, ack_seconds=4.0, replica="r0")
    slow.ack_body = '{"text": "Help"}'
    failed = Command("c0003", "slack", "help", status=500, ack_seconds=0.1, replica="r0")
    silent = Command("c0004", "slack", "reminders", status=200, ack_seconds=0.1, replica="r0")
    fine = Command("c0005", "slack", "help", status=200, ack_seconds=0.1, replica="r0")
    fine.ack_body = '{"text": "How to use /iep"}'
    report = judged([], {}, [bad, slow, failed, silent, fine])
    errors = "\n".join(report.user_errors)
    assert len(report.user_errors) == 4, errors
    for label in ("c0001", "c0002", "c0003", "c0004"):
        assert label in errors
