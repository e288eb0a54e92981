"""Deadline rules, read from YAML so a lawyer or coordinator can check them without reading code.

``data/federal.yaml`` holds the IDEA defaults; ``data/states/XX.yaml`` holds one jurisdiction's
rules, each of which replaces the federal rule with the same id or adds a rule of its own, plus
``follows_federal`` items for the topics where the state has no rule of its own. Every state
rule carries its citation, an https link, a short quote of the text and whether someone read
that quote in the official text (``verified``); the loader refuses a rule without them: a
deadline nobody can check is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from content.deadlines.errors import RuleDataError
from content.deadlines.regions import TERRITORIES, US_STATES
from content.deadlines.yaml_io import YamlReadError, read_yaml

DATA = Path(__file__).parent / "data"
FEDERAL_FILE = DATA / "federal.yaml"
STATES_DIR = DATA / "states"

EVENTS: tuple[str, ...] = (
    "referral", "consent", "eligibility", "iep", "evaluation", "birthdate", "request",
)  # fmt: skip
# The four topics every state file must cover, by a rule or by a follows_federal item.
TOPICS: tuple[str, ...] = (
    "request_response", "initial_evaluation", "iep_meeting", "transition_services",
)  # fmt: skip
MAX_QUOTE = 300
UNITS = ("calendar", "school")
DIRECTIONS = ("after", "before")
KINDS = ("deadline", "window_start")
MAX_DAYS = 400
MAX_MONTHS = 12 * 25

_ID = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_FIELDS = (
    "id", "event", "title", "citation", "source", "plain", "days", "unit", "months", "years",
    "direction", "from_age", "after", "pause", "summer_moves_to_first_day", "school_calendar",
    "basis", "caveat", "year_end", "kind", "state_varies",
    "title_es", "plain_es", "basis_es", "caveat_es", "year_end_es",
    "quote", "verified", "missing", "covers", "summer_move_school_day", "year_end_move",
    "absence_extension",
)  # fmt: skip
_YEAR_END_FIELDS = (
    "left_unit", "left_min", "left_max", "due_month_day", "next_year_days", "next_year_unit",
    "before_next_first_day",
)  # fmt: skip
_FOLLOWS_FIELDS = ("topic", "citation", "source", "quote", "verified", "missing")
# The rule's own sentences in Spanish, next to the English in the YAML, so a reviewer reads
# both side by side; the phrases the engine builds around them come from the message catalogue.
TRANSLATED = ("title", "plain", "basis", "caveat", "year_end")
LANG_SUFFIXES = ("es",)
_PAUSE_FIELDS = ("summer", "breaks_longer_than_school_days")


@dataclass(frozen=True)
class Pause:
    """Days a calendar-day clock stands still: summer, and breaks longer than N school days."""

    summer: bool = False
    breaks_longer_than_school_days: int | None = None


@dataclass(frozen=True)
class YearEndMove:
    """A rule's own year-end exception, applied when a school calendar says how many days were
    left in the year at the event: Texas (35 to 44 school days left -> 30 June), California
    (30 days or less -> 30 days after the next year starts), Illinois (fewer than 60 school
    days -> before the first day of the next year)."""

    left_unit: str  # how the days left before the last day are counted: school | calendar
    left_max: int
    left_min: int = 0
    due_month_day: tuple[int, int] | None = None  # (6, 30): that day of the last day's year
    next_year_days: int | None = None  # N days after the next school year's first day
    next_year_unit: str = "calendar"
    before_next_first_day: bool = False  # the day before the next school year starts


@dataclass(frozen=True)
class FollowsFederal:
    """A topic where the state has no rule of its own, with the state text that says so."""

    topic: str
    citation: str
    source: str
    quote: str | None
    verified: bool
    missing: str | None


@dataclass(frozen=True)
class Rule:
    """One legal deadline: when it starts, how it is counted, and where the law says so."""

    id: str
    event: str
    title: str
    citation: str
    source: str
    plain: str
    days: int | None = None
    unit: str = "calendar"
    months: int | None = None
    years: int | None = None
    direction: str = "after"
    from_age: float | None = None
    after: str | None = None
    pause: Pause | None = None
    summer_moves_to_first_day: bool = False
    school_calendar: bool = True
    basis: str | None = None
    caveat: str | None = None
    year_end: str | None = None
    kind: str = "deadline"
    state_varies: bool = False
    state: str | None = None
    quote: str | None = None
    verified: bool = True
    missing: str | None = None
    covers: tuple[str, ...] = ()
    summer_move_school_day: int | None = None
    year_end_move: YearEndMove | None = None
    absence_extension: int | None = None
    # ((field, lang), text) pairs, e.g. (("title", "es"), "Evaluación inicial").
    translations: tuple[tuple[tuple[str, str], str], ...] = ()

    def text(self, name: str, lang: str = "en") -> str | None:
        """A translatable field in ``lang``, or the English when that rule has no translation:
        a rule without Spanish still shows its deadline, only in English."""
        english: str | None = getattr(self, name)
        if lang == "en" or english is None:
            return english
        return dict(self.translations).get((name, lang), english)

    @property
    def in_effect_at_age(self) -> bool:
        """A birthday rule with no count of its own: "in the IEP in effect when the student
        turns N", due the day before that birthday (34 CFR 300.320(b) wording)."""
        return (
            self.from_age is not None
            and self.days is None
            and self.months is None
            and (self.years is None)
        )


