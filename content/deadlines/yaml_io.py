"""YAML loading shared by the rule files and the school calendars.

Dates stay strings on purpose: PyYAML would turn ``2026-02-31`` into a bare ValueError with no
field name, while our own parser can say which entry and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from content.files import read_text_capped


class _DatesAsText(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver, so every date reaches our parser as text."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlReadError(Exception):
    """The file could not be read or parsed; ``str`` is one line without the file name."""


def read_yaml(path: Path) -> Any:
    try:
        text = read_text_capped(path)
    except FileNotFoundError as exc:
        raise YamlReadError("not found") from exc
    except IsADirectoryError as exc:
        raise YamlReadError("is a folder, not a file") from exc
    except UnicodeDecodeError as exc:
        raise YamlReadError("is not UTF-8 text") from exc
    except OSError as exc:
        raise YamlReadError(f"cannot be read ({exc.strerror or 'I/O error'})") from exc
    try:
        return yaml.load(text, Loader=_DatesAsText)  # a SafeLoader: builds no Python objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise YamlReadError(f"is not valid YAML{where}: {exc.problem or 'syntax error'}") from exc
    except yaml.YAMLError as exc:
        raise YamlReadError("is not valid YAML") from exc
