"""Autocomplete as Discord sends it (interaction type 4) and answers (callback type 8)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bots.discord.commands import term_choices
from bots.discord.options import state_choices, timezone_choices
from tests.discord import payloads


async def autocomplete(client, fake, sub: str, focused: str, **options):
    before = len(fake.callbacks)
    payload = payloads.command(sub, focused=focused, **options)
    client._connection.parse_interaction_create(payload)
    await fake.wait_for(lambda: len(fake.callbacks) > before)
    answer = fake.callbacks[-1].body
    assert answer["type"] == 8  # answered directly, never deferred
    return answer["data"]["choices"]


async def test_term_prefix_title_and_alias(client, fake):
    choices = await autocomplete(client, fake, "ask", "term", term="504")
    assert choices[0]["value"] in {"section-504-plan", "section-504"}
    ard = await autocomplete(client, fake, "ask", "term", term="ARD")
    assert any(c["value"] == "iep-meeting" and "ARD" in c["name"] for c in ard)


async def test_term_fuzzy_typo(client, fake):
    choices = await autocomplete(client, fake, "ask", "term", term="acomodations")
    assert "accommodations" in [c["value"] for c in choices]


async def test_empty_prefix_offers_25_and_compare_second_option(client, fake):
    choices = await autocomplete(client, fake, "ask", "term", term="")
    assert len(choices) == 25
    second = await autocomplete(client, fake, "compare", "second", first="iep", second="50")
    assert second and all(len(c["name"]) <= 100 for c in second)


async def test_state_and_date_autocomplete(client, fake):
    states = await autocomplete(
        client, fake, "deadlines", "state", event="consent", date="2026-09-15", state="tex"
    )
    assert states[0]["value"] == "TX"
    dates = await autocomplete(client, fake, "deadlines", "date", event="consent", date="9/15/2026")
    assert dates[0]["value"] == "2026-09-15"


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(prefix=st.text(max_size=300))
def test_any_prefix_gives_at_most_25_valid_choices(ctx, prefix):
    class Fake:
        locale = None

    class Handler:
        pass

    handler = Handler()
    handler.ctx = ctx
    for choices in (
        term_choices(handler, Fake(), prefix),  # type: ignore[arg-type]
        state_choices(prefix),
        timezone_choices(prefix),
    ):
        assert len(choices) <= 25
        for choice in choices:
            assert 1 <= len(choice.name) <= 100
            assert 1 <= len(str(choice.value)) <= 100


@pytest.mark.parametrize("typed", ["chicago", "new york", "America/Los"])
def test_timezones(typed):
    assert timezone_choices(typed)
