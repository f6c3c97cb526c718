"""`studybuddy banks list` and `banks schema`, on a fixture folder whose counts are known."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from studybuddy.cli import app

VALID = Path(__file__).parent / "fixtures" / "valid"


def test_list_json_has_one_object_per_bank_with_chapter_and_type_counts(monkeypatch):
    monkeypatch.setenv("STUDYBUDDY_BANKS", str(VALID))
    result = CliRunner().invoke(app, ["banks", "list", "--json"])
    assert result.exit_code == 0, result.output
    listing = json.loads(result.stdout)
    # sample.yaml, counted by hand: chapter A has mc, tf, ordering; B has numeric, short, cloze
    assert listing == {
        "banks": [
            {
                "id": "sample",
                "title": "Sample bank",
                "source": "notes",
                "version": 2,
                "questions": 6,
                "by_type": {"mc": 1, "tf": 1, "ordering": 1, "numeric": 1, "short": 1, "cloze": 1},
                "auto_gradable": 5,
                "with_show_me": 1,
                "chapters": [
                    {
                        "id": "sample-a",
                        "title": "Chapter A: choices",
                        "questions": 3,
                        "by_type": {"mc": 1, "tf": 1, "ordering": 1},
                    },
                    {
                        "id": "sample-b",
                        "title": "Chapter B: typed answers",
                        "questions": 3,
                        "by_type": {"numeric": 1, "short": 1, "cloze": 1},
                    },
                ],
            }
        ],
        "total": 6,
        "by_type": {"mc": 1, "tf": 1, "ordering": 1, "numeric": 1, "short": 1, "cloze": 1},
        "auto_gradable": 5,
        "with_show_me": 1,
    }


def test_list_text_ends_with_the_total(monkeypatch):
    monkeypatch.setenv("STUDYBUDDY_BANKS", str(VALID))
    result = CliRunner().invoke(app, ["banks", "list"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "6 questions in 1 banks"


def test_schema_command_writes_and_checks(tmp_path):
    runner = CliRunner()
    target = tmp_path / "bank.schema.json"
    assert runner.invoke(app, ["banks", "schema", "-o", str(target)]).exit_code == 0
    schema = json.loads(target.read_text())
    assert set(schema["$defs"]["Numeric"]["required"]) >= {"type", "id", "prompt", "value"}
    assert runner.invoke(app, ["banks", "schema", "--check", "-o", str(target)]).exit_code == 0
    target.write_text("{}")
    stale = runner.invoke(app, ["banks", "schema", "--check", "-o", str(target)])
    assert stale.exit_code == 1 and "out of date" in stale.stderr
