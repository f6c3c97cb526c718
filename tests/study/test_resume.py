from __future__ import annotations

from studybuddy.study.resume import ResumeStore
from studybuddy.study.sets import StudySet


def test_saved_sets_are_per_learner_and_per_database(tmp_path):
    first = ResumeStore(tmp_path, "db-one.sqlite3")
    other_db = ResumeStore(tmp_path, "db-two.sqlite3")
    first.save("ada", StudySet("study", "Ch. 3", ["a", "b", "c"], position=1))
    assert first.load("ada").current == "b"
    assert first.load("bo") is None
    assert other_db.load("ada") is None


def test_a_finished_or_damaged_file_is_no_set(tmp_path):
    store = ResumeStore(tmp_path, "db.sqlite3")
    store.save("ada", StudySet("study", "t", ["a"], position=1))
    assert store.load("ada") is None  # nothing left to ask
    store.save("ada", StudySet("study", "t", ["a", "b"], position=1))
    path = next((tmp_path / "resume").iterdir())
    path.write_text("{not json")
    assert store.load("ada") is None
    store.clear("ada")
    assert not path.exists()