@dataclass(frozen=True)
class StateRules:
    code: str
    name: str
    rules: tuple[Rule, ...]
    follows_federal: tuple[FollowsFederal, ...] = ()
    file: str = ""

    def topics(self) -> set[str]:
        """The four topics this file answers, by a rule or by a follows_federal item."""
        found = {item.topic for item in self.follows_federal}
        for rule in self.rules:
            found.update(rule.covers)
            if rule.id in TOPICS:  # e.g. North Carolina: the evaluation clock starts at referral
                found.add(rule.id)
            elif rule.event == "request" and not rule.covers:
                found.add("request_response")
            elif rule.event == "consent" and rule.after is not None:
                found.add("iep_meeting")  # e.g. Texas: ARD meeting counted from the report
        return found


class _Checker:
    """Reads one rule mapping, naming file, rule and field in every complaint."""

    def __init__(self, where: str, raw: Mapping[str, Any]) -> None:
        self.where = where
        self.raw = raw

    def fail(self, field: str, problem: str) -> RuleDataError:
        return RuleDataError(f"{self.where}: field '{field}': {problem}")

    def text(self, field: str, required: bool = True) -> str | None:
        value = self.raw.get(field)
        if value is None:
            if required:
                raise self.fail(field, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, "must be non-empty text")
        return " ".join(value.split())

    def number(self, field: str, low: int, high: int) -> int | None:
        value = self.raw.get(field)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(field, f"must be a whole number from {low} to {high}, not {value!r}")
        number: int = value
        return number

    def age(self, field: str) -> float | None:
        """A whole or half year (Illinois: 14 1/2)."""
        value = self.raw.get(field)
        if value is None:
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not 1 <= value <= 25 or (value * 2) != int(value * 2):
            raise self.fail(field, f"must be an age from 1 to 25 (whole or .5), not {value!r}")
        return float(value) if value != int(value) else int(value)

    def flag(self, field: str, default: bool) -> bool:
        value = self.raw.get(field, default)
        if not isinstance(value, bool):
            raise self.fail(field, f"must be true or false, not {value!r}")
        return value

    def choice(self, field: str, options: tuple[str, ...], default: str | None) -> str:
        value = self.raw.get(field, default)
        if value is None:
            raise self.fail(field, f"missing (one of {', '.join(options)})")
        if value not in options:
            raise self.fail(field, f"must be one of {', '.join(options)}, not {value!r}")
        return str(value)


