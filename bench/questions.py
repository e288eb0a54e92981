"""How well and how fast the bot answers real questions: the development question set.

Run: .venv/bin/python bench/questions.py [--runs 5] [--show wrong|missed|all] [--files GLOBS]
Prints right / wrong / missed by language and by stage of the process over every
tests/questions/*.yaml (format: /work/notes/question_set_format.md; the language is the file
name's prefix, e.g. ``en_a.yaml``), or only over the files matching ``--files`` (comma-separated
globs relative to tests/questions, e.g. ``--files 'en_c.yaml,es_c.yaml'`` for a held-out part,
or ``--files 'off_topic/*.yaml'`` for the ordinary school questions the bot should decline),
then how often the ranking puts a right entry first, per file (the ceiling the confidence rule
can only lower), then p50/p99 answer time in-process (each question timed
over several runs, keeping its minimum, as the other benchmarks do) and the wall time of an
``iepbot ask`` process for a term and for a sentence.

tests/content/test_question_set.py imports ``load_questions`` and ``score`` from here, so the
test and the benchmark count the same way.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "questions"
# Ordinary school and parenting questions no entry answers: `--files 'off_topic/*.yaml'`
# shows how many the bot answers anyway (counted as wrong).
OFF_TOPIC = "off_topic/*.yaml"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from content.loader import load_library  # noqa: E402
from content.model import Library  # noqa: E402
from content.questions import Answer, AnswerKind, QuestionIndex  # noqa: E402

STARTS = 7


@dataclass(frozen=True)
class Question:
    q: str
    lang: str
    answers: tuple[str, ...]
    compare: tuple[str, ...]
    stage: str
    source: str
    file: str


@dataclass(frozen=True)
class Scored:
    question: Question
    outcome: str  # "right" | "wrong" | "missed"
    got: str  # what the bot did, for a report line
    offered: bool = False  # missed, but a right entry is among the "not sure" choices


def question_files(
    folder: Path = QUESTIONS, patterns: str | tuple[str, ...] = ("*.yaml",)
) -> list[Path]:
    """The files matching any of ``patterns``, globs relative to ``folder``, each of which may
    hold several separated by commas ("en_c.yaml,es_c.yaml", "*_a.yaml"): how a held-out part
    of the set is chosen."""
    parts = (patterns,) if isinstance(patterns, str) else patterns
    globs = [g.strip() for part in parts for g in part.split(",") if g.strip()]
    return sorted({path for glob in globs for path in folder.glob(glob)})


def load_questions(
    folder: Path = QUESTIONS, patterns: str | tuple[str, ...] = ("*.yaml",)
) -> list[Question]:
    """Every question of every file matching ``patterns`` (see ``question_files``); the
    language is the file name's prefix ("es_b.yaml")."""
    found: list[Question] = []
    for path in question_files(folder, patterns):
        lang = path.stem.split("_", 1)[0]
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found.append(
                Question(
                    q=str(item["q"]),
                    lang=lang,
                    answers=tuple(item.get("answers") or ()),
                    compare=tuple(item.get("compare") or ()),
                    stage=str(item.get("stage", "")),
                    source=str(item.get("source", "")),
                    file=path.name,
                )
            )
    return found


def declined(question: Question) -> str:
    """The outcome of not answering: right for a question no entry answers (``answers: []``
    and no ``compare``), missed for any other."""
    return "missed" if question.answers or question.compare else "right"


def judge(question: Question, answer: Answer) -> Scored:
    """right: a confident answer among ``answers``, or compare with the same pair; wrong: any
    other confident answer; missed: unsure or not found. A question no entry answers
    (``answers: []``, no ``compare``) is right when the bot says it is not sure, and wrong when
    it answers: the packs have nothing to say, so any confident answer is a wrong one."""
    if answer.kind is AnswerKind.COMPARE and answer.pair is not None:
        pair = {answer.pair[0].id, answer.pair[1].id}
        got = "compare " + " ".join(sorted(pair))
        if question.compare and pair == set(question.compare):
            return Scored(question, "right", got)
        return Scored(question, "wrong", got)
    if answer.kind is AnswerKind.FOUND and answer.entry is not None:
        got = f"{answer.entry.id} ({answer.stage})"
        return Scored(question, "right" if answer.entry.id in question.answers else "wrong", got)
    outcome = declined(question)
    offered = any(e.id in question.answers for e in answer.suggestions)
    got = "unsure: " + ", ".join(e.id for e in answer.suggestions)
    return Scored(question, outcome, got, offered=outcome == "missed" and offered)


