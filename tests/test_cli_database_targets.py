"""--db values that would lose every answer, or that once ended in a traceback: one line, exit
status 1 or 2, no password in the message, and no file created anywhere."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from studybuddy.cli import app


def run(database: str):
    return CliRunner().invoke(app, ["--db", database, "profile", "list"])


def one_line(result) -> str:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize(
    "database",
    ["sqlite://", "sqlite:///:memory:", "sqlite:///", "sqlite:///file:x?mode=memory&uri=true"],
)
def test_a_database_in_memory_is_refused_because_it_keeps_nothing(database):
    result = run(database)
    assert result.exit_code == 1
    line = one_line(result)
    assert "in memory" in line and "lost" in line
    assert "progress.sqlite3" in line  # says what works instead


def test_an_empty_db_is_refused_instead_of_meaning_the_default_file(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDYBUDDY_DATA_DIR", str(tmp_path))
    result = run("")
    assert result.exit_code == 2
    assert "--db needs a file path or a database URL" in one_line(result)
    assert list(tmp_path.iterdir()) == []  # the default database was not created


@pytest.mark.parametrize(
    ("database", "fragment"),
    [
        ("~nosuchuser-studybuddy/x.db", "no such user's home folder"),
        ("sqlite:///{tmp}/x.db?timeout=abc", "an option in the URL is wrong"),
        ("postgresql+psycopg://ann:hunter2@[::1/db", "neither a file path nor a database URL"),
    ],
)
def test_malformed_targets_are_one_line_without_the_password(database, fragment, tmp_path):
    result = run(database.format(tmp=tmp_path))
    assert result.exit_code == 1
    line = one_line(result)
    assert fragment in line
    assert "hunter2" not in line