def parse_rule(raw: Any, where: str, state: str | None, strict: bool = False) -> Rule:
    """One rule from YAML, checked field by field; raises RuleDataError naming what is wrong."""
    if not isinstance(raw, Mapping):
        raise RuleDataError(f"{where}: a rule must be a mapping of fields")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise RuleDataError(f"{where}: field 'id': must be lower_snake_case, not {rule_id!r}")
    check = _Checker(f"{where} rule '{rule_id}'", raw)
    unknown = sorted(str(key) for key in raw if key not in _FIELDS)
    if unknown:
        raise check.fail(unknown[0], "unknown field")
    event = check.choice("event", EVENTS, None)
    source = check.text("source")
    assert source is not None
    if not source.startswith("https://"):
        raise check.fail("source", "must be an https:// link to the rule's text")
    days = check.number("days", 1, MAX_DAYS)
    months = check.number("months", 1, MAX_MONTHS)
    years = check.number("years", 1, 25)
    from_age = check.age("from_age")
    amounts = sum(value is not None for value in (days, months, years))
    if amounts > 1 or (amounts == 0 and from_age is None):
        raise check.fail("days", "give exactly one of days, months or years")
    unit = check.choice("unit", UNITS, "calendar")
    if unit == "school" and days is None:
        raise check.fail("unit", "school days need 'days'")
    direction = check.choice("direction", DIRECTIONS, "after")
    if from_age is not None and event != "birthdate":
        raise check.fail("from_age", "only a birthdate rule can count from an age")
    after = raw.get("after")
    if after is not None and (not isinstance(after, str) or not _ID.match(after)):
        raise check.fail("after", "must be the id of another rule")
    if after is not None and from_age is not None:
        raise check.fail("after", "cannot be combined with from_age")
    pause = _pause(check)
    if pause is not None and (days is None or unit != "calendar" or direction != "after"):
        raise check.fail("pause", "only a calendar-day count forward can pause")
    if direction == "before" and unit == "school":
        raise check.fail("direction", "school days are only counted forward")
    title = check.text("title")
    citation = check.text("citation")
    plain = check.text("plain")
    assert title is not None and citation is not None and plain is not None
    quote, verified, missing = _evidence(check, strict)
    covers = raw.get("covers", [])
    if not isinstance(covers, list) or any(topic not in TOPICS for topic in covers):
        raise check.fail("covers", f"must be a list of topics: {', '.join(TOPICS)}")
    summer_day = check.number("summer_move_school_day", 1, 60)
    year_end_move = _year_end_move(check)
    absence = check.number("absence_extension", 1, 30)
    if year_end_move is not None and (days is None or direction != "after"):
        raise check.fail("year_end_move", "only a count of days forward has a year-end rule")
    if absence is not None and unit != "school":
        raise check.fail("absence_extension", "only a school-day count can be extended")
    return Rule(
        id=rule_id,
        event=event,
        title=title,
        citation=citation,
        source=source,
        plain=plain,
        days=days,
        unit=unit,
        months=months,
        years=years,
        direction=direction,
        from_age=from_age,
        after=after,
        pause=pause,
        summer_moves_to_first_day=check.flag("summer_moves_to_first_day", False),
        school_calendar=check.flag("school_calendar", True),
        basis=check.text("basis", required=False),
        caveat=check.text("caveat", required=False),
        year_end=check.text("year_end", required=False),
        kind=check.choice("kind", KINDS, "deadline"),
        state_varies=check.flag("state_varies", False),
        state=state,
        quote=quote,
        verified=verified,
        missing=missing,
        covers=tuple(covers),
        summer_move_school_day=summer_day,
        year_end_move=year_end_move,
        absence_extension=absence,
        translations=_translations(check),
    )


def _evidence(check: _Checker, strict: bool) -> tuple[str | None, bool, str | None]:
    """quote / verified / missing: required in state files (``strict``), optional elsewhere.
    An unverified rule must say what is missing, so a reviewer knows what to check."""
    quote = check.text("quote", required=False)
    if quote is not None and len(quote) > MAX_QUOTE:
        raise check.fail("quote", f"must be a short quote (at most {MAX_QUOTE} characters)")
    if strict and "verified" not in check.raw:
        raise check.fail("verified", "missing (true only if the quote was read in the text)")
    verified = check.flag("verified", True)
    missing = check.text("missing", required=False)
    if not verified and not missing:
        raise check.fail("missing", "required when verified is false: say what was not checked")
    if strict and verified and quote is None:
        raise check.fail("quote", "missing (a verified rule quotes the text it was checked in)")
    return quote, verified, missing


def _nested(check: _Checker, field: str, allowed: Iterable[str], what: str) -> _Checker | None:
    """The checker of a nested mapping field (``pause``, ``year_end_move``), or None when the
    rule has none; a non-mapping or an unknown key is refused with the field's full name."""
    raw = check.raw.get(field)
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise check.fail(field, what)
    unknown = sorted(str(key) for key in raw if key not in allowed)
    if unknown:
        raise check.fail(f"{field}.{unknown[0]}", "unknown field")
    return _Checker(check.where, raw)


@contextmanager
def _inside(field: str) -> Iterator[None]:
    """Errors of a nested checker name the field with its parent: ``pause.summer``."""
    try:
        yield
    except RuleDataError as exc:
        raise RuleDataError(str(exc).replace("field '", f"field '{field}.", 1)) from exc


