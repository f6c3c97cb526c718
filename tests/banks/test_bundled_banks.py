"""Every bank that ships validates, with its show_me hooks checked against the real demos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from studybuddy.banks import load_bundled_banks
from studybuddy.banks.loader import bank_files
from studybuddy.banks.schema import SCHEMA_NAME, schema_text
from studybuddy.banks.validate import show_me_problems
from studybuddy.locations import question_banks_dir


def test_every_bundled_bank_validates():
    result = load_bundled_banks()
    assert [str(p) for p in result.problems] == []
    assert result.banks, "no banks were found in question_banks/"


def test_show_me_parameters_suit_their_demos():
    from studybuddy.demos.registry import all_demos, param_problems

    # every id in the demos contract exists now, so an unknown demo is an error here too
    problems = show_me_problems(load_bundled_banks(), all_demos(), param_problems)
    assert [str(p) for p in problems] == []


def test_committed_schema_is_generated_from_the_models():
    committed = (question_banks_dir() / SCHEMA_NAME).read_text(encoding="utf-8")
    assert committed == schema_text(), (
        "run: studybuddy banks schema -o question_banks/" + SCHEMA_NAME
    )


def test_bundled_banks_and_fixtures_agree_with_the_committed_json_schema():
    # an independent validator reading the shipped schema, as an editor would
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((question_banks_dir() / SCHEMA_NAME).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    sample = Path(__file__).parent / "fixtures" / "valid" / "sample.yaml"
    for path in [*bank_files(question_banks_dir()), sample]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [f"{path.name}: {e.json_path}: {e.message}" for e in validator.iter_errors(data)]
        assert errors == []
    broken = yaml.safe_load((Path(__file__).parent / "fixtures/broken/mc-answer.yaml").read_text())
    broken["chapters"][0]["questions"][0]["tolerance"] = 1  # not a field of an MC question
    assert not validator.is_valid(broken)
