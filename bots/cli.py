"""The `iepbot` command: lookups, deadlines, content checks and the console.

Exit codes are part of the interface tools rely on (see DESIGN.md): 0 found or valid, 1 not
found or invalid content, 2 bad input. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from content.i18n import N_

LANGS = ("en", "es")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _ask(args: argparse.Namespace) -> int:
    from bots.context import Context
    from bots.render_text import render_text
    from bots.replies import Ref
    from bots.verbs.lookup import lookup

    text = " ".join(args.text).strip()
    if not text:
        return _fail('nothing to look up; try: iepbot ask "504 plan"')
    result, reply = lookup(Context.default(), text, args.lang)
    if result is None:
        return _fail(reply.title.lower() + "; use a few words")
    # A comparison is an answer (exit 0) but not one entry: for --json it is "found": false
    # with the two entries as suggestions, so the JSON shape stays what tools already read.
    entry = result.entry if result.found else None
    if args.json:
        refs = reply.related if entry else reply.suggestions
        if result.pair is not None:
            refs = [Ref(e.id, e.title) for e in result.pair]
        payload = {
            "query": text,
            "found": entry is not None,
            "id": entry.id if entry else None,
            "title": entry.title if entry else None,
            "summary": entry.summary if entry else None,
            "body": entry.body if entry else None,
            "related": [{"id": r.id, "title": r.title} for r in reply.related],
            "sources": [{"title": s.title, "url": s.url} for s in entry.sources] if entry else [],
            "suggestions": [] if entry else [{"id": r.id, "title": r.title} for r in refs],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(render_text(reply))
    return 0 if reply.ok else 1


def _deadlines(args: argparse.Namespace) -> int:
    from bots.deadlines_cli import run_deadlines

    return run_deadlines(args)


def _deadline_rule_check() -> tuple[list[str], list[str]]:
    """Problems in the deadline rule files (federal.yaml, states/XX.yaml), one line each, and
    the summary lines to print when there are none; a state with no file yet is a warning."""
    from content.deadlines import rules

    try:
        rules.load_federal(rules.FEDERAL_FILE)
    except rules.RuleDataError as exc:
        return [str(exc)], []
    states, problems = rules.check_states(rules.STATES_DIR)
    unverified = sum(1 for state in states.values() for rule in state.rules if not rule.verified)
    info = [
        f"ok: deadline rules: {len(states)} state file(s), {unverified} rule(s) not yet"
        " verified against the official text"
    ]
    missing = rules.states_without_file(states)
    if missing:
        info.append(f"warning: no deadline rule file yet ({len(missing)}): {', '.join(missing)}")
    return problems, info


def _content_check(args: argparse.Namespace) -> int:
    from content.loader import check_packs

    library, issues = check_packs(Path(args.dir) if args.dir else None)
    rule_problems, rule_info = _deadline_rule_check()
    if library is None or rule_problems:
        for issue in issues:
            print(issue)
        for problem in rule_problems:
            print(problem)
        total = len(issues) + len(rule_problems)
        print(f"{total} problem(s) found; nothing was loaded.", file=sys.stderr)
        return 1
    for lang in library.languages:
        print(f"ok: {lang}: {len(library.packs[lang].entries)} entries")
    for lang in library.languages:
        missing = library.missing(lang)
        if missing:
            print(f"not yet in {lang} ({len(missing)}): {', '.join(missing)}")
    for line in rule_info:
        print(line)
    return 0


HANDED_BACK = N_(
    "Reminders still waiting to be sent: {count}. They go out, marked late, the next time "
    "iepbot starts."
)


def _console(args: argparse.Namespace) -> int:
    import asyncio  # only the console and the server need an event loop

    from bots.console import ConsoleNotifier, console_asker, local_timezone_name, run_console
    from bots.preferences import reply_lang
    from bots.runtime import start_runtime
    from content.i18n import tr
    from scheduler.store.errors import StoreError
    from scheduler.timing.errors import TimeError

    try:
        grace = _grace(args.grace)
    except TimeError as exc:
        return _fail(f"--grace: {exc}")

    async def session() -> int:
        zone = local_timezone_name()
        runtime = await start_runtime(
            {"console": ConsoleNotifier(sys.stdout)},
            database_url=args.db,
            grace=grace,
            default_timezone=zone,
        )
        asker = console_asker(zone)
        try:
            return await run_console(runtime.ctx, asker=asker)
        finally:
            if left := await runtime.stop():
                lang = reply_lang(runtime.ctx, asker)
                print(tr(lang, HANDED_BACK, count=left), flush=True)

    try:
        return asyncio.run(session())
    except StoreError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130


def _grace(text: str) -> timedelta:
    from scheduler.timing.durations import parse_duration

    return parse_duration(text)


def _run(args: argparse.Namespace) -> int:
    import asyncio  # only the console and the server need an event loop
    import logging
    import os

    from bots.run import serve
    from scheduler.store.errors import StoreError
    from scheduler.timing.errors import TimeError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        grace = _grace(args.grace)
    except TimeError as exc:
        return _fail(f"--grace: {exc}")
    pushes = args.pushes or os.environ.get("IEPBOT_PUSHES")
    try:
        return asyncio.run(
            serve(
                os.environ,
                port=args.port,
                host=args.host,
                database_url=args.db,
                grace=grace,
                pushes=Path(pushes) if pushes else None,
                health_port=args.health_port if args.health_port >= 0 else None,
            )
        )
    except StoreError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130


def _pushes_check(args: argparse.Namespace) -> int:
    from bots.adapters import PLATFORMS
    from content.loader import load_library
    from scheduler.pushes.config import load_pushes

    pushes, issues = load_pushes(Path(args.file), load_library(), PLATFORMS)
    for issue in issues:
        print(issue)
    if issues:
        print(f"{len(issues)} problem(s) found; the file would not be loaded.", file=sys.stderr)
        return 1
    print(f"ok: {len(pushes)} scheduled push(es)")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from bots.doctor import Options, run_doctor

    options = Options(
        database_url=args.db,
        pushes=args.pushes,
        health_port=args.health_port if args.health_port >= 0 else None,
    )
    return run_doctor(os.environ, options, args.json)


def _discord_sync(args: argparse.Namespace) -> int:
    from bots.discord.cli import run_sync

    return run_sync(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iepbot", description="Plain-language answers and deadlines for IEPs and 504 plans."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = sub.add_parser("ask", help='explain a term, e.g. iepbot ask "504 plan"')
    ask.add_argument("text", nargs="+", help="the term or question")
    ask.add_argument("--lang", choices=LANGS, default="en")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    ask.set_defaults(func=_ask)

    deadlines = sub.add_parser("deadlines", help="legal due dates after an IEP-process event")
    deadlines.add_argument(
        "event", help="request, referral, consent, eligibility, iep, evaluation or birthdate"
    )
    deadlines.add_argument("date", help="the event's date, YYYY-MM-DD")
    deadlines.add_argument("--state", help="two-letter state code for state rules, e.g. TX")
    deadlines.add_argument("--closures", help="school calendar YAML (closures and breaks)")
    deadlines.add_argument("--json", action="store_true", help="machine-readable output")
    from bots.deadlines_cli import add_count_options

    add_count_options(deadlines)
    deadlines.set_defaults(func=_deadlines)

    content = sub.add_parser("content", help="work with the content packs")
    content_sub = content.add_subparsers(dest="content_command", required=True, metavar="ACTION")
    check = content_sub.add_parser("check", help="validate packs; exit 1 on any problem")
    check.add_argument("dir", nargs="?", help="packs folder (default: the built-in packs)")
    check.set_defaults(func=_content_check)

    console = sub.add_parser("console", help="the bot in this terminal, no tokens needed")
    console.add_argument(
        "--db", help="database URL (default: $IEPBOT_DATABASE_URL or a SQLite file)"
    )
    console.add_argument(
        "--grace",
        default="24h",
        help="deliver reminders missed while offline up to this late, marked late (default 24h)",
    )
    console.set_defaults(func=_console)

    run = sub.add_parser("run", help="serve Slack and/or Discord with the scheduler")
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    run.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server, by design
    run.add_argument("--grace", default="24h", help="catch-up window for missed reminders")
    doctor = sub.add_parser(
        "doctor", help="check the configuration `iepbot run` would use; exit 1 on a problem"
    )
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    for command in (run, doctor):  # doctor checks exactly what run would use
        command.add_argument("--db", help="database URL (default: $IEPBOT_DATABASE_URL or SQLite)")
        command.add_argument("--pushes", help="scheduled pushes YAML (default: $IEPBOT_PUSHES)")
        command.add_argument(
            "--health-port",
            type=int,
            default=int(os.environ.get("IEPBOT_HEALTH_PORT", "8081")),
            help="port of /healthz, /metrics and calendar feeds "
            "(default 8081 or $IEPBOT_HEALTH_PORT; -1: off)",
        )
    run.set_defaults(func=_run)
    doctor.set_defaults(func=_doctor)

    pushes = sub.add_parser("pushes", help="scheduled community posts")
    pushes_sub = pushes.add_subparsers(dest="pushes_command", required=True, metavar="ACTION")
    pushes_check = pushes_sub.add_parser("check", help="validate a pushes YAML; exit 1 on errors")
    pushes_check.add_argument("file")
    pushes_check.set_defaults(func=_pushes_check)

    discord = sub.add_parser("discord", help="Discord maintenance")
    discord_sub = discord.add_subparsers(dest="discord_command", required=True, metavar="ACTION")
    sync = discord_sub.add_parser("sync", help="publish the /iep commands to Discord now")
    sync.add_argument(
        "--state", help="sync-state file (default: $IEPBOT_DISCORD_SYNC_FILE or the data folder)"
    )
    sync.set_defaults(func=_discord_sync)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from content.loader import ContentError

    try:
        return int(args.func(args))
    except BrokenPipeError:
        # `iepbot ask ... | head`: the reader left; stop quietly like other Unix tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except ContentError as exc:
        print(
            f"error: the content packs are invalid ({len(exc.issues)} problem(s)); "
            "run `iepbot content check`",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
