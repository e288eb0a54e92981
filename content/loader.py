"""Load knowledge packs from YAML and refuse them whole when anything is wrong.

A pack is a folder per language (``packs/en``, ``packs/es``) of YAML files, each holding a list
of entries. Every problem found is collected (not just the first) so that ``iepbot content
check`` can show a writer all of them at once, each naming the file, the entry and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from content.files import read_text_capped
from content.model import AUDIENCES, CATEGORIES, Entry, Library, Pack, Source
from content.normalise import normalise

DEFAULT_PACKS = Path(__file__).resolve().parent / "packs"

REQUIRED_FIELDS = (
    "id",
    "title",
    "category",
    "aliases",
    "summary",
    "body",
    "related",
    "audience",
    "sources",
)
# Optional: example questions in the pack's language, written in our own words, that the
# question ranker reads as one more field of the entry.
OPTIONAL_FIELDS = ("questions",)
MAX_QUESTIONS = 40
MAX_QUESTION = 200
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANG_PATTERN = re.compile(r"^[a-z]{2}$")
MAX_SUMMARY = 900
MAX_BODY = 3000
BASE_LANG = "en"


@dataclass(frozen=True)
class ContentIssue:
    """One thing wrong with a pack, worded for the person who edits the YAML."""

    file: str
    message: str
    entry: str | None = None
    field: str | None = None
    what: str = "entry"  # what ``entry`` names: a content entry, a scheduled push...

    def __str__(self) -> str:
        where = self.file
        if self.entry is not None:
            where += f": {self.what} '{self.entry}'"
        if self.field is not None:
            where += f": field '{self.field}'"
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Raised instead of returning a pack that is only partly valid."""

    def __init__(self, issues: list[ContentIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that refuses a key written twice in one mapping.

    Plain PyYAML keeps the last of two ``summary:`` keys without a word, which hides edits.
    """


class _DuplicateKey(yaml.constructor.ConstructorError):
    def __init__(self, key: str, mark: yaml.Mark) -> None:
        super().__init__(None, None, f"duplicate key '{key}'", mark)
        self.key = key


_ENTRY_ID = re.compile(r"^\s*-\s*id:\s*['\"]?([^'\"\s#]+)")


def _entry_above(text: str, line: int) -> str | None:
    """The id of the entry a line belongs to, so a duplicate key can be reported by entry."""
    for candidate in reversed(text.splitlines()[: line + 1]):
        found = _ENTRY_ID.match(candidate)
        if found:
            return found.group(1)
    return None


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _DuplicateKey(str(key), key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def is_valid_url(url: str) -> bool:
    """Only absolute https links with a real-looking host: they are shown to parents as-is."""
    if any(ch.isspace() for ch in url):
        return False
    parsed = urlparse(url)
    return parsed.scheme == "https" and "." in parsed.netloc and not parsed.netloc.endswith(".")


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def read_yaml_file(path: Path, shown: str, issues: list[ContentIssue]) -> Any:
    """The data of a strict-YAML file, or None with the problems appended.

    Shared by content packs, the question lexicon and the scheduled-pushes file, so all of
    them refuse the same mistakes (a key written twice, bad YAML, not UTF-8)."""
    try:
        text = read_text_capped(path)
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506
    except _DuplicateKey as exc:
        line = exc.problem_mark.line
        issues.append(
            ContentIssue(
                shown, f"written twice (line {line + 1})", _entry_above(text, line), exc.key
            )
        )
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        issues.append(ContentIssue(shown, f"not valid YAML: {line}{problem}"))
        return None
    except UnicodeDecodeError:
        issues.append(ContentIssue(shown, "not UTF-8 text"))
        return None
    except OSError as exc:
        issues.append(ContentIssue(shown, f"cannot read it ({exc.strerror or 'I/O error'})"))
        return None
    return data


def read_yaml_mapping(path: Path, shown: str, key: str, issues: list[ContentIssue]) -> list[Any]:
    """The list under ``key`` of a strict-YAML file, or [] with the problems appended."""
    before = len(issues)
    data = read_yaml_file(path, shown, issues)
    if len(issues) > before:
        return []
    if not isinstance(data, dict) or key not in data:
        issues.append(ContentIssue(shown, f"expected a mapping with a list under '{key}'"))
        return []
    extra = sorted(map(str, set(data) - {key}))
    if extra:
        issues.append(ContentIssue(shown, f"unknown top-level key(s): {', '.join(extra)}"))
    items = data[key]
    if not isinstance(items, list):
        issues.append(ContentIssue(shown, f"'{key}' must be a list", field=key))
        return []
    return items


def _text(
    raw: dict[str, Any], name: str, where: tuple[str, str], issues: list[ContentIssue]
) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        issues.append(ContentIssue(where[0], "must be non-empty text", where[1], name))
        return ""
    return value.strip()


def _text_list(
    raw: dict[str, Any],
    name: str,
    where: tuple[str, str],
    issues: list[ContentIssue],
    *,
    allow_empty: bool = True,
) -> tuple[str, ...]:
    value = raw.get(name)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        issues.append(ContentIssue(where[0], "must be a list of non-empty texts", where[1], name))
        return ()
    if not value and not allow_empty:
        issues.append(ContentIssue(where[0], "must not be empty", where[1], name))
    return tuple(v.strip() for v in value)


def _sources(
    raw: dict[str, Any], where: tuple[str, str], issues: list[ContentIssue]
) -> tuple[Source, ...]:
    value = raw.get("sources")
    if not isinstance(value, list) or not value:
        issues.append(ContentIssue(where[0], "needs at least one source link", where[1], "sources"))
        return ()
    found: list[Source] = []
    for i, item in enumerate(value):
        field = f"sources[{i}]"
        if not isinstance(item, dict) or set(item) != {"title", "url"}:
            issues.append(
                ContentIssue(where[0], "must have exactly 'title' and 'url'", where[1], field)
            )
            continue
        title, url = item["title"], item["url"]
        if not isinstance(title, str) or not title.strip():
            issues.append(ContentIssue(where[0], "title must be non-empty text", where[1], field))
            continue
        if not isinstance(url, str) or not is_valid_url(url.strip()):
            issues.append(
                ContentIssue(
                    where[0], f"bad URL {url!r} (need https://...)", where[1], f"{field}.url"
                )
            )
            continue
        found.append(Source(title.strip(), url.strip()))
    return tuple(found)


def _parse_entry(
    raw: Any, index: int, lang: str, shown: str, issues: list[ContentIssue]
) -> Entry | None:
    if not isinstance(raw, dict):
        issues.append(ContentIssue(shown, f"item {index + 1} is not a mapping", f"#{index + 1}"))
        return None
    raw_id = raw.get("id")
    label = raw_id if isinstance(raw_id, str) and raw_id else f"#{index + 1}"
    where = (shown, label)
    before = len(issues)
    for name in REQUIRED_FIELDS:
        if name not in raw:
            issues.append(ContentIssue(shown, "missing", label, name))
    for name in sorted(set(raw) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)):
        issues.append(ContentIssue(shown, "unknown field", label, str(name)))
    if len(issues) > before:
        return None
    if not isinstance(raw_id, str) or not ID_PATTERN.match(raw_id):
        issues.append(
            ContentIssue(shown, "must be lowercase letters, digits and hyphens", label, "id")
        )
    title = _text(raw, "title", where, issues)
    summary = _text(raw, "summary", where, issues)
    body = _text(raw, "body", where, issues)
    if len(summary) > MAX_SUMMARY:
        issues.append(
            ContentIssue(shown, f"longer than {MAX_SUMMARY} characters", label, "summary")
        )
    if len(body) > MAX_BODY:
        issues.append(ContentIssue(shown, f"longer than {MAX_BODY} characters", label, "body"))
    category = raw.get("category")
    if category not in CATEGORIES:
        issues.append(
            ContentIssue(
                shown,
                f"unknown category {category!r}; use one of {', '.join(CATEGORIES)}",
                label,
                "category",
            )
        )
    aliases = _text_list(raw, "aliases", where, issues)
    related = _text_list(raw, "related", where, issues)
    audience = _text_list(raw, "audience", where, issues, allow_empty=False)
    for who in audience:
        if who not in AUDIENCES:
            issues.append(
                ContentIssue(
                    shown, f"unknown audience {who!r}; use parent or staff", label, "audience"
                )
            )
    sources = _sources(raw, where, issues)
    questions: tuple[str, ...] = ()
    if "questions" in raw:
        questions = _text_list(raw, "questions", where, issues)
        if len(questions) > MAX_QUESTIONS:
            issues.append(
                ContentIssue(shown, f"more than {MAX_QUESTIONS} questions", label, "questions")
            )
        for q in questions:
            if len(q) > MAX_QUESTION:
                issues.append(
                    ContentIssue(
                        shown,
                        f"a question longer than {MAX_QUESTION} characters",
                        label,
                        "questions",
                    )
                )
    if len(issues) > before:
        return None
    return Entry(
        id=raw_id,
        lang=lang,
        title=title,
        category=category,
        aliases=aliases,
        summary=summary,
        body=body,
        related=related,
        audience=audience,
        sources=sources,
        questions=questions,
        file=shown,
    )


def _search_keys(entry: Entry) -> Iterator[tuple[str, str]]:
    """Every name an entry answers to, so two entries can never claim the same one."""
    yield "id", normalise(entry.id)
    yield "title", normalise(entry.title)
    for alias in entry.aliases:
        yield "alias", normalise(alias)


def _check_pack(entries: list[Entry], issues: list[ContentIssue], base: Pack | None = None) -> None:
    """Ids unique, names unambiguous, related ids resolvable. A translation (``base`` is the
    English pack) may only translate existing ids, and may point at an entry it has not
    translated yet: the reader is shown the English one meanwhile."""
    by_id: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in by_id:
            issues.append(
                ContentIssue(
                    entry.file,
                    f"duplicate id, already used in {by_id[entry.id].file}",
                    entry.id,
                    "id",
                )
            )
        else:
            by_id[entry.id] = entry
    owner: dict[str, Entry] = {}
    for entry in by_id.values():
        for field, key in _search_keys(entry):
            if not key:
                issues.append(ContentIssue(entry.file, "has no letters or digits", entry.id, field))
                continue
            other = owner.setdefault(key, entry)
            if other is not entry:
                issues.append(
                    ContentIssue(
                        entry.file,
                        f"'{key}' is already a name of entry '{other.id}' ({other.file})",
                        entry.id,
                        "aliases" if field == "alias" else field,
                    )
                )
    if base is not None:
        for entry in by_id.values():
            if entry.id not in base.entries:
                issues.append(
                    ContentIssue(
                        entry.file,
                        f"no '{base.lang}' entry with this id; translate an existing entry",
                        entry.id,
                        "id",
                    )
                )
    for entry in by_id.values():
        for rel in entry.related:
            if rel == entry.id:
                issues.append(
                    ContentIssue(
                        entry.file, "an entry cannot relate to itself", entry.id, "related"
                    )
                )
            elif rel not in by_id and (base is None or rel not in base.entries):
                issues.append(
                    ContentIssue(entry.file, f"no entry with id '{rel}'", entry.id, "related")
                )


def _pack_dirs(root: Path) -> Iterable[Path]:
    """Language folders under root; root itself when it is one (``content check packs/en``)."""
    if LANG_PATTERN.match(root.name) and any(root.glob("*.y*ml")):
        return [root]
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def check_packs(root: Path | None = None) -> tuple[Library | None, list[ContentIssue]]:
    """Validate every pack under ``root``; the library is None as soon as one issue exists."""
    root = Path(root) if root is not None else DEFAULT_PACKS
    issues: list[ContentIssue] = []
    if not root.is_dir():
        return None, [ContentIssue(str(root), "no such folder")]
    packs: dict[str, Pack] = {}
    # The base language first: translations are checked against it.
    dirs = sorted(_pack_dirs(root), key=lambda d: (d.name != BASE_LANG, d.name))
    for lang_dir in dirs:
        shown_dir = _relative(lang_dir, root)
        if not LANG_PATTERN.match(lang_dir.name):
            issues.append(ContentIssue(shown_dir, "folder name must be a two-letter language code"))
            continue
        entries: list[Entry] = []
        files = sorted(lang_dir.glob("*.yaml")) + sorted(lang_dir.glob("*.yml"))
        for path in files:
            shown = _relative(path, root)
            for i, raw in enumerate(read_yaml_mapping(path, shown, "entries", issues)):
                entry = _parse_entry(raw, i, lang_dir.name, shown, issues)
                if entry is not None:
                    entries.append(entry)
        base = packs.get(BASE_LANG) if lang_dir.name != BASE_LANG else None
        _check_pack(entries, issues, base)
        if not entries and not any(i.file.startswith(shown_dir) for i in issues):
            issues.append(ContentIssue(shown_dir, "no entries (expected *.yaml files)"))
        packs[lang_dir.name] = Pack(lang_dir.name, {e.id: e for e in entries})
    if not packs and not issues:
        issues.append(ContentIssue(str(root), "no language folders (expected e.g. en/)"))
    if issues:
        return None, issues
    return Library(packs), []


# Bump when Entry, Pack or Library change shape: cached libraries of the old shape are then
# ignored (see content/cache.py).
LIBRARY_FORMAT = "library-1"


def load_library(root: Path | None = None) -> Library:
    """The validated library, or ContentError carrying every issue found.

    A library that passed validation is cached on disk under the digest of every pack file,
    so a new `iepbot ask` process does not parse the YAML again; `iepbot content check`
    (check_packs) always reads and validates everything."""
    from content.cache import cached, files_digest

    folder = Path(root) if root is not None else DEFAULT_PACKS

    def build() -> Library:
        library, issues = check_packs(folder)
        if library is None:
            raise ContentError(issues)
        return library

    try:
        key = files_digest([*folder.rglob("*.yaml"), *folder.rglob("*.yml")], LIBRARY_FORMAT)
    except OSError:
        return build()
    return cached("library", key, build)
