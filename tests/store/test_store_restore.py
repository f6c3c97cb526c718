"""`studybuddy db restore`: the safe way back to a backup, even with a crash's -wal beside the
database; the replaced database survives, consistent, under a new name."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from studybuddy.cli import app


def run(database: Path, *args: str):
    return CliRunner().invoke(app, ["--db", str(database), *args])


def learners(database: Path) -> list[str]:
    connection = sqlite3.connect(database)
    try:
        return sorted(row[0] for row in connection.execute("SELECT name FROM learner"))
    finally:
        connection.close()


def crash_leaving_a_wal(database: Path, name: str) -> None:
    """Add a learner from a process that dies before SQLite can checkpoint its log."""
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "c.execute('INSERT INTO learner (name, created_at, desired_retention) "
        "SELECT ?, created_at, desired_retention FROM learner LIMIT 1', (sys.argv[2],))\n"
        "c.commit()\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(database), name], check=True)


def test_restore_puts_the_backup_back_and_keeps_the_crashed_database_whole(tmp_path):
    database, backup = tmp_path / "progress.sqlite3", tmp_path / "monday.sqlite3"
    assert run(database, "profile", "add", "ada").exit_code == 0
    assert run(database, "db", "backup", str(backup)).exit_code == 0
    assert run(database, "profile", "add", "bo").exit_code == 0
    crash_leaving_a_wal(database, "cy")
    wal = Path(f"{database}-wal")
    assert wal.exists() and wal.stat().st_size > 0

    result = run(database, "db", "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert learners(database) == ["ada"]
    assert run(database, "db", "check").exit_code == 0
    [moved] = [p for p in tmp_path.iterdir() if p.name.startswith("progress.sqlite3.before-")]
    assert f"kept as {moved}" in result.output
    # the crash's log was checkpointed into the old file before it moved (or moved with it):
    # it never meets the restored one
    assert learners(moved) == ["ada", "bo", "cy"]  # nothing of the replaced one was lost


def test_restore_refuses_a_damaged_or_foreign_backup_and_changes_nothing(tmp_path):
    database = tmp_path / "progress.sqlite3"
    assert run(database, "profile", "add", "ada").exit_code == 0
    before = database.read_bytes()
    foreign = tmp_path / "other.sqlite3"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database")
    for bad, says in [
        (foreign, "not a StudyBuddy database"),
        (text_file, "not an SQLite database"),
        (tmp_path / "missing.sqlite3", "no such backup file"),
    ]:
        result = run(database, "db", "restore", str(bad))
        assert result.exit_code == 1
        assert says in result.output and len(result.output.strip().splitlines()) == 1
    assert database.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "before-restore" in p.name] == []


def test_restore_waits_for_a_writer_to_finish(tmp_path):
    database, backup = tmp_path / "progress.sqlite3", tmp_path / "b.sqlite3"
    assert run(database, "profile", "add", "ada").exit_code == 0
    assert run(database, "db", "backup", str(backup)).exit_code == 0
    writer = sqlite3.connect(database)
    writer.execute("BEGIN IMMEDIATE")
    try:
        result = run(database, "db", "restore", str(backup))
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 1 and "in use by another program" in result.output
