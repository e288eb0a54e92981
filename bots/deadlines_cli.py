"""`iepbot deadlines EVENT DATE [--state XX] [--closures FILE] [--absences N] [--explain] [--json]`.

The JSON shape and the exit codes are a stable interface (DESIGN.md): 0 with the deadlines,
2 with one `error: ...` line on stderr for any bad input. Imports of the engine happen inside
``run_deadlines`` so that `iepbot ask` does not pay for them.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

EVENT_HELP = (
    "request (a parent's request for an evaluation), referral (Part C), consent, eligibility,"
    " iep, evaluation or birthdate"
)


def add_count_options(parser: argparse.ArgumentParser) -> None:
    """--absences and --explain, shared by both parsers of the `deadlines` subcommand."""
    parser.add_argument(
        "--absences",
        type=int,
        metavar="N",
        help="school days the student missed during the evaluation count (Texas extends by 3+)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="show each count step by step (day 1, skipped weekends, closures, summer)",
    )


def add_deadlines_parser(subparsers: Any) -> None:
    """Add the `deadlines` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "deadlines",
        help="legal due dates after an event, e.g. iepbot deadlines consent 2026-09-15",
        description="Compute the legal due dates that follow an event (no reminders are made).",
    )
    parser.add_argument("event", help=EVENT_HELP)
    parser.add_argument("date", help="the date of the event, YYYY-MM-DD")
    parser.add_argument("--state", help="two-letter state code, e.g. TX (default: federal rules)")
    parser.add_argument(
        "--closures",
        metavar="FILE",
        help="school calendar YAML (first_day, last_day, closures) for exact school-day counts",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_count_options(parser)
    parser.set_defaults(func=run_deadlines)


def run_deadlines(args: argparse.Namespace) -> int:
    from bots.render_text import render_text
    from bots.verbs.deadlines import deadlines_reply
    from content.deadlines import (
        DeadlineInputError,
        RuleDataError,
        compute_deadlines,
        load_school_calendar,
        normalise_event,
        normalise_state,
        parse_date,
    )

    try:
        event = normalise_event(args.event)
        on = parse_date(args.date)
        state = normalise_state(args.state)
        calendar = load_school_calendar(args.closures) if args.closures else None
        report = compute_deadlines(
            event,
            on,
            state=state,
            calendar=calendar,
            today=date.today(),
            absences=getattr(args, "absences", None),
        )
    except DeadlineInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RuleDataError as exc:  # a packaging bug, not the user's fault; still one line
        print(f"error: the built-in deadline rules are broken: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_text(deadlines_reply(report, explain=getattr(args, "explain", False))))
    return 0
