"""Every data file the bot reads ships in the wheel: `pip install .` (README's "Try it") has
no source tree to fall back on. A lexicon left out of package-data broke a non-editable install."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_yaml_and_catalogue_file_is_in_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data = config["tool"]["setuptools"]["package-data"]
    missing = []
    for package in ("content", "scheduler", "bots"):
        patterns = package_data.get(package, [])
        for path in (ROOT / package).rglob("*"):
            if path.suffix not in (".yaml", ".mo", ".po", ".pot") or "__pycache__" in path.parts:
                continue
            relative = path.relative_to(ROOT / package)
            if not any(relative.match(p) or _glob(relative, p) for p in patterns):
                missing.append(str(path.relative_to(ROOT)))
    assert missing == [], f"not in [tool.setuptools.package-data]: {missing}"


def _glob(relative: Path, pattern: str) -> bool:
    """setuptools' ``**`` spans folders; Path.match does not before Python 3.13."""
    return any(relative.match(pattern.replace("**/", "*/" * depth)) for depth in range(0, 6))
