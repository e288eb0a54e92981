"""PostgreSQL for tests: where it is, whether it is up, and a throw-away schema per use.

Importable from any test folder (``from tests.store.pg_helpers import ...``). Without CI the
PostgreSQL half of a suite is skipped when the server is down; in CI (``CI`` set) a missing
server fails the run, because green-by-skipping would hide that the service is not there.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

URL_ENV = "IEPBOT_TEST_POSTGRES_URL"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get(URL_ENV, "").strip() or DEFAULT_URL


def _where(url: str) -> str:
    parsed = make_url(url)
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}"


@lru_cache(maxsize=1)
def postgres_unreachable_reason() -> str | None:
    """None when a connection works, else a one-line reason (checked once per process)."""
    url = postgres_url()
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc)).strip().splitlines()
        why = first[0] if first else type(exc).__name__
        return f"PostgreSQL at {_where(url)} is unreachable ({why})"
    finally:
        engine.dispose()
    return None


def require_postgres() -> str:
    """The server URL; skips the test when PostgreSQL is down, fails it when CI is set."""
    reason = postgres_unreachable_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must provide the service", pytrace=False)
        pytest.skip(reason)
    return postgres_url()


def url_with_search_path(url: str, schema: str) -> str:
    """The URL with the schema as search_path, so every table lives in that schema."""
    parsed = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


@contextmanager
def postgres_schema(prefix: str = "iepbot_test") -> Iterator[str]:
    """A fresh schema (dropped afterwards) and a URL whose connections use it."""
    base = require_postgres()
    schema = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield url_with_search_path(base, schema)
    finally:
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            admin.dispose()
