"""`studybuddy db …` and `studybuddy profile …` as a learner types them."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from studybuddy.cli import app
from studybuddy.store import Store


def run(database: str, *args: str, input: str | None = None):
    return CliRunner().invoke(app, ["--db", database, *args], input=input)


def seed(database: str, learner: str = "ada", count: int = 3) -> None:
    store = Store(database)
    for i in range(count):
        store.record_attempt(
            learner, question_id=f"q{i}", bank_id="b", bank_version=1, answer=[i],
            correct=True, score=1.0, seconds=12, at=datetime(2026, 4, 1, 10, i, tzinfo=UTC),
        )  # fmt: skip
    store.close()


def test_profile_add_list_rename(database):
    assert run(database, "profile", "add", "ada").exit_code == 0
    seed(database, "ada")
    result = run(database, "profile", "add", "ada")
    assert result.exit_code == 1
    assert result.output.strip() == "error: a profile named 'ada' already exists"
    assert run(database, "profile", "rename", "ada", "grace").exit_code == 0
    listing = run(database, "profile", "list").output
    assert "grace" in listing and "3 attempts" in listing and "ada" not in listing


def test_profile_remove_asks_first_and_keeps_a_backup(database, isolated_user_data):
    seed(database, "ada")
    seed(database, "bob", count=1)
    declined = run(database, "profile", "remove", "ada", input="n\n")
    assert declined.exit_code == 1
    assert "Remove profile 'ada' and its 3 attempt(s)?" in declined.output
    assert {r.name for r in Store(database).learners()} == {"ada", "bob"}

    accepted = run(database, "profile", "remove", "ada", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    (backup,) = (isolated_user_data / "backups").glob("profile-ada-*.json")
    assert [r.name for r in Store(database).learners()] == ["bob"]
    assert len(json.loads(backup.read_text())["learners"][0]["attempts"]) == 3

    restored = run(database, "db", "import", str(backup))
    assert restored.exit_code == 0, restored.output
    assert len(Store(database).attempts("ada")) == 3


def test_profile_remove_yes_skips_the_question(database):
    seed(database, "ada")
    result = run(database, "profile", "remove", "ada", "--yes")
    assert result.exit_code == 0 and "?" not in result.output
    missing = run(database, "profile", "remove", "ada", "--yes")
    assert missing.exit_code == 1
    assert missing.output.strip().endswith("(profiles: none yet)")


def test_profile_retention(database):
    seed(database, "ada")
    assert run(database, "profile", "retention", "ada", "0.8").exit_code == 0
    assert (
        run(database, "profile", "retention", "ada").output.strip() == "ada: desired retention 0.80"
    )
    bad = run(database, "profile", "retention", "ada", "2")
    assert bad.exit_code == 1 and "between 0.7 and 0.99" in bad.output


def test_db_check_reports_version_and_counts(database):
    seed(database, "ada", count=4)
    result = run(database, "db", "check", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["schema_version"], report["learners"], report["attempts"]) == (2, 1, 4)
    assert report["review_states"] == 4 and report["ok"] is True


def test_db_check_finds_damage(tmp_path):
    path = tmp_path / "progress.sqlite3"
    seed(str(path), count=1)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\x00" * (4096 - 100)  # the schema page's cells
    path.write_bytes(bytes(data))
    result = run(str(path), "db", "check")
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "damaged SQLite file" in result.output


def test_db_check_reports_damaged_pages(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = Store(str(path))
    attempt = {"bank_id": "b", "bank_version": 1, "answer": "x" * 300, "correct": True,
               "score": 1.0, "seconds": 1.0, "mode": "study",
               "answered_at": "2026-04-01T10:00:00+00:00"}  # fmt: skip
    attempts = [{**attempt, "question_id": f"q{i}"} for i in range(400)]
    store.import_data({"format": "studybuddy-export", "version": 1, "schema_version": 2,
                       "learners": [{"name": "ada", "created_at": "2026-04-01T00:00:00+00:00",
                                     "attempts": attempts}]})  # fmt: skip
    store.close()
    data = bytearray(path.read_bytes())
    data[5 * 4096 : 6 * 4096] = b"\xff" * 4096  # one data page
    path.write_bytes(bytes(data))
    result = run(str(path), "db", "check")
    assert result.exit_code == 1
    assert "integrity:      database disk image is malformed" in result.output


def test_db_backup_is_a_complete_standalone_copy(tmp_path):
    source = tmp_path / "progress.sqlite3"
    seed(str(source), count=5)
    target = tmp_path / "backups" / "copy.sqlite3"
    result = run(str(source), "db", "backup", str(target))
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM attempt").fetchone() == (5,)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy.close()
    again = run(str(source), "db", "backup", str(target))
    assert again.exit_code == 1 and "already exists" in again.output


def test_db_backup_of_postgresql_points_to_export(postgres_url):
    result = run(postgres_url, "db", "backup", "copy.sqlite3")
    assert result.exit_code == 1
    assert "db export" in result.output


def test_db_export_import_through_the_cli(database, tmp_path):
    seed(database, "ada", count=6)
    exported = tmp_path / "all.json"
    assert run(database, "db", "export", str(exported)).exit_code == 0
    target = str(tmp_path / "new.sqlite3")
    result = run(target, "db", "import", str(exported))
    assert result.exit_code == 0, result.output
    assert "imported 1 profile(s), 6 attempt(s), 6 review state(s)" in result.output
    second = tmp_path / "again.json"
    assert run(target, "db", "export", str(second)).exit_code == 0
    assert exported.read_bytes() == second.read_bytes()


def test_a_non_database_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "essay.txt"
    path.write_text("hello")
    result = run(str(path), "profile", "list")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "left untouched" in result.output
    assert path.read_text() == "hello"


@pytest.mark.parametrize("url", ["postgresql+nosuchdriver://x@localhost/db", "://nothing"])
def test_a_bad_url_is_a_one_line_error(url):
    result = run(url, "profile", "list")
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
