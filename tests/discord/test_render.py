"""Embeds and views stay inside Discord's limits whatever the reply holds."""

from __future__ import annotations

import discord

from bots.discord.render import render, safe_content
from bots.replies import Action, Attachment, Link, Ref, Reply, ReplyKind, Section, Table


def embed_size(embed: discord.Embed) -> int:
    total = len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "")
    return total + sum(len(f.name or "") + len(f.value or "") for f in embed.fields)


def test_a_huge_reply_fits_every_limit():
    reply = Reply(
        kind=ReplyKind.ENTRY,
        title="T" * 400,
        sections=[Section("summary " * 900)]
        + [Section("line\n" * 400, heading=f"H{i}" * 200) for i in range(40)],
        table=Table(("Due", "What"), tuple((f"2026-01-{i:02}", "x" * 2000) for i in range(30))),
        links=[Link(f"Source {i} [x]", f"https://example.org/{i}") for i in range(80)],
        note="n" * 3000,
        actions=[Action(f"Cancel #{i}", f"cancel {i}", "danger") for i in range(40)],
        related=[Ref("iep", "IEP")],
    )
    rendered = render(reply, 1200000000000000010)
    embed = rendered.embed
    assert len(embed.title) <= 256 and len(embed.description) <= 4096
    assert len(embed.fields) <= 25
    assert all(len(f.name) <= 256 and len(f.value) <= 1024 for f in embed.fields)
    assert len(embed.footer.text) <= 2048
    assert embed.fields[-1].name == "…"
    assert embed_size(embed) <= 6000
    assert rendered.view is not None and len(rendered.view.children) == 25


def test_sections_tables_links_and_file():
    reply = Reply(
        kind=ReplyKind.DEADLINES,
        title="Tracking AB-7",
        sections=[Section("2 reminders"), Section("Already past", heading="Overdue")],
        table=Table(("Due", "Deadline"), (("2026-11-13", "Initial evaluation"),)),
        links=[Link("34 CFR 300.301", "https://www.ecfr.gov/x")],
        attachment=Attachment("iep-deadlines.ics", b"BEGIN:VCALENDAR", "text/calendar"),
    )
    rendered = render(reply, 1)
    fields = {f.name: f.value for f in rendered.embed.fields}
    assert rendered.embed.description == "2 reminders"
    assert fields["Overdue"] == "Already past"
    assert fields["2026-11-13"] == "**Deadline:** Initial evaluation"
    assert fields["Sources"] == "[34 CFR 300.301](https://www.ecfr.gov/x)"
    assert rendered.file is not None and rendered.file.filename == "iep-deadlines.ics"
    kwargs = rendered.send_kwargs()
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}  # type: ignore[attr-defined]


def test_a_command_too_long_for_a_custom_id_gets_no_button():
    reply = Reply(kind=ReplyKind.INFO, title="x", actions=[Action("Long", "ask " + "a" * 90)])
    assert render(reply, 1).view is None


def test_safe_content_breaks_every_mention():
    text = safe_content("@everyone @here <@123456789012345678> <@&123456789012345678> ok")
    assert "@everyone" not in text and "@here" not in text
    assert "<@1" not in text and "<@&1" not in text
    assert len(safe_content("x" * 5000)) == 2000