def _year_end_move(check: _Checker) -> YearEndMove | None:
    inner = _nested(check, "year_end_move", _YEAR_END_FIELDS, "must be a mapping")
    if inner is None:
        return None
    with _inside("year_end_move"):
        left_unit = inner.choice("left_unit", UNITS, None)
        left_max = inner.number("left_max", 0, 200)
        left_min = inner.number("left_min", 0, 200) or 0
        next_days = inner.number("next_year_days", 1, 200)
        next_unit = inner.choice("next_year_unit", UNITS, "calendar")
        before_next = inner.flag("before_next_first_day", False)
        month_day_text = inner.text("due_month_day", required=False)
    if left_max is None:
        raise check.fail("year_end_move.left_max", "missing")
    month_day = None
    if month_day_text is not None:
        try:
            month, day = (int(part) for part in month_day_text.split("-"))
            date(2000, month, day)
        except ValueError as exc:
            raise check.fail("year_end_move.due_month_day", "must be MM-DD, e.g. 06-30") from exc
        month_day = (month, day)
    if sum((month_day is not None, next_days is not None, before_next)) != 1:
        raise check.fail(
            "year_end_move",
            "give exactly one of due_month_day, next_year_days or before_next_first_day",
        )
    return YearEndMove(left_unit, left_max, left_min, month_day, next_days, next_unit, before_next)


def _translations(check: _Checker) -> tuple[tuple[tuple[str, str], str], ...]:
    found: list[tuple[tuple[str, str], str]] = []
    for name in TRANSLATED:
        for lang in LANG_SUFFIXES:
            key = f"{name}_{lang}"
            value = check.text(key, required=False)
            if value is None:
                continue
            if check.raw.get(name) is None:
                raise check.fail(key, f"a translation of '{name}', which this rule does not have")
            found.append(((name, lang), value))
    return tuple(found)


def _pause(check: _Checker) -> Pause | None:
    inner = _nested(
        check, "pause", _PAUSE_FIELDS, "must be a mapping (summer, breaks_longer_than_school_days)"
    )
    if inner is None:
        return None
    with _inside("pause"):
        summer = inner.flag("summer", False)
        breaks = inner.number("breaks_longer_than_school_days", 0, 30)
    if not summer and breaks is None:
        raise check.fail("pause", "say what stops the clock: summer and/or breaks")
    return Pause(summer, breaks)


def parse_rule_list(
    raw: Any, where: str, state: str | None, strict: bool = False, empty_ok: bool = False
) -> tuple[Rule, ...]:
    if raw is None and empty_ok:
        return ()
    if not isinstance(raw, list) or (not raw and not empty_ok):
        raise RuleDataError(f"{where}: 'rules' must be a non-empty list")
    rules = tuple(
        parse_rule(item, f"{where} rules[{n + 1}]", state, strict) for n, item in enumerate(raw)
    )
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleDataError(f"{where}: rule id '{rule.id}' appears twice")
        seen.add(rule.id)
    return rules


def load_federal(path: Path = FEDERAL_FILE) -> tuple[Rule, ...]:
    raw = _read(path)
    if not isinstance(raw, Mapping) or set(raw) != {"rules"}:
        raise RuleDataError(f"{path.name}: expected one top-level key, 'rules'")
    return parse_rule_list(raw["rules"], path.name, None)


def load_state_file(path: Path) -> StateRules:
    """One ``states/XX.yaml`` file, checked field by field; errors name file, state, rule, field."""
    name_of_file = f"states/{path.name}"
    try:
        raw = read_yaml(path)
    except YamlReadError as exc:
        raise RuleDataError(f"{name_of_file} {exc}") from exc
    if not isinstance(raw, Mapping):
        raise RuleDataError(f"{name_of_file}: expected code, name, rules and follows_federal")
    unknown = sorted(
        str(key) for key in raw if key not in ("code", "name", "rules", "follows_federal")
    )
    if unknown:
        raise RuleDataError(f"{name_of_file}: unknown top-level field '{unknown[0]}'")
    code = raw.get("code")
    if not isinstance(code, str) or code not in US_STATES:
        raise RuleDataError(f"{name_of_file}: field 'code': '{code}' is not a state code")
    if path.stem != code:
        raise RuleDataError(f"{name_of_file}: field 'code': {code} does not match the file name")
    where = f"{name_of_file} state {code}"
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RuleDataError(f"{where}: field 'name': must be the state's name")
    follows = _follows_federal(raw.get("follows_federal"), where)
    rules = parse_rule_list(raw.get("rules"), where, code, strict=True, empty_ok=bool(follows))
    state = StateRules(code, name.strip(), rules, follows, name_of_file)
    # Checked here, with the federal rules, so a dangling 'after' names the file.
    order_rules(tuple({r.id: r for r in (*federal_rules(), *rules)}.values()), where)
    missing = [topic for topic in TOPICS if topic not in state.topics()]
    if missing:
        raise RuleDataError(
            f"{where}: topic '{missing[0]}' is covered neither by a rule nor by a"
            " follows_federal item"
        )
    return state


