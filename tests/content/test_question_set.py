"""The development question set (tests/questions/*.yaml): real questions people ask, scored
the way bench/questions.py scores them. Confidently wrong <= 2% overall (the issue's bar); right
at least RIGHT_MIN (the issue's bar of 90% is not reached yet: see below)."""

from __future__ import annotations

from collections import Counter

from bench.questions import QUESTIONS, breakdown, load_questions, score
from content.model import Library

# Issue 12 asks for right >= 90%. Not reached yet: 77.8% right, 1.4% wrong over 492 questions
# (parts A-C) on 2026-12-01 with the fitted confidence rule (bench/confidence.py; cross-validated
# by file it is 74.8% right, 1.3% wrong on the held-out files). This floor keeps what is reached
# from slipping back while the work goes on, and the wrong-answer ceiling is the issue's own.
# Raise RIGHT_MIN as the ranker and the packs improve (refit the rule after content changes:
# bench/confidence.py --write); never lower WRONG_MAX.
RIGHT_MIN = 0.77
WRONG_MAX = 0.02


def test_every_question_names_real_entries_and_a_known_stage(library: Library) -> None:
    stages = {
        "noticing",
        "referral-consent",
        "evaluation",
        "eligibility",
        "the-iep",
        "services",
        "early-intervention",
        "private-school",
        "moving",
        "section-504",
        "discipline",
        "disputes",
        "rights",
        "transition",
        "college",
    }
    questions = load_questions()
    assert questions, f"no questions under {QUESTIONS}"
    for q in questions:
        assert q.lang in library.languages, (q.file, q.q)
        assert q.stage in stages, (q.file, q.q, q.stage)
        assert q.answers or q.compare, (q.file, q.q)
        for entry_id in (*q.answers, *q.compare):
            assert entry_id in library.packs["en"].entries, (q.file, q.q, entry_id)


def test_thresholds(library: Library) -> None:
    scored = score(load_questions(), library)
    counts = Counter(s.outcome for s in scored)
    n = len(scored)
    right, wrong = counts["right"] / n, counts["wrong"] / n
    report = (
        breakdown(scored)
        + "\n"
        + "\n".join(
            f"  [{s.outcome}] {s.question.lang} {s.question.q!r} -> {s.got}"
            f" (want {','.join(s.question.answers)})"
            for s in scored
            if s.outcome != "right"
        )
    )
    assert right >= RIGHT_MIN and wrong <= WRONG_MAX, (
        f"right {right:.1%} (need >= {RIGHT_MIN:.0%}), wrong {wrong:.1%} "
        f"(need <= {WRONG_MAX:.0%})\n{report}"
    )
