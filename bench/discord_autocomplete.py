"""Discord `/iep` term autocomplete: time per call and choice counts, for any prefix.

Run: .venv/bin/python bench/discord_autocomplete.py
Discord drops an autocomplete answer after 3 seconds and accepts at most 25 choices. This
prints p50/p99/max per call of the adapter's term autocomplete (every prefix of every title and
alias, typo'd words, junk and over-long input), then the same through discord.py end to end:
an autocomplete interaction dispatched by the client, answered over HTTP to a local fake
Discord API. It fails (exit 1) if any answer has more than 25 choices or p99 exceeds 100 ms.
"""

from __future__ import annotations

import asyncio
import random
import string
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.discord.fake_discord

import discord  # noqa: E402

from bots.context import Context  # noqa: E402
from bots.discord.adapter import IepClient, configure_api_url  # noqa: E402
from bots.discord.commands import term_choices  # noqa: E402
from bots.discord.handler import Handler  # noqa: E402
from bots.discord.notifier import DiscordNotifier  # noqa: E402
from tests.discord import payloads  # noqa: E402
from tests.discord.fake_discord import TOKEN, FakeDiscord  # noqa: E402

BUDGET_MS = 100.0
END_TO_END = 400


class _Interaction:
    locale = discord.Locale.american_english


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word + word[-1:]
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + rng.choice("aeiourstln") + word[i + 1 :]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def prefixes(ctx: Context, rng: random.Random) -> list[str]:
    pack = ctx.pack()
    names = [e.title for e in pack.entries.values()] + [
        a for e in pack.entries.values() for a in e.aliases
    ]
    out = [""]
    for name in names:
        out += [name[:n] for n in range(1, len(name) + 1)]
    out += [typo(rng.choice(names), rng) for _ in range(300)]
    junk = string.ascii_letters + string.digits + string.punctuation + " áéíñü😀"
    out += ["".join(rng.choices(junk, k=rng.randint(1, 40))) for _ in range(300)]
    out += ["a" * 100, "x" * 6000, "what is " * 20]
    return out


def in_process(ctx: Context, queries: list[str]) -> tuple[list[float], int]:
    handler = Handler(ctx, DiscordNotifier())
    for q in queries[:50]:
        term_choices(handler, _Interaction(), q)  # type: ignore[arg-type]
    timings: list[float] = []
    most = 0
    for q in queries:
        start = time.perf_counter()
        choices = term_choices(handler, _Interaction(), q)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - start) * 1000)
        most = max(most, len(choices))
    return timings, most


async def end_to_end(ctx: Context, queries: list[str]) -> tuple[list[float], int]:
    fake = FakeDiscord()
    await fake.start()
    configure_api_url(fake.url)
    with tempfile.TemporaryDirectory() as folder:
        client = IepClient(Handler(ctx, DiscordNotifier()), sync_state=Path(folder) / "s.json")
        await client.login(TOKEN)
        timings: list[float] = []
        most = 0
        try:
            for q in queries:
                payload = payloads.command("ask", focused="term", term=q)
                seen = len(fake.callbacks)
                start = time.perf_counter()
                client._connection.parse_interaction_create(payload)
                await fake.wait_for(lambda seen=seen: len(fake.callbacks) > seen)
                timings.append((time.perf_counter() - start) * 1000)
                most = max(most, len(fake.callbacks[-1].body["data"]["choices"]))
        finally:
            await client.close()
            await fake.stop()
    return timings, most


def report(label: str, timings: list[float], most: int) -> bool:
    p99 = percentile(timings, 99)
    print(
        f"{label}: {len(timings)} calls; p50 {percentile(timings, 50):.2f} ms; "
        f"p99 {p99:.2f} ms; max {max(timings):.2f} ms; most choices {most}"
    )
    return most <= 25 and p99 <= BUDGET_MS


def main() -> int:
    ctx = Context.default()
    rng = random.Random(2026)
    queries = prefixes(ctx, rng)
    ok = report("term autocomplete (in process)", *in_process(ctx, queries))
    sample = rng.sample(queries, min(END_TO_END, len(queries)))
    ok &= report("through discord.py to a local fake API", *asyncio.run(end_to_end(ctx, sample)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
