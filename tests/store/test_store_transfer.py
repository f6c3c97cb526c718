"""Export and import: every row survives the trip, on either backend and between them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from studybuddy.store import Store, StoreError

T0 = datetime(2026, 2, 1, 20, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture
def filled(store):
    store.set_desired_retention("ada", 0.85)
    for i in range(30):
        store.record_attempt(
            "ada" if i % 3 else "bob",
            question_id=f"q{i % 7}",
            bank_id="ch4",
            bank_version=1 + i // 20,
            answer={"picked": [i % 4], "text": "naïve “quotes”"} if i % 5 else 0.1 + 0.2,
            correct=i % 4 != 0,
            score=1 / 3 if i % 6 == 0 else 1.0,
            seconds=3.0 + i * 2.7,
            mode=["study", "review", "quiz-night"][i % 3],
            rating="hard" if i % 11 == 0 else None,
            at=T0 + timedelta(hours=7 * i, microseconds=i),
        )
    store.add_learner("<script>alert(1)</script>")
    return store


def _fresh(kind: str, tmp_path, request) -> Store:
    if kind == "sqlite":
        return Store(str(tmp_path / f"copy-{len(list(tmp_path.iterdir()))}.sqlite3"))
    return Store(request.getfixturevalue("make_postgres_url")())


@pytest.mark.parametrize("into", ["sqlite", "postgresql"])
def test_export_import_export_is_identical(filled, tmp_path, request, into):
    first = filled.export()
    copy = _fresh(into, tmp_path, request)
    summary = copy.import_data(first)
    assert (summary.learners, summary.attempts) == (3, 30)
    assert copy.export() == first
    # and through a file, byte for byte
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    filled.export_to(a)
    copy.export_to(b)
    assert a.read_bytes() == b.read_bytes()
    copy.close()


def test_the_export_holds_every_row(filled):
    data = filled.export()
    assert [learner["name"] for learner in data["learners"]] == [
        "<script>alert(1)</script>",
        "ada",
        "bob",
    ]
    ada = data["learners"][1]
    assert len(ada["attempts"]) == 20 and ada["desired_retention"] == 0.85
    assert ada["attempts"][0]["answer"] == {"picked": [1], "text": "naïve “quotes”"}
    assert len(ada["review_states"]) == filled.check().review_states - len(
        data["learners"][2]["review_states"]
    )


def test_import_without_cards_rebuilds_the_same_schedule(filled, tmp_path):
    original = filled.export()
    stripped = json.loads(json.dumps(original))
    for learner in stripped["learners"]:
        del learner["review_states"]
    copy = Store(str(tmp_path / "rebuilt.sqlite3"))
    copy.import_data(stripped)
    assert copy.export() == original  # replaying the stored ratings gives the same cards
    copy.close()


def test_import_refuses_taken_names_and_adds_nothing(filled, tmp_path):
    data = filled.export()
    target = Store(str(tmp_path / "other.sqlite3"))
    target.add_learner("bob")
    with pytest.raises(StoreError, match="profiles already in this database: bob; nothing"):
        target.import_data(data)
    assert [r.name for r in target.learners()] == ["bob"]
    assert target.attempt_count() == 0
    target.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "Invalid JSON"),
        (b"[]", "top level: Input should be an object"),
        (b'{"format": "other", "version": 1, "schema_version": 2, "learners": []}', "format"),
        (
            b'{"format": "studybuddy-export", "version": 1, "schema_version": 2, "learners":'
            b' [{"name": "x", "created_at": "2026-01-01T00:00:00"}]}',
            "learners.0.created_at: Input should have timezone info",
        ),
    ],
)
def test_a_bad_import_file_is_one_clear_line(store, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message) as caught:
        store.import_from(path)
    assert "\n" not in str(caught.value)
    assert str(path) in str(caught.value)
    assert store.learners() == []


def test_export_never_overwrites_by_accident(filled, tmp_path):
    path = tmp_path / "progress.json"
    path.write_text("precious")
    with pytest.raises(StoreError, match="already exists"):
        filled.export_to(path)
    assert path.read_text() == "precious"
    filled.export_to(path, overwrite=True)
    assert json.loads(path.read_text())["format"] == "studybuddy-export"
