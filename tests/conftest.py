"""Shared fixtures: the fixture packs on disk and the real built-in library."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from bots.context import Context
from content.loader import load_library
from content.model import Library

FIXTURES = Path(__file__).parent / "fixtures"
# Tests (and the processes they start) keep the content cache in a folder of their own, never
# in the user's cache folder (content/cache.py).
os.environ.setdefault("IEPBOT_CACHE_DIR", tempfile.mkdtemp(prefix="iepbot-test-cache-"))
# ... and the store: an `iepbot` process a test starts without naming a database would
# otherwise open (and migrate) the user's real one in the user data folder. Tests that need a
# database of their own still set IEPBOT_DATABASE_URL themselves.
os.environ.setdefault(
    "IEPBOT_DATABASE_URL",
    f"sqlite:///{Path(tempfile.mkdtemp(prefix='iepbot-test-db-')) / 'iepbot.sqlite3'}",
)


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library()


@pytest.fixture
def ctx(library: Library) -> Context:
    return Context(library)


@pytest.fixture(scope="session")
def fixture_library() -> Library:
    return load_library(FIXTURES / "packs" / "good")