def indexes(library: Library) -> dict[str, QuestionIndex]:
    return {lang: QuestionIndex(library.pack(lang)) for lang in library.languages}


def score(questions: list[Question], library: Library | None = None) -> list[Scored]:
    library = library or load_library()
    by_lang = indexes(library)
    return [judge(q, by_lang[q.lang].answer(q.q)) for q in questions]


def breakdown(scored: list[Scored]) -> str:
    """A table: right / wrong / missed per language, per stage, and overall; of the missed,
    how many had a right entry among the "not sure" choices (``offered``: one tap away)."""

    def line(label: str, items: list[Scored]) -> str:
        counts = Counter(s.outcome for s in items)
        n = len(items) or 1
        return (
            f"{label:<20} {len(items):>4}  right {counts['right']:>4} "
            f"({100 * counts['right'] / n:5.1f}%)  wrong {counts['wrong']:>3} "
            f"({100 * counts['wrong'] / n:4.1f}%)  missed {counts['missed']:>3}"
            f" (offered {sum(s.offered for s in items):>3})"
        )

    out = [line("all", scored)]
    for lang in sorted({s.question.lang for s in scored}):
        out.append(line(f"lang {lang}", [s for s in scored if s.question.lang == lang]))
    for stage in sorted({s.question.stage for s in scored}):
        out.append(line(f"stage {stage}", [s for s in scored if s.question.stage == stage]))
    return "\n".join(out)


def ranked_first(questions: list[Question], library: Library) -> str:
    """How often the ranking puts a right entry first, before the confidence rule decides
    whether to say it, per file: the ceiling of right answers that the rule can only lower."""
    by_lang = indexes(library)
    hits: dict[str, list[bool]] = {}
    for q in questions:
        if q.answers:
            entries = by_lang[q.lang].rank(q.q).entries
            hits.setdefault(q.file, []).append(bool(entries) and entries[0].id in q.answers)
    return "ranked first (questions with an answer): " + ", ".join(
        f"{name} {100 * sum(h) / len(h):.1f}%" for name, h in sorted(hits.items())
    )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timings(questions: list[Question], library: Library, runs: int) -> list[float]:
    """Per question, the fastest of ``runs`` answers, in microseconds (indexes already built)."""
    by_lang = indexes(library)
    for q in questions:  # build the rankers and warm caches
        by_lang[q.lang].answer(q.q)
    best = [float("inf")] * len(questions)
    for _ in range(runs):
        for i, q in enumerate(questions):
            start = time.perf_counter_ns()
            by_lang[q.lang].answer(q.q)
            best[i] = min(best[i], (time.perf_counter_ns() - start) / 1000)
    return best


def process_start(args: list[str]) -> tuple[float, float]:
    exe = Path(sys.executable).with_name("iepbot")
    walls = []
    for _ in range(STARTS):
        start = time.perf_counter()
        subprocess.run([str(exe), "ask", *args], capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls) * 1000, min(walls) * 1000


HELD_OUT = (("*_a.yaml,*_b.yaml,*_dev_engine.yaml", "*_c.yaml"),)


