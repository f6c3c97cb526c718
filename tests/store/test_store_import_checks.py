"""`db import` takes only what the app itself would write: a file with any value the app
rejects is refused whole, every problem named, and the database is left as it was."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from studybuddy.cli import app
from studybuddy.store import StoreError

NOW = datetime.now(UTC)


def export(**learner) -> dict:
    base = {
        "name": "Ada",
        "created_at": (NOW - timedelta(days=3)).isoformat(),
        "desired_retention": 0.9,
        "attempts": [
            {
                "question_id": "q1",
                "bank_id": "b",
                "bank_version": 1,
                "answer": [1],
                "correct": True,
                "score": 1.0,
                "seconds": 12.5,
                "mode": "study",
                "answered_at": (NOW - timedelta(days=1)).isoformat(),
                "rating": 3,
            }
        ],
    }
    return {
        "format": "studybuddy-export",
        "version": 1,
        "schema_version": 2,
        "learners": [{**base, **learner}],
    }


def attempt(**changes) -> list[dict]:
    return [{**export()["learners"][0]["attempts"][0], **changes}]


def card(**changes) -> list[dict]:
    good = {
        "question_id": "q1",
        "state": 2,
        "step": None,
        "stability": 3.2,
        "difficulty": 5.0,
        "due": (NOW + timedelta(days=3)).isoformat(),
        "last_review": (NOW - timedelta(days=1)).isoformat(),
    }
    return [{**good, **changes}]


HOSTILE = {
    "terminal-escape": ({"name": "Ada\x1b]0;pwned\x07"}, "printable"),
    "huge-name": ({"name": "A" * 100_000}, "1-64 printable"),
    "blank-name": ({"name": "   "}, "printable"),
    "tiny-retention": ({"desired_retention": 0.01}, "desired_retention"),
    "infinite-seconds": ({"attempts": attempt(seconds="Infinity")}, "seconds"),
    "week-long-answer": ({"attempts": attempt(seconds=7 * 24 * 3600)}, "seconds"),
    "score-above-one": ({"attempts": attempt(score=3)}, "score"),
    "future-answer": (
        {"attempts": attempt(answered_at=(NOW + timedelta(days=400)).isoformat())},
        "not in the future",
    ),
    "nan-stability": ({"review_states": card(stability="NaN")}, "stability"),
    "far-future-due": (
        {"review_states": card(due=datetime(9000, 1, 1, tzinfo=UTC).isoformat())},
        "not in the future",
    ),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_value_the_app_rejects_refuses_the_whole_file(case, store, tmp_path):
    changes, fragment = HOSTILE[case]
    path = tmp_path / "in.json"
    # json.dumps writes NaN/Infinity bare when a test passes floats; strings keep them quoted
    path.write_text(
        json.dumps(export(**changes)).replace('"NaN"', "NaN").replace('"Infinity"', "Infinity")
    )
    with pytest.raises(StoreError) as caught:
        store.import_from(path)
    message = str(caught.value)
    assert fragment in message and "nothing imported" in message
    assert "\n" not in message and "\x1b" not in message
    assert store.learners() == []


def test_every_problem_is_named_at_once(store, tmp_path):
    data = export(name="\x07", desired_retention=5, attempts=attempt(seconds=-1, score=2))
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    with pytest.raises(StoreError, match="4 problems") as caught:
        store.import_from(path)
    for field in ("name", "desired_retention", "seconds", "score"):
        assert field in str(caught.value)


def test_a_good_file_still_imports(store, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(export(review_states=card())))
    store.import_from(path)
    assert [learner.name for learner in store.learners()] == ["Ada"]


def test_the_cli_says_it_in_one_line(tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(export(name="x\x1b[2J")))
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "p.sqlite3"), "db", "import", str(path)]
    )
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "\x1b" not in result.output
