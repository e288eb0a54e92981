"""The content cache: a new process answers from it without re-reading YAML or importing
numpy, and any change to the content (or a broken file) means a rebuild, never a stale answer."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from content import cache
from content.loader import DEFAULT_PACKS, ContentError, load_library


def test_cached_builds_once_per_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    calls: list[int] = []

    def build() -> dict[str, int]:
        calls.append(1)
        return {"n": len(calls)}

    assert cache.cached("thing", "k1", build) == {"n": 1}
    assert cache.cached("thing", "k1", build) == {"n": 1}
    assert cache.cached("thing", "k2", build) == {"n": 2}
    (tmp_path / "thing-k2.pickle").write_bytes(b"not a pickle")
    assert cache.cached("thing", "k2", build) == {"n": 3}  # a broken file is rebuilt
    monkeypatch.setenv(cache.ENV, "off")
    assert cache.cached("thing", "k1", build) == {"n": 4}


def test_an_edited_pack_is_never_served_stale(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    packs = tmp_path / "packs"
    shutil.copytree(DEFAULT_PACKS, packs)
    first = load_library(packs)
    assert load_library(packs) == first
    basics = packs / "en" / "basics.yaml"
    basics.write_text(
        basics.read_text("utf-8").replace(
            "title: Individualized Education Program (IEP)",
            "title: Individualized Education Program (IEP) edited",
        ),
        "utf-8",
    )
    assert load_library(packs).packs["en"].entries["iep"].title.endswith("edited")
    basics.write_text("entries: [", "utf-8")
    with pytest.raises(ContentError):
        load_library(packs)


def test_a_second_ask_process_does_not_import_numpy(tmp_path: Path) -> None:
    script = (
        "import sys; from bots.cli import main; "
        "code = main(['ask', 'how often is the iep reviewed']); "
        "print('NUMPY' if 'numpy' in sys.modules else 'NO-NUMPY', code)"
    )
    env = {"IEPBOT_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
        for _ in range(2)
    ]
    assert runs[0].stdout.strip().endswith("NUMPY 0"), runs[0].stderr
    assert runs[1].stdout.strip().endswith("NO-NUMPY 0"), runs[1].stderr
    assert "Annual IEP review" in runs[1].stdout
