"""Quiz-night fixtures: the sample bank, a store, a clock that moves on cue.

`database` is an SQLite file and, when STUDYBUDDY_TEST_POSTGRES_URL names a server (`.ci/run`
starts one), also a PostgreSQL schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studybuddy.banks.loader import bank_files, load_banks
from studybuddy.store import Store
from studybuddy.study.catalog import Catalog

FIXTURE_BANKS = Path(__file__).parent / "fixtures" / "banks"


class FakeClock:
    """Stands still until a test calls advance(); Night calls it for 'now'."""

    def __init__(self, start: datetime = datetime(2025, 3, 14, 19, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    result = load_banks(bank_files(FIXTURE_BANKS))
    assert not result.problems
    return Catalog(result.banks)


POSTGRES_ENV = "STUDYBUDDY_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "night.sqlite3")
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL variant: set {POSTGRES_ENV} to a server URL (.ci/run does)")
    from sqlalchemy import create_engine, text

    schema = f"night_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def store(database):
    opened = Store(database)
    yield opened
    opened.close()
