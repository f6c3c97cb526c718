"""Store tests run against SQLite and, when a server is given, PostgreSQL.

Set STUDYBUDDY_TEST_POSTGRES_URL (postgresql+psycopg://user@host:port/db) to include the
PostgreSQL variants; `.ci/run` starts a throw-away server and sets it. Each PostgreSQL test
gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

POSTGRES_ENV = "STUDYBUDDY_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def _postgres_base() -> str:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL variant: set {POSTGRES_ENV} to a server URL (.ci/run does)")
    return base


def _with_schema(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture
def make_postgres_url() -> Iterator[Callable[[], str]]:
    """Makes PostgreSQL URLs, each with its tables in a fresh schema (all dropped afterwards)."""
    from sqlalchemy import create_engine, text

    base = _postgres_base()
    admin = create_engine(base, pool_pre_ping=True)  # survives a test restarting the server
    schemas: list[str] = []

    def make() -> str:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        schemas.append(schema)
        return _with_schema(base, schema)

    try:
        yield make
    finally:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def postgres_url(make_postgres_url) -> str:
    return make_postgres_url()


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path) -> str:
    """A fresh, empty database target: an SQLite path or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "progress.sqlite3")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(database):
    from studybuddy.store import Store

    opened = Store(database)
    yield opened
    opened.close()
