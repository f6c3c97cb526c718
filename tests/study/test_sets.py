from __future__ import annotations

from pathlib import Path

from studybuddy.banks.loader import load_banks
from studybuddy.study.catalog import Catalog
from studybuddy.study.sets import StudySet, review_set, study_set

FIXTURE = Path(__file__).parents[1] / "tui" / "fixtures" / "banks" / "tui-sample.yaml"
ALL = ["tui-mc", "tui-mc-multi", "tui-tf", "tui-numeric", "tui-cloze", "tui-ordering", "tui-short"]


def _catalog() -> Catalog:
    return Catalog(load_banks([FIXTURE]).banks)


def test_unseen_first_and_open_questions_after_the_auto_graded_ones():
    study = study_set(_catalog(), "tui-sample/every-type", seen={"tui-mc", "tui-cloze"})
    assert study.question_ids == [
        "tui-mc-multi",
        "tui-tf",
        "tui-numeric",
        "tui-ordering",
        "tui-short",  # never tried
        "tui-mc",
        "tui-cloze",  # tried before
    ]
    assert sorted(study.question_ids) == sorted(ALL)


def test_review_skips_questions_that_left_the_banks():
    study = review_set(_catalog(), ["tui-tf", "gone-from-banks", "tui-mc"])
    assert study.question_ids == ["tui-tf", "tui-mc"]


def test_a_saved_set_resumes_without_retired_questions():
    saved = StudySet(
        "study",
        "t",
        ["tui-mc", "gone", "tui-tf", "tui-numeric"],
        position=3,
        outcomes={"tui-mc": True, "gone": False, "tui-tf": True},
    )
    resumed = StudySet.from_dict(saved.to_dict()).restricted_to(_catalog())
    assert resumed.question_ids == ["tui-mc", "tui-tf", "tui-numeric"]
    assert resumed.current == "tui-numeric"
    assert resumed.outcomes == {"tui-mc": True, "tui-tf": True}


def test_the_weakest_set_takes_each_question_once_weakest_topic_first():
    from studybuddy.store.records import WeakTopic
    from studybuddy.study.sets import WEAKEST_SET_SIZE, weakest_set

    weakest = [
        WeakTopic("softmax", 6, 1, ("tui-numeric", "tui-mc")),
        WeakTopic("masking", 4, 2, ("tui-mc", "gone-from-banks", "tui-tf")),
    ]
    study = weakest_set(_catalog(), weakest)
    assert study.mode == "practice"
    assert study.question_ids == ["tui-numeric", "tui-mc", "tui-tf"]
    from studybuddy.banks.loader import load_bundled_banks

    bundled = Catalog(load_bundled_banks().banks)
    ids = [ref.question.id for ref in bundled.refs()][: WEAKEST_SET_SIZE + 5]
    many = [WeakTopic(f"topic-{n}", 3, 0, (qid,)) for n, qid in enumerate(ids)]
    assert weakest_set(bundled, many).question_ids == ids[:WEAKEST_SET_SIZE] != ids


def test_banks_are_shelved_book_course_notes_then_by_title():
    from studybuddy.study.catalog import shelf_order

    bank = _catalog().banks[0]
    banks = [
        bank.model_copy(update={"id": "n", "title": "A notes", "source": "notes"}),
        bank.model_copy(update={"id": "c2", "title": "Z course", "source": "course"}),
        bank.model_copy(update={"id": "b", "title": "The book", "source": "book"}),
        bank.model_copy(update={"id": "c1", "title": "B course", "source": "course"}),
    ]
    assert [b.id for b in shelf_order(banks)] == ["b", "c1", "c2", "n"]
