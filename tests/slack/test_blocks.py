"""Any Reply, whatever a user typed into it, renders as blocks Slack accepts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bots.replies import Action, Attachment, Link, Ref, Reply, ReplyKind, Section, Table
from bots.slack.blocks import render
from bots.slack.escape import clip_mrkdwn, escape, from_slack
from bots.slack.views import home_view
from tests.slack.validate import assert_valid_blocks

nasty = st.lists(
    st.sampled_from([*"ab *_~`>&<|!@#\n", "<!channel>", "<@U1>", "é", "🙂", "```", "<#C1>"]),
    max_size=120,
).map("".join)
long_text = st.one_of(
    nasty, st.builds(lambda n, c: c * n, st.integers(0, 12_000), st.sampled_from("x&< "))
)
refs = st.lists(st.builds(Ref, id=nasty, title=nasty), max_size=30)
replies = st.builds(
    Reply,
    kind=st.sampled_from(list(ReplyKind)),
    title=long_text,
    sections=st.lists(st.builds(Section, text=long_text, heading=st.none() | nasty), max_size=60),
    links=st.lists(
        st.builds(
            Link,
            title=nasty,
            url=st.sampled_from(
                ["https://ok.example/a", "javascript:alert(1)", "https://x/<|>", ""]
            ),
        ),
        max_size=5,
    ),
    related=refs,
    suggestions=refs,
    table=st.none()
    | st.builds(
        Table,
        headers=st.sampled_from([("", "A", "B"), ("ID", "Next", "To", "Repeats", "What")]),
        rows=st.lists(st.tuples(nasty, nasty, nasty, nasty, nasty), max_size=40).map(tuple),
    ),
    note=st.none() | long_text,
    actions=st.lists(
        st.builds(
            Action,
            label=nasty,
            command=long_text,
            style=st.sampled_from(["default", "primary", "danger"]),
        ),
        max_size=120,
    ),
)


@settings(max_examples=150, deadline=None)
@given(replies, st.none() | nasty)
def test_every_reply_renders_valid_blocks(reply, share):
    rendered = render(reply, share=share or None)
    assert_valid_blocks(rendered.blocks)
    assert rendered.text.strip() and len(rendered.text) <= 3000
    assert "<!" not in rendered.text


@settings(max_examples=50, deadline=None)
@given(replies)
def test_modal_and_home_renders_are_valid(reply):
    assert_valid_blocks(render(reply, buttons=False, max_blocks=100).blocks, max_blocks=100)
    from datetime import date

    assert_valid_blocks(home_view(reply, [], today=date(2026, 1, 1))["blocks"], max_blocks=100)


def test_escape_neutralises_mentions():
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escape("@here @Everyone") == "@\u2060here @\u2060Everyone"


def test_from_slack_turns_tokens_into_words_and_keeps_channels():
    text = "<!here> <!subteam^S1|@staff> <@U1|pat> <@U2> <https://a.b|a.b> &lt;b&gt; &amp; <#C1|x>"
    assert from_slack(text) == "@here @staff @pat @U2 https://a.b <b> & <#C1|x>"


def test_clip_never_splits_an_entity_or_a_link():
    assert clip_mrkdwn("ab &amp; cd", 6) == "ab…"
    assert clip_mrkdwn("see <https://x.y/abc|link> now", 12) == "see…"


def test_entry_card_shape():
    reply = Reply(
        ReplyKind.ENTRY,
        "IEP",
        [Section("short"), Section("long", heading="More")],
        links=[Link("IDEA", "https://sites.ed.gov/idea/")],
        related=[Ref("fape", "FAPE")],
        attachment=Attachment("a.ics", b"", "text/calendar"),
    )
    blocks = render(reply, share="iep").blocks
    assert [b["type"] for b in blocks] == [
        "header",
        "section",
        "section",
        "context",
        "actions",
        "context",
        "actions",
    ]
    assert blocks[-1]["elements"][-1]["action_id"] == "iep_share"


def test_a_long_line_without_spaces_is_never_cut_inside_a_channel_link():
    # issue 15, point 12: a reply line over 2,900 characters with no space was cut inside
    # `<#C…>`, which Slack then shows as broken markup.
    for lead in range(2880, 2905):
        line = "x" * lead + "<#C0123456789>" + "y" * 100
        reply = Reply(kind=ReplyKind.INFO, title="t", sections=[Section(line)])
        texts = [b["text"]["text"] for b in render(reply).blocks if b["type"] == "section"]
        joined = "".join(texts)
        assert "<#C0123456789>" in joined, lead
        for text in texts:
            assert text.count("<") == text.count(">"), lead
