"""Deadline rules, read from YAML so a lawyer or coordinator can check them without reading code.

``data/federal.yaml`` holds the IDEA defaults; ``data/states.yaml`` holds state rules, each of
which replaces the federal rule with the same id or adds a rule of its own. Every rule carries
its citation and a link to the text, and the loader refuses a rule without them: a deadline
nobody can check is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from scheduler.deadlines.errors import RuleDataError
from scheduler.deadlines.yaml_io import YamlReadError, read_yaml

DATA = Path(__file__).parent / "data"
FEDERAL_FILE = DATA / "federal.yaml"
STATES_FILE = DATA / "states.yaml"

EVENTS: tuple[str, ...] = ("referral", "consent", "eligibility", "iep", "evaluation", "birthdate")
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
)  # fmt: skip
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
    from_age: int | None = None
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
    # ((field, lang), text) pairs, e.g. (("title", "es"), "Evaluación inicial").
    translations: tuple[tuple[tuple[str, str], str], ...] = ()

    def text(self, name: str, lang: str = "en") -> str | None:
        """A translatable field in ``lang``, or the English when that rule has no translation:
        a rule without Spanish still shows its deadline, only in English."""
        english: str | None = getattr(self, name)
        if lang == "en" or english is None:
            return english
        return dict(self.translations).get((name, lang), english)


@dataclass(frozen=True)
class StateRules:
    code: str
    name: str
    rules: tuple[Rule, ...]


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
        return value

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


def parse_rule(raw: Any, where: str, state: str | None) -> Rule:
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
    if sum(value is not None for value in (days, months, years)) != 1:
        raise check.fail("days", "give exactly one of days, months or years")
    unit = check.choice("unit", UNITS, "calendar")
    if unit == "school" and days is None:
        raise check.fail("unit", "school days need 'days'")
    direction = check.choice("direction", DIRECTIONS, "after")
    from_age = check.number("from_age", 1, 25)
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
        translations=_translations(check),
    )


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
    raw = check.raw.get("pause")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise check.fail("pause", "must be a mapping (summer, breaks_longer_than_school_days)")
    unknown = sorted(str(key) for key in raw if key not in _PAUSE_FIELDS)
    if unknown:
        raise check.fail(f"pause.{unknown[0]}", "unknown field")
    inner = _Checker(check.where, raw)
    try:
        summer = inner.flag("summer", False)
        breaks = inner.number("breaks_longer_than_school_days", 0, 30)
    except RuleDataError as exc:
        raise RuleDataError(str(exc).replace("field '", "field 'pause.", 1)) from exc
    if not summer and breaks is None:
        raise check.fail("pause", "say what stops the clock: summer and/or breaks")
    return Pause(summer, breaks)


def parse_rule_list(raw: Any, where: str, state: str | None) -> tuple[Rule, ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleDataError(f"{where}: 'rules' must be a non-empty list")
    rules = tuple(parse_rule(item, f"{where} rules[{n + 1}]", state) for n, item in enumerate(raw))
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


def load_states(path: Path = STATES_FILE) -> dict[str, StateRules]:
    raw = _read(path)
    if not isinstance(raw, Mapping) or not raw:
        raise RuleDataError(f"{path.name}: expected state codes (TX, CA, ...) at the top level")
    states: dict[str, StateRules] = {}
    for code, body in raw.items():
        where = f"{path.name} state {code}"
        if not isinstance(code, str) or not _STATE.match(code):
            raise RuleDataError(f"{path.name}: '{code}' is not a two-letter state code")
        if not isinstance(body, Mapping) or set(body) != {"name", "rules"}:
            raise RuleDataError(f"{where}: expected exactly 'name' and 'rules'")
        name = body["name"]
        if not isinstance(name, str) or not name.strip():
            raise RuleDataError(f"{where}: field 'name': must be the state's name")
        states[code] = StateRules(code, name.strip(), parse_rule_list(body["rules"], where, code))
    return states


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
