"""The shared router: what a person sees for each verb, and no traceback for any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bots.context import Context
from bots.render_text import render_text
from bots.replies import ReplyKind
from bots.router import route, split_command
from scheduler.identity import Asker


@pytest.mark.parametrize(
    ("text", "verb", "rest"),
    [
        ("/iep 504 plan", "ask", "504 plan"),
        ("504 plan", "ask", "504 plan"),
        ("  /IEP   topics ", "topics", ""),
        ("compare iep 504", "compare", "iep 504"),
        ("what is idea", "ask", "what is idea"),
        ("define fape", "ask", "fape"),
        ("", "", ""),
        ("recordatorios", "reminders", ""),
        (
            "Recuérdame mañana a las 9 llevar el borrador",
            "remind",
            "mañana a las 9 llevar el borrador",
        ),
        ("/iep ayuda", "help", ""),
        ("posponer 42 2d", "snooze", "42 2d"),
        ("plan 504", "ask", "plan 504"),
    ],
)
def test_split_command(text: str, verb: str, rest: str) -> None:
    assert split_command(text) == (verb, rest)


def test_term_lookup_gives_an_answer_card(ctx) -> None:
    reply = route(ctx, "/iep 504 plan")
    assert reply.kind is ReplyKind.ENTRY and reply.entry_id == "section-504-plan"
    assert reply.sections[0].text and reply.links and reply.related
    assert all(link.url.startswith("https://") for link in reply.links)


def test_fuzzy_lookup_says_what_it_showed(ctx) -> None:
    reply = route(ctx, "asistive tecnology")
    assert reply.entry_id == "assistive-technology"
    assert "asistive tecnology" in reply.note


def test_miss_gives_suggestions_and_a_way_on(ctx) -> None:
    reply = route(ctx, "xyzzy")
    assert reply.kind is ReplyKind.NOT_FOUND and reply.suggestions
    assert "/iep topics" in reply.sections[0].text


@pytest.mark.parametrize("text", ["", "   ", "/iep", "help", "/iep help", "?"])
def test_empty_text_and_help_give_help(ctx, text: str) -> None:
    reply = route(ctx, text)
    assert reply.kind is ReplyKind.HELP
    assert "compare iep 504" in render_text(reply)


def test_topics_lists_every_entry_once(ctx, library) -> None:
    reply = route(ctx, "topics")
    listed = " · ".join(s.text for s in reply.sections)
    for entry in library.packs["en"].entries.values():
        assert entry.title in listed
    assert str(len(library.packs["en"].entries)) in reply.title


@pytest.mark.parametrize(
    "text",
    ["compare iep 504", "compare IEP vs 504 plan", "compare 504 plan and iep", "compare iep, 504"],
)
def test_compare_side_by_side(ctx, text: str) -> None:
    reply = route(ctx, text)
    assert reply.kind is ReplyKind.COMPARE
    assert reply.table is not None
    assert {reply.table.headers[1], reply.table.headers[2]} == {
        ctx.pack().entries["iep"].title,
        ctx.pack().entries["section-504-plan"].title,
    }


@pytest.mark.parametrize(
    "text",
    # One letter is no term: a loose match ("a" in "ADA", "b" in "BIP") is not a side; nor is
    # a word found inside a longer name ("school" in "school discipline", "medical" ~ "mental").
    [
        "compare",
        "compare iep",
        "compare xyzzy plugh",
        "compare iep iep",
        "compare a b",
        "compare medical school",
        "compare tutor vs para",
    ],
)
def test_compare_bad_input_is_a_short_error(ctx, text: str) -> None:
    reply = route(ctx, text)
    assert reply.kind is ReplyKind.ERROR
    assert "compare iep 504" in reply.sections[0].text


def test_ten_thousand_characters_are_refused_politely(ctx) -> None:
    for text in ("a" * 10_000, "compare " + "b" * 10_000):
        reply = route(ctx, text)
        assert reply.kind is ReplyKind.ERROR and "too long" in reply.title
        assert len(render_text(reply)) < 300


def test_user_text_echo_is_short(ctx) -> None:
    reply = route(ctx, "zq" * 90)
    assert len(reply.title) < 90


def test_spanish_asker_falls_back_to_english_until_a_pack_exists(ctx) -> None:
    reply = route(ctx, "504", Asker(lang="es"))
    assert reply.entry_id == "section-504-plan"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_no_input_raises(library, text: str) -> None:
    reply = route(Context(library), text)
    assert reply.title
    render_text(reply)
