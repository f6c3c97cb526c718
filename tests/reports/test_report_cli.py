"""`studybuddy report`: files where asked, one-line errors otherwise."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from studybuddy.cli import app


@pytest.fixture
def run(seeded, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return CliRunner().invoke(app, ["--db", seeded.database, "report", *args])

    return invoke


def test_default_is_a_dated_html_file_here(run, tmp_path):
    result = run("--profile", "ada")
    assert result.exit_code == 0, result.output
    today = datetime.now().astimezone().date().isoformat()
    expected = tmp_path / f"studybuddy-report-ada-{today}.html"
    assert result.output.strip() == str(expected)
    assert expected.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_global_profile_is_the_default(seeded, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["--db", seeded.database, "--profile", "bob", "report", "-f", "md", "-o", "bob.md"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "bob.md").read_text(encoding="utf-8").startswith("# Progress report: bob")


def test_group_json_to_a_named_file(run, tmp_path, seeded):
    result = run("--group", "--format", "json", "-o", str(tmp_path / "out" / "group.json"))
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "out" / "group.json").read_text(encoding="utf-8"))
    assert document["kind"] == "group"
    assert len(document["attempts"]) == len(seeded.plan)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "nobody"], "no profile named 'nobody'"),
        (["--profile", "ada", "--group"], "choose one of --profile NAME, --group or --night ID"),
        (["--since", "14/03/2025"], "--since expects a date as YYYY-MM-DD (got '14/03/2025')"),
        (["--night", "7", "--since", "2025-03-01"], "--since applies to learner and group"),
    ],
)
def test_errors_are_one_line(run, args, message):
    result = run(*args)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("error: ")


def test_missing_profile_lists_the_existing_ones(run):
    result = run("--profile", "nobody")
    assert "profiles: " in result.output
    for name in ("ada", "bob", "empty"):
        assert name in result.output


def test_unknown_format_is_refused(run):
    result = run("--format", "docx")
    assert result.exit_code == 2
    assert "docx" in result.output
