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
