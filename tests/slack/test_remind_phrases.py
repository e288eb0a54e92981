"""Issue 13's four Slack-style reminders sent as signed `/iep` slash commands to the real bolt
app on the real runtime: stored for the right time with the right text, and confirmed with the
exact date, time, zone and repeat rule. The clock is moved with time-machine, never slept."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from scheduler.timing import Recurrence
from tests.slack.blocks import block_text
from tests.slack.validate import assert_valid_blocks

# Monday 1 March 2027, 10:00 in Chicago (U1's zone in the fake Slack): ahead of the real clock,
# so nothing set here can come due while the test runs.
NOW = datetime(2027, 3, 1, 16, 0, tzinfo=UTC)
CHICAGO = "America/Chicago"


def _text(blocks):
    return " ".join(block_text(blocks).split())


async def _remind(slack, text: str, count: int) -> str:
    reply = await slack.sender.command(text, user="U1")
    assert reply.status == 200
    response = (await slack.fake.wait_response(count))[-1]
    assert response["response_type"] == "ephemeral"
    assert_valid_blocks(response["blocks"])
    return _text(response["blocks"])


async def test_the_four_examples_of_issue_13_through_slack(slack) -> None:
    with time_machine.travel(NOW, tick=True):
        school = await _remind(slack, "remind me to call the school tomorrow at 3pm", 1)
        daily = await _remind(slack, "remind me call the school at 3pm every day", 2)
        team = await _remind(
            slack, "remind <#C1|sped-team> to submit progress notes every friday at 2pm", 3
        )
        meeting = await _remind(slack, "remind me about the IEP meeting on December 15 at 10am", 4)
        muddled = await _remind(slack, "remind me tomorrow call the school at 3pm", 5)
    assert "When: Tue 2 Mar 2027, 15:00 CST (America/Chicago)" in school
    assert "What: call the school" in school
    assert "When: Mon 1 Mar 2027, 15:00 CST (America/Chicago)" in daily
    assert "Repeats: every day at 15:00 (America/Chicago)" in daily
    assert "When: Fri 5 Mar 2027, 14:00 CST (America/Chicago)" in team
    assert "Repeats: every Friday at 14:00 (America/Chicago)" in team
    assert "What: submit progress notes" in team and "<#C1>" in team
    assert "When: Wed 15 Dec 2027, 10:00 CST (America/Chicago)" in meeting
    assert "What: the IEP meeting" in meeting
    assert "more than one time" in muddled
    rows = {
        (r.target_kind, r.target_id, r.text, r.next_fire_at.astimezone(UTC), r.recurrence)
        for r in slack.ctx.store.list_reminders_for_owner("slack", "U1")
    }
    assert rows == {
        ("user", "U1", "call the school", datetime(2027, 3, 2, 21, 0, tzinfo=UTC), None),
        ("user", "U1", "call the school", datetime(2027, 3, 1, 21, 0, tzinfo=UTC),
         Recurrence.daily(15, 0, CHICAGO).to_json()),
        ("channel", "C1", "submit progress notes", datetime(2027, 3, 5, 20, 0, tzinfo=UTC),
         Recurrence.weekly({4}, 14, 0, CHICAGO).to_json()),
        ("user", "U1", "the IEP meeting", datetime(2027, 12, 15, 16, 0, tzinfo=UTC), None),
    }  # fmt: skip
