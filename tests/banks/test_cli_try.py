"""`studybuddy banks try`: one answer graded as the quiz would, on the sample bank."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studybuddy.cli import app

VALID = Path(__file__).parent / "fixtures" / "valid"


@pytest.fixture(autouse=True)
def _sample_banks(monkeypatch):
    monkeypatch.setenv("STUDYBUDDY_BANKS", str(VALID))


def _try(*args: str) -> dict:
    result = CliRunner().invoke(app, ["banks", "try", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("question_id", "typed", "correct", "score"),
    [
        ("s-mc", "1,2", True, 1.0),  # ReLU, GELU: option numbers as shown in the quiz
        ("s-mc", "A B", True, 1.0),
        ("s-mc", "1", False, 0.5),  # one of the two: Jaccard 1/2
        ("s-mc", "1,3", False, 1 / 3),  # one right, one wrong: 1 / |{1,2,3}|
        ("s-tf", "true", True, 1.0),
        ("s-tf", "f", False, 0.0),
        ("s-order", "1 2 3 4", True, 1.0),
        ("s-order", "2 1 3 4", False, 0.75),  # one step moved: 3 of 4 in order
        ("s-num", "65%", True, 1.0),
        ("s-num", "0.65", True, 1.0),
        ("s-cloze", "12 | twelve", True, 1.0),
        ("s-cloze", "12 | 24", False, 0.5),
    ],
)
def test_every_type_is_graded_from_what_the_learner_types(question_id, typed, correct, score):
    out = _try(question_id, typed)
    assert out["id"] == question_id and out["answered"]
    assert (out["correct"], out["score"]) == (correct, pytest.approx(score, abs=1e-4))


def test_a_short_answer_shows_the_suggestion_and_its_evidence():
    out = _try("s-short", "Large dot products make the softmax saturate.")
    assert out["type"] == "short" and out["suggested"] == "good"
    assert out["covered"] == ["scores grow with the dimension", "softmax saturates"]
    assert out["missing"] == [] and out["contradicted"] == []
    assert out["evidence"] == {
        "scores grow with the dimension": "Large dot products",
        "softmax saturates": "saturate",
    }
    assert set(out) >= {"id", "type", "correct", "score", "feedback"}


def test_the_text_output_names_covered_and_missing_points():
    result = CliRunner().invoke(app, ["banks", "try", "s-short", "They saturate"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "s-short (short): suggested hard, score 0.50"
    assert lines[1] == "  covered:      softmax saturates  (you wrote “saturate”)"
    assert lines[2] == "  missing:      scores grow with the dimension"


def test_a_number_shows_how_it_was_read():
    result = CliRunner().invoke(app, ["banks", "try", "s-num", "0.65"])
    assert "read as 65 (as a fraction)" in result.stdout


@pytest.mark.parametrize(
    ("question_id", "typed", "message"),
    [
        ("s-num", "lots", "'lots' is not a number"),
        ("s-mc", "5", "'5' is not an option: type option numbers 1-4 or letters A-D"),
        ("s-order", "1 1 2 3", "Not an order of all 4 steps"),
        ("s-tf", "maybe", "'maybe' is not an answer: type true or false"),
    ],
)
def test_what_is_no_answer_is_said_so_and_not_graded(question_id, typed, message):
    out = _try(question_id, typed)
    assert not out["answered"] and not out["correct"]
    assert message in out["feedback"]


def test_an_unknown_id_is_one_line_naming_close_ids():
    result = CliRunner().invoke(app, ["banks", "try", "s-shrt", "x"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: no question 's-shrt'; did you mean s-short, s-tf?"
    ]