def _follows_federal(raw: Any, where: str) -> tuple[FollowsFederal, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RuleDataError(f"{where}: 'follows_federal' must be a list")
    items: list[FollowsFederal] = []
    for n, item in enumerate(raw):
        here = f"{where} follows_federal[{n + 1}]"
        if not isinstance(item, Mapping):
            raise RuleDataError(f"{here}: must be a mapping (topic, citation, source, ...)")
        check = _Checker(here, item)
        unknown = sorted(str(key) for key in item if key not in _FOLLOWS_FIELDS)
        if unknown:
            raise check.fail(unknown[0], "unknown field")
        topic = check.choice("topic", TOPICS, None)
        citation = check.text("citation")
        source = check.text("source")
        assert citation is not None and source is not None
        if not source.startswith("https://"):
            raise check.fail("source", "must be an https:// link to the text")
        quote, verified, missing = _evidence(check, strict=False)
        if "verified" not in item:
            raise check.fail("verified", "missing (true or false)")
        items.append(FollowsFederal(topic, citation, source, quote, verified, missing))
    topics = [item.topic for item in items]
    for topic in topics:
        if topics.count(topic) > 1:
            raise RuleDataError(f"{where}: follows_federal topic '{topic}' appears twice")
    return tuple(items)


def load_states(folder: Path = STATES_DIR) -> dict[str, StateRules]:
    """Every ``XX.yaml`` in ``folder``; the first broken file raises RuleDataError."""
    states, problems = check_states(folder)
    if problems:
        raise RuleDataError(problems[0])
    return states


def check_states(folder: Path = STATES_DIR) -> tuple[dict[str, StateRules], list[str]]:
    """All state files, each checked on its own: the ones that load, and one problem per broken
    file (for `iepbot content check`, which reports them all)."""
    states: dict[str, StateRules] = {}
    problems: list[str] = []
    if not folder.is_dir():
        return states, [f"{folder.name}: no such folder"]
    for path in sorted(folder.glob("*.yaml")):
        try:
            state = load_state_file(path)
        except RuleDataError as exc:
            problems.append(str(exc))
            continue
        states[state.code] = state
    return states, problems


def states_without_file(states: Mapping[str, StateRules]) -> list[str]:
    """Codes of the 50 states, DC and the BIE with no file yet (a warning, not an error)."""
    wanted = [code for code in US_STATES if code not in TERRITORIES]
    return [code for code in wanted if code not in states]


def _read(path: Path) -> Any:
    try:
        return read_yaml(path)
    except YamlReadError as exc:
        raise RuleDataError(f"{path.name} {exc}") from exc


@lru_cache(maxsize=1)
def federal_rules() -> tuple[Rule, ...]:
    """Parsed once per process: the chat path asks for rules on every command."""
    return load_federal()


@lru_cache(maxsize=1)
def state_rules() -> dict[str, StateRules]:
    return load_states()


def known_states() -> list[str]:
    """Codes of the states with rules of their own; any other state uses the federal rules."""
    return sorted(state_rules())


@lru_cache(maxsize=128)
def rules_for(state: str | None) -> tuple[Rule, ...]:
    """Federal rules with the state's replacements and additions, in a computable order."""
    merged = {rule.id: rule for rule in federal_rules()}
    if state is not None and state in state_rules():
        for rule in state_rules()[state].rules:
            merged[rule.id] = rule
    return order_rules(tuple(merged.values()), state or "federal")


def order_rules(rules: tuple[Rule, ...], label: str) -> tuple[Rule, ...]:
    """Rules that start from another rule's due date come after it; a cycle or a dangling
    ``after`` is a data bug, reported with the rule's name."""
    by_id = {rule.id: rule for rule in rules}
    ordered: list[Rule] = []
    placed: set[str] = set()
    for rule in rules:
        chain: list[Rule] = []
        current: Rule | None = rule
        while current is not None and current.id not in placed:
            if current in chain:
                raise RuleDataError(f"{label}: rule '{current.id}' depends on itself via 'after'")
            chain.append(current)
            if current.after is None:
                current = None
                continue
            base = by_id.get(current.after)
            if base is None or base.event != current.event:
                raise RuleDataError(
                    f"{label}: rule '{current.id}' field 'after': no rule '{current.after}'"
                    f" for the same event"
                )
            current = base
        for item in reversed(chain):
            ordered.append(item)
            placed.add(item.id)
    return tuple(ordered)
