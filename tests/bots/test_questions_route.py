"""Questions through the shared router, the console and `iepbot ask`: what a person sees."""

from __future__ import annotations

import json

from bots.context import Context
from bots.render_text import render_text
from bots.replies import ReplyKind
from bots.router import route
from content.questions import UNSURE_SUGGESTIONS
from tests.bots.test_cli import ASK_JSON_FIELDS, run

UNSURE = "what about the plan?"


def test_a_question_gets_the_entry_and_says_how_it_was_read(ctx: Context) -> None:
    reply = route(ctx, "/iep how often is the iep reviewed")
    assert reply.kind is ReplyKind.ENTRY and reply.entry_id == "annual-review"
    assert reply.note and "how often is the iep reviewed" in reply.note


def test_unsure_asks_which_with_the_top_three(ctx: Context) -> None:
    reply = route(ctx, UNSURE)
    assert reply.kind is ReplyKind.NOT_FOUND
    assert reply.title == "I'm not sure which of these you mean"
    assert len(reply.suggestions) == UNSURE_SUGGESTIONS
    text = render_text(reply)
    for n, ref in enumerate(reply.suggestions, 1):
        assert f"  {n}. {ref.title}  (/iep {ref.id})" in text


def test_unsure_in_spanish(ctx: Context) -> None:
    ctx.default_lang = "es"
    reply = route(ctx, "¿y el plan?")
    assert reply.title == "No estoy seguro de cuál de estos quiere decir"
    assert len(reply.suggestions) == UNSURE_SUGGESTIONS


def test_a_compare_question_goes_side_by_side(ctx: Context) -> None:
    reply = route(ctx, "What's the difference between accommodations and modifications?")
    assert reply.kind is ReplyKind.COMPARE and reply.table is not None
    assert {reply.table.headers[1], reply.table.headers[2]} == {
        ctx.pack("en").entries["accommodations"].title,
        ctx.pack("en").entries["modifications"].title,
    }


def test_ask_json_for_a_question_keeps_the_shape() -> None:
    done = run("ask", "Can a child with an IEP be suspended?", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert list(payload) == ASK_JSON_FIELDS
    assert payload["found"] is True and payload["id"] == "discipline-rights"
    assert payload["suggestions"] == []


def test_ask_json_unsure_is_not_found_with_three_suggestions() -> None:
    done = run("ask", UNSURE, "--json")
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert payload["found"] is False and payload["id"] is None and payload["sources"] == []
    assert len(payload["suggestions"]) == UNSURE_SUGGESTIONS
    assert all(set(s) == {"id", "title"} for s in payload["suggestions"])
    text = run("ask", UNSURE)
    assert text.returncode == 1 and "I'm not sure which of these you mean" in text.stdout


def test_the_console_numbers_the_choices_and_a_number_opens_one() -> None:
    done = run("console", stdin=f"{UNSURE}\n2\n")
    assert done.returncode == 0, done.stderr
    first, _, rest = done.stdout.partition("\n\n# ")
    assert "I'm not sure which of these you mean" in first
    line = next(x for x in first.splitlines() if x.strip().startswith("2. "))
    title = line.strip()[3:].split("  (/iep")[0]
    assert rest.startswith(title)


def test_explain_glosses_each_term_and_says_it_keeps_nothing(ctx: Context, caplog) -> None:
    caplog.set_level("DEBUG")
    reply = route(ctx, "explain Dear parent of Jordan-Smith: the ARD committee proposes ESY.")
    assert reply.kind is ReplyKind.INFO and reply.title == "Terms in your text (2)"
    assert [ref.id for ref in reply.related] == ["iep-team", "esy"]
    assert reply.sections[0].heading == "ARD committee · IEP team"
    assert reply.note == "I read your text only to find these terms; it is not stored or logged."
    assert "Jordan" not in caplog.text


def test_explain_in_spanish_with_an_english_letter(ctx: Context) -> None:
    ctx.default_lang = "es"
    reply = route(ctx, "explicar Please sign the consent form for the FBA.")
    assert reply.title == "Términos en su texto (2)"
    assert reply.note and "no se guarda" in reply.note
    spanish = ctx.pack("es").entries
    assert [s.heading for s in reply.sections] == [
        f"consent form · {spanish['parental-consent'].title}",
        spanish["fba"].title,
    ]


def test_explain_edge_cases(ctx: Context) -> None:
    assert route(ctx, "explain").kind is ReplyKind.ERROR
    too_long = route(ctx, "explain " + "x" * 2001)
    assert too_long.kind is ReplyKind.ERROR and "2,000" in too_long.title
    nothing = route(ctx, "explain we will meet on Monday to talk about lunch and the bus times")
    assert nothing.kind is ReplyKind.NOT_FOUND and nothing.note
    short = route(ctx, "explain fape")  # a few words: answered like a question
    assert short.kind is ReplyKind.ENTRY and short.entry_id == "fape"


def test_ask_json_for_a_comparison_names_the_pair() -> None:
    done = run("ask", "difference between mediation and due process", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["found"] is False and payload["id"] is None
    assert {s["id"] for s in payload["suggestions"]} == {"mediation", "due-process"}
