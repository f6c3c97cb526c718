"""Commands that only look (`db check`, `db export`, `night list`) leave the database exactly as
it was (byte for byte): not migrated, not switched to WAL, and no file made."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studybuddy.cli import app
from studybuddy.store import Store, StoreError


def run(database: Path, *args: str):
    return CliRunner().invoke(app, ["--db", str(database), *args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def quiet_database(tmp_path) -> Path:
    """A StudyBuddy database in rollback-journal mode, as a copy from `db backup` is."""
    path = tmp_path / "progress.sqlite3"
    store = Store(str(path))
    store.add_learner("ada")
    store.close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    return path


@pytest.mark.parametrize(
    "command",
    [["db", "check"], ["night", "list"], ["db", "export", "{out}"]],
    ids=["db-check", "night-list", "db-export"],
)
def test_looking_changes_nothing(quiet_database, tmp_path, command):
    before = digest(quiet_database)
    args = [part.format(out=tmp_path / "out.json") for part in command]
    result = run(quiet_database, *args)
    assert result.exit_code == 0, result.output
    assert digest(quiet_database) == before
    assert not Path(f"{quiet_database}-wal").exists()


def test_looking_at_a_missing_database_creates_nothing(tmp_path):
    missing = tmp_path / "nope" / "progress.sqlite3"
    for command in (["db", "check"], ["night", "list"]):
        result = run(missing, *command)
        assert result.exit_code == 1 and "no database at" in result.output
    assert not (tmp_path / "nope").exists()


def test_a_read_only_store_cannot_write(quiet_database):
    store = Store(str(quiet_database), read_only=True)
    try:
        with pytest.raises(StoreError):
            store.add_learner("bo")
    finally:
        store.close()


def test_an_old_schema_asks_to_be_upgraded_first(tmp_path):
    old = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(old)
    connection.execute("CREATE TABLE learner (id INTEGER PRIMARY KEY, name TEXT)")
    connection.execute("CREATE TABLE attempt (id INTEGER PRIMARY KEY)")
    connection.commit()
    connection.close()
    before = digest(old)
    result = run(old, "db", "check")
    assert result.exit_code == 1 and "schema version 1" in result.output
    assert digest(old) == before
