"""Bad input at the command line: one clear line, the right exit status, nothing lost.

Each test is a case a user could type that once ended in a traceback, a misleading message or a
touched file. Unwritable places are made with a file standing where a folder should be, since
the tests may run as root, for whom permission bits do not stop a write.
"""

from __future__ import annotations

import hashlib
import socket
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studybuddy.cli import app


def run(*args: str, database: Path | None = None):
    prefix = ["--db", str(database)] if database is not None else []
    return CliRunner().invoke(app, [*prefix, *args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean(result, exit_code: int, *fragments: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    for fragment in fragments:
        assert fragment in lines[0], result.output


@pytest.fixture
def database(tmp_path) -> Path:
    path = tmp_path / "progress.sqlite3"
    assert run("profile", "add", "ada", database=path).exit_code == 0
    return path


@pytest.fixture
def blocker(tmp_path) -> Path:
    """A plain file; anything 'inside' it cannot be created."""
    path = tmp_path / "a-file"
    path.write_text("not a folder\n")
    return path


def test_db_backup_into_an_unwritable_place_is_one_line(database, blocker):
    result = run("db", "backup", str(blocker / "copy.db"), database=database)
    assert_clean(result, 1, "error: cannot write", str(blocker / "copy.db"))


def test_database_whose_folder_cannot_be_made_is_one_line(blocker):
    result = run("profile", "list", database=blocker / "progress.sqlite3")
    assert_clean(result, 1, "error: cannot create the folder for")


def test_foreign_sqlite_sharing_a_table_name_is_left_byte_identical(tmp_path):
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE learner (nickname TEXT)")
    other.execute("INSERT INTO learner VALUES ('x')")
    other.commit()
    other.close()
    before = digest(path)
    result = run("profile", "list", database=path)
    assert_clean(result, 1, "another program's SQLite database", "left untouched")
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no backup copies


def test_report_into_an_unwritable_place_is_one_line(database, blocker):
    result = run("report", "--profile", "ada", "-o", str(blocker / "r.html"), database=database)
    assert_clean(result, 1, "error: cannot write", str(blocker / "r.html"))


def test_report_does_not_replace_an_existing_file_without_force(database, tmp_path):
    keep = tmp_path / "notes.txt"
    keep.write_text("my own notes\n")
    result = run("report", "--profile", "ada", "-o", str(keep), database=database)
    assert_clean(result, 2, "already exists", "--force")
    assert keep.read_text() == "my own notes\n"
    forced = run("report", "--profile", "ada", "-o", str(keep), "--force", database=database)
    assert forced.exit_code == 0 and keep.read_text().startswith("<!DOCTYPE html>")


def test_report_for_an_empty_profile_name_names_it(database):
    # it once fell back to the default profile and complained about 'me'
    result = run("report", "--profile", "", database=database)
    assert_clean(result, 1, "(got '')")


def test_banks_schema_output_on_a_folder_is_one_line(tmp_path):
    result = run("banks", "schema", "-o", str(tmp_path))
    assert_clean(result, 1, f"cannot write {tmp_path}")


@pytest.mark.parametrize("flag", ["--csv", "--markdown", "--anki"])
def test_banks_export_to_an_unwritable_place_is_one_line(flag, blocker):
    target = blocker / ("bank.apkg" if flag == "--anki" else "bank.out")
    result = run("banks", "export", "raschka-ch4-ch5", flag, str(target))
    assert_clean(result, 1, f"cannot write {target}")


CSV_BANK = """# id: my-notes
chapter,prompt,answer,explanation
Heads,How many heads does GPT-2 small have?,12,Twelve heads of 64 make 768.
"""


def test_banks_import_output_on_a_folder_is_one_line(tmp_path):
    source = tmp_path / "notes.csv"
    source.write_text(CSV_BANK)
    folder = tmp_path / "out"
    folder.mkdir()
    result = run("banks", "import", str(source), "-o", str(folder))
    assert_clean(result, 1, f"cannot write {folder}")


def test_banks_import_of_a_folder_says_it_is_a_folder(tmp_path):
    result = run("banks", "import", str(tmp_path))
    assert_clean(result, 2, "is a folder; expected a .csv, .md or .markdown file")


def test_banks_validate_of_a_csv_points_to_import(tmp_path):
    source = tmp_path / "notes.csv"
    source.write_text(CSV_BANK)
    result = run("banks", "validate", str(source))
    assert_clean(result, 2, "expected a .yaml bank", "banks import")


@pytest.mark.parametrize(
    "args", [("banks", "list"), ("night", "host", "--chapter", "raschka-ch4-ch5/raschka-ch4")]
)
def test_banks_folder_that_is_not_a_folder_is_named(args, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDYBUDDY_BANKS", str(tmp_path / "no-such-banks"))
    result = run(*args, database=tmp_path / "progress.sqlite3")
    assert_clean(result, 2, "expected a folder of question banks", "$STUDYBUDDY_BANKS")


def test_markdown_front_matter_yaml_error_is_one_line_with_its_line(tmp_path):
    source = tmp_path / "notes.md"
    source.write_text("---\nid: [unclosed\n---\n# T\n## C\n### Q?\nanswer: 5\n> because\n")
    result = run("banks", "import", str(source))
    assert result.exit_code == 1 and "Traceback" not in result.output
    problems = result.output.strip().splitlines()
    # the YAML parser's message spans five lines with carets; one problem is one line
    assert problems == [
        f"{source}:2: -: front matter: valid YAML (expected ',' or ']', but got '<stream end>')",
        "error: 1 problem; nothing written",
    ]


def test_engine_train_out_on_a_file_fails_before_training(blocker):
    before = digest(blocker)
    result = run("engine", "train", "--max-steps", "1", "--out", str(blocker))
    assert_clean(result, 2, "is a file; --out expects a folder")
    assert digest(blocker) == before


def test_engine_train_interrupted_says_so_in_one_line(tmp_path, monkeypatch):
    import studybuddy.engine.recipe as recipe

    def pressed_ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(recipe, "train_study_model", pressed_ctrl_c)
    out = tmp_path / "model"
    out.mkdir()
    (out / "gpt-study.pt").write_bytes(b"the model from last time")
    result = run("engine", "train", "--out", str(out))
    assert_clean(result, 130, "interrupted", "nothing saved")
    assert (out / "gpt-study.pt").read_bytes() == b"the model from last time"


@pytest.mark.parametrize("limit", ["0", "-5"])
def test_night_list_limit_must_be_positive(limit, tmp_path):
    result = run("night", "list", "--limit", limit, database=tmp_path / "progress.sqlite3")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Invalid value for '--limit'" in result.output
    assert "greater than or equal to 1" in result.output


def test_night_serve_on_an_unknown_host_blames_the_host(monkeypatch):
    def unknown(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)  # no DNS lookup from a test
    result = run("night", "serve", "--host", "no-such-host.invalid", "--port", "8123")
    assert_clean(result, 1, "no such address 'no-such-host.invalid'", "--host localhost")
    assert "--port" not in result.output


def test_db_check_of_a_missing_file_does_not_create_it(tmp_path):
    from typer.testing import CliRunner

    from studybuddy.cli import app

    missing = tmp_path / "nowhere.sqlite3"
    result = CliRunner().invoke(app, ["--db", str(missing), "db", "check"])
    assert result.exit_code != 0
    assert "no database at" in result.output and "Traceback" not in result.output
    assert not missing.exists()


@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "existing-folder"])
def test_report_into_a_folder_writes_a_dated_file_inside_it(database, tmp_path, existing):
    folder = tmp_path / "reports"
    if existing:
        folder.mkdir()
    target = str(folder) + ("" if existing else "/")
    result = run("report", "--profile", "ada", "-o", target, database=database)
    assert result.exit_code == 0, result.output
    [written] = folder.iterdir()
    assert written.name.startswith("studybuddy-report-ada-") and written.suffix == ".html"
    assert result.output.strip() == str(written)
