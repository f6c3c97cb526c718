"""The grading checks of the validator (issue 12): one fixture question per rule, caught with
its message, and the questions that keep the rule left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from studybuddy.banks.loader import load_banks, load_bundled_banks
from studybuddy.banks.validate import (
    grading_problems,
    numeric_unit_problems,
    phrase_problems,
    tolerance_problems,
)
from studybuddy.cli import app

GRADING = Path(__file__).parent / "fixtures" / "grading"


@pytest.fixture(autouse=True)
def _in_fixture_folder(monkeypatch):
    monkeypatch.chdir(GRADING)


def _found(check, name: str) -> list[tuple[str, str, str]]:
    return [(p.question_id, p.field, p.message) for p in check(load_banks([Path(name)]))]


def test_numeric_questions_need_the_unit_their_prompt_asks_for_and_one_that_reads():
    found = _found(numeric_unit_problems, "units.yaml")
    assert [(q, f) for q, f, _ in found] == [  # in the file's order
        ("bad-no-unit", "unit"),
        ("bad-unreadable-unit", "unit"),
        ("bad-decimal-for-binary", "unit"),
    ]
    messages = {q: m for q, _, m in found}
    assert "the prompt asks 'in millions'" in messages["bad-no-unit"]
    assert "got 'furlongs'" in messages["bad-unreadable-unit"]
    assert "'MiB'" in messages["bad-decimal-for-binary"]


def test_the_same_fact_with_two_tolerances_is_caught_in_both_places():
    found = _found(tolerance_problems, "tolerances.yaml")
    assert [(q, f) for q, f, _ in found] == [
        ("tied-params-a", "tolerance"),
        ("tied-params-b", "tolerance"),
    ]
    assert found[0][2] == (
        "the tolerance of tied-params-b (tolerances.yaml:20), which asks the same value: "
        "±0.2 million here, ±100,000 parameters there"
    )
    # same value and unit as tied-params-a, but a prompt about something else: not the same fact


def test_short_answer_phrases_that_cannot_work_are_caught():
    found = _found(phrase_problems, "phrases.yaml")
    assert [(q, f) for q, f, _ in found] == [
        ("echo-only-point", "key_points.0.accept"),
        ("model-answer-contradicts-itself", "misconceptions.0.match"),
    ]
    assert "'multipl* ... 1 p' matches its 'multiplied by 1/(1 - p)'" in found[1][2]


def test_validate_prints_grading_advice_as_warnings_and_a_missing_unit_as_an_error():
    runner = CliRunner()
    result = runner.invoke(app, ["banks", "validate", "units.yaml"])
    assert result.exit_code == 1, result.output  # the unit the prompt asks for is missing
    assert result.stdout.count(": unit: warning: ") == 2
    assert "units.yaml:9: bad-no-unit: unit: a unit, since the prompt asks" in result.stdout
    assert "1 problem and 2 warnings in 1 file" in result.stderr


def test_strict_validation_fails_on_warnings_alone(tmp_path):
    text = Path("units.yaml").read_text(encoding="utf-8")
    start = text.index("      - id: bad-no-unit")
    end = text.index("      - id:", start + 1)
    (tmp_path / "advice.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    runner = CliRunner()
    lenient = runner.invoke(app, ["banks", "validate", str(tmp_path / "advice.yaml")])
    assert lenient.exit_code == 0, lenient.output
    assert lenient.stdout.splitlines()[-1].endswith("questions and 2 warnings")
    strict = runner.invoke(app, ["banks", "validate", "--strict", str(tmp_path / "advice.yaml")])
    assert strict.exit_code == 1
    assert "0 problems and 2 warnings in 1 file" in strict.stderr


def test_the_bundled_banks_pass_the_grading_checks():
    assert [str(p) for p in grading_problems(load_bundled_banks())] == []
