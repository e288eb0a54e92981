"""Lookup speed of the content core, and start-up time of `iepbot ask`.

Run: .venv/bin/python bench/lookup.py
Prints p50/p99 per lookup (in-process, all titles, all aliases and 200 typo'd queries) and
the median wall time of a whole `iepbot ask "504 plan"` process.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from content.loader import load_library
from content.search import SearchIndex

TYPOS = 200
STARTS = 10


def typo(word: str, rng: random.Random) -> str:
    """One deletion, swap, doubling or substitution: the mistakes people make on a phone."""
    if len(word) < 3:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("delete", "swap", "double", "substitute"))
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "swap":
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiourstln") + word[i + 1 :]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    pack = load_library().packs["en"]
    index = SearchIndex(pack)
    titles = [e.title for e in pack.entries.values()]
    aliases = [a for e in pack.entries.values() for a in e.aliases]
    rng = random.Random(2026)
    names = titles + aliases
    typos = [typo(rng.choice(names), rng) for _ in range(TYPOS)]
    queries = titles + aliases + typos
    for q in queries[:50]:  # warm caches and rapidfuzz's first call
        index.search(q)
    timings: list[float] = []
    found_typos = 0
    for q in queries:
        start = time.perf_counter_ns()
        result = index.search(q)
        timings.append((time.perf_counter_ns() - start) / 1000)
        if q in typos and result.found:
            found_typos += 1
    print(
        f"entries: {len(pack.entries)}; queries: {len(queries)} "
        f"({len(titles)} titles, {len(aliases)} aliases, {len(typos)} typo'd)"
    )
    print(
        f"lookup p50: {percentile(timings, 50):.1f} us; p99: {percentile(timings, 99):.1f} us; "
        f"max: {max(timings):.1f} us"
    )
    print(f"typo'd queries answered with an entry: {found_typos}/{len(typos)}")

    exe = Path(sys.executable).with_name("iepbot")
    walls: list[float] = []
    for _ in range(STARTS):
        start = time.perf_counter()
        subprocess.run([str(exe), "ask", "504 plan"], check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    print(
        f'`iepbot ask "504 plan"` process: median {statistics.median(walls) * 1000:.0f} ms, '
        f"min {min(walls) * 1000:.0f} ms over {STARTS} runs"
    )


if __name__ == "__main__":
    main()
