"""CSV (one answer a row) and JSON (checked against the published schema)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import pytest
from report_fixtures import EVIL, NOW, sample_night

from studybuddy.reports import jsondoc, tables
from studybuddy.reports.make import group_report, learner_report, night_report

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "studybuddy" / "reports" / "report.schema.json").read_text()
)


def validate(document) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_one_row_per_answer(store, catalog, seeded):
    found = rows(learner_report(store, "ada", "csv", catalog=catalog, now=NOW, tz=UTC))
    plan = seeded.of("ada")
    assert len(found) == len(plan)
    assert list(found[0]) == tables.ATTEMPT_COLUMNS
    for row, planned in zip(found, plan, strict=True):
        assert row["question_id"] == planned.question_id
        assert datetime.fromisoformat(row["answered_at"]) == planned.at
        assert row["correct"] == ("true" if planned.correct else "false")
        assert float(row["seconds"]) == planned.seconds
        assert row["chapter"] == catalog[planned.question_id].chapter_key
        assert json.loads(row["answer"]) == {"typed": f"{EVIL} =1+1"}


def test_group_csv_holds_everyones_answers_and_disarms_formulas(store, catalog, seeded):
    found = rows(group_report(store, "csv", catalog=catalog, now=NOW, tz=UTC))
    assert len(found) == len(seeded.plan)
    assert {r["learner"] for r in found} == {p.learner for p in seeded.plan}
    assert all(not r["learner"].startswith(("=", "+", "-", "@")) for r in found)
    assert tables._cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"


def test_csv_since_leaves_earlier_answers_out(store, catalog, seeded):
    since = date(2025, 3, 19)
    found = rows(learner_report(store, "ada", "csv", catalog=catalog, now=NOW, tz=UTC, since=since))
    assert len(found) == sum(p.at.date() >= since for p in seeded.of("ada"))


def test_learner_json_follows_the_schema_and_the_plan(store, catalog, seeded):
    document = json.loads(learner_report(store, "ada", "json", catalog=catalog, now=NOW, tz=UTC))
    validate(document)
    plan = seeded.of("ada")
    learner = document["learner"]
    assert (document["kind"], document["schema_version"]) == ("learner", jsondoc.SCHEMA_VERSION)
    assert learner["attempts"] == len(plan) == len(document["attempts"])
    assert learner["correct"] == sum(p.correct for p in plan)
    assert learner["streak"] == {"current": 3, "longest": 5, "last_day": "2025-03-21"}
    assert sum(c["attempts"] for c in learner["chapters"]) == len(plan)


@pytest.mark.parametrize("name", ["empty", EVIL])
def test_other_learners_json_follows_the_schema(store, catalog, name):
    validate(json.loads(learner_report(store, name, "json", catalog=catalog, now=NOW, tz=UTC)))


def test_group_and_night_json_follow_the_schema(store, catalog, seeded):
    group = json.loads(group_report(store, "json", catalog=catalog, now=NOW, tz=UTC))
    validate(group)
    assert len(group["attempts"]) == len(seeded.plan)
    night = json.loads(night_report(sample_night(), "json", now=NOW, tz=UTC))
    validate(night)
    assert night["night"]["hardest"] == "q-hard"


def test_the_schema_rejects_what_it_does_not_describe(store, catalog):
    document = json.loads(learner_report(store, "ada", "json", catalog=catalog, now=NOW, tz=UTC))
    for broken in (
        {**document, "schema_version": 2},
        {**document, "kind": "group"},
        {**document, "learner": {**document["learner"], "accuracy": 1.5}},
        {**document, "surprise": 1},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate(broken)