def calibrate(library: Library) -> None:
    """How the ranking's parameters in content/questions.py were chosen: for each, a few
    values (one changed at a time), the share of ranked questions whose right entry comes
    first (top 1) and among the first three (top 3), on parts A+B and on part C apart, as part
    C was written after the packs' example questions. The confidence rule is fitted apart
    (bench/confidence.py). Prints the table; it changes nothing."""
    import content.questions as engine

    parts = {
        name: load_questions(patterns=globs)
        for pair in HELD_OUT
        for name, globs in zip(("A+B", "C"), pair, strict=True)
    }
    plain = indexes(library)
    ranked = {
        name: [q for q in qs if plain[q.lang].answer(q.q).stage is engine.Stage.RANKED]
        for name, qs in parts.items()
    }

    def report(label: str) -> None:
        by_lang = indexes(library)
        cells = []
        for name, qs in ranked.items():
            firsts = [[e.id for e in by_lang[q.lang].rank(q.q).entries[:3]] for q in qs]
            top1 = sum(bool(f) and f[0] in q.answers for f, q in zip(firsts, qs, strict=True))
            top3 = sum(bool(set(f) & set(q.answers)) for f, q in zip(firsts, qs, strict=True))
            cells.append(f"{name} top1 {top1 / len(qs):6.1%} top3 {top3 / len(qs):6.1%}")
        print(f"{label:<24} " + "  |  ".join(cells))

    grid: dict[str, tuple[float, ...]] = {
        "K1": (0.6, 0.9, 1.5),
        "B": (0.5, 0.75, 0.9),
        "MENTION": (0.0, 2.0, 4.0, 6.0),
        "EXPANSION": (0.3, 0.5, 1.0),
        "COVERAGE_BOOST": (0.0, 1.0, 2.0, 3.0),
    }
    report("as in the code")
    for name, values in grid.items():
        saved = getattr(engine, name)
        try:
            for value in values:
                setattr(engine, name, value)
                report(f"{name} = {value}")
        finally:
            setattr(engine, name, saved)
    for field in engine.WEIGHTS:
        saved = engine.WEIGHTS[field]
        try:
            for factor in (0.5, 2.0):
                engine.WEIGHTS[field] = saved * factor
                report(f"WEIGHTS[{field}] = {saved * factor:g}")
        finally:
            engine.WEIGHTS[field] = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--show", choices=("wrong", "missed", "all"), help="list those questions")
    parser.add_argument("--no-process", action="store_true", help="skip the process timings")
    parser.add_argument("--calibrate", action="store_true", help="vary the ranking's parameters")
    parser.add_argument(
        "--files",
        nargs="+",
        default=["*.yaml"],
        help="globs relative to tests/questions, separated by spaces or commas (default: all)",
    )
    args = parser.parse_args()
    library = load_library()
    questions = load_questions(QUESTIONS, tuple(args.files))
    if not questions:
        parser.error(f"no questions in {args.files!r} under {QUESTIONS}")
    if args.calibrate:
        calibrate(library)
        return
    scored = score(questions, library)
    print(f"questions: {len(questions)} from {len({q.file for q in questions})} file(s)")
    print(breakdown(scored))
    stages = Counter(
        s.got.split("(")[-1].rstrip(")") for s in scored if s.outcome != "missed" and "(" in s.got
    )
    print("decided by: " + ", ".join(f"{k} {v}" for k, v in sorted(stages.items())))
    print(ranked_first(questions, library))
    if args.show:
        for s in scored:
            if args.show == "all" or s.outcome == args.show:
                wanted = ",".join(s.question.answers)
                print(
                    f"  [{s.outcome}] {s.question.lang} {s.question.q!r} -> {s.got} (want {wanted})"
                )
    micro = timings(questions, library, args.runs)
    print(
        f"answer time (min of {args.runs} runs per question): p50 {percentile(micro, 50):.0f} us, "
        f"p99 {percentile(micro, 99):.0f} us, max {max(micro):.0f} us"
    )
    if not args.no_process:
        for label, argv in (
            ("term", ["504 plan"]),
            ("sentence", ["how often is the iep reviewed"]),
        ):
            median, fastest = process_start(argv)
            print(
                f"`iepbot ask` process ({label}): median {median:.0f} ms, min {fastest:.0f} ms "
                f"over {STARTS} runs"
            )


if __name__ == "__main__":
    main()
