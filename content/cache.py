"""A small on-disk cache for what is slow to build and only changes with the content.

`iepbot ask` is a new process every time: parsing and validating every pack (YAML) and
building the BM25 tables (numpy, bm25s) would cost most of a second on each call. Both are
pure functions of files in this repository, so their result is kept in the user's cache
folder under a name that is the SHA-256 of every input byte plus a format version: an edited
pack or lexicon, or new code with a new version, simply misses the cache and rebuilds.

Only our own dataclasses are stored (pickle, in the user's own cache folder, read only by
the same user). Any problem reading or writing the cache means "build it again", never an
error. ``IEPBOT_CACHE_DIR`` moves the folder; ``IEPBOT_CACHE_DIR=off`` turns it off.
Nothing a user types is ever cached: only content and indexes built from it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
ENV = "IEPBOT_CACHE_DIR"


def folder() -> Path | None:
    configured = os.environ.get(ENV)
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("iepbot"))


def digest(parts: Iterable[bytes | str]) -> str:
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()[:32]


def files_digest(paths: Iterable[Path], *extra: str) -> str:
    """The digest of files' names and bytes (and ``extra`` strings, such as a version)."""
    parts: list[bytes | str] = list(extra)
    for path in sorted(paths):
        parts += [str(path), path.read_bytes()]
    return digest(parts)


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """``build()``, or its result from an earlier process with the same ``key``."""
    where = folder()
    if where is None:
        return build()
    path = where / f"{name}-{key}.pickle"
    try:
        with path.open("rb") as handle:
            found: T = pickle.load(handle)  # noqa: S301 - our own file, see the module doc
            return found
    except Exception:  # a miss, or a file from an incompatible version: rebuild
        pass
    value = build()
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=where, delete=False) as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(out.name, path)
    except OSError:
        pass  # a read-only home: correct, only slower
    return value
