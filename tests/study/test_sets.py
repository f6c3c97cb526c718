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


# -- sets by section, on the bundled chapter 3 -----------------------------------------------
def _bundled() -> Catalog:
    from studybuddy.banks.loader import bank_files
    from studybuddy.locations import question_banks_dir

    return Catalog(load_banks(bank_files(question_banks_dir())).banks)


CH3 = "raschka-reading-notes/raschka-ch3"


def _open_question_of(question_ids: list[str], catalog: Catalog) -> dict[str, str]:
    """variant id -> the open question written just before it in the bank (a hand rule:
    the bank writes each open question, then the variants checking it)."""
    _, chapter = catalog.find_chapter(CH3)
    owner: dict[str, str] = {}
    last_open = None
    for question in chapter.questions:
        if not question.auto_gradable:
            last_open = question.id
        elif last_open is not None:
            owner[question.id] = last_open
    return owner


def test_chapter_three_splits_into_sections_that_cover_it_once():
    from studybuddy.study.sections import MAX_SIZE, chapter_sections

    catalog = _bundled()
    _, chapter = catalog.find_chapter(CH3)
    sections = chapter_sections(chapter)
    assert len(sections) >= 4
    covered = [q for s in sections for q in s.question_ids]
    assert sorted(covered) == sorted(q.id for q in chapter.questions)
    assert all(s.size <= MAX_SIZE + 4 for s in sections)
    first = sections[0]
    assert "rnn" in first.name and first.pages.startswith("pp. 52")
    assert "ch3-rnn" in first.question_ids and "ch3-multi-head" not in first.question_ids


def test_a_set_is_bite_size_mixes_types_and_never_asks_a_variant_after_its_open_question():
    catalog = _bundled()
    owner = _open_question_of([], catalog)
    for section in (None, 1, 3):
        study = study_set(catalog, CH3, seen=set(), limit=12, section=section)
        ids = study.question_ids
        assert 6 <= len(ids) <= 12, (section, ids)
        for position, question_id in enumerate(ids):
            opener = owner.get(question_id)
            if opener in ids:
                assert ids.index(opener) > position, (question_id, opener)
        kinds = [catalog[q].question.auto_gradable for q in ids]
        # interleaved: an open question comes before the last auto-graded one
        assert kinds.index(False) < len(kinds) - 1 - kinds[::-1].index(True)
    study = study_set(catalog, CH3, seen=set(), limit=12, section=1)
    assert study.key == f"study:{CH3}#1" and study.title.startswith("§1 rnn")


def test_seen_questions_come_after_new_ones_in_a_section():
    catalog = _bundled()
    everything = study_set(catalog, CH3, seen=set(), section=2).question_ids
    study = study_set(catalog, CH3, seen=set(everything[:4]), limit=12, section=2)
    assert not set(study.question_ids[:4]) & set(everything[:4])
    # a tried variant whose open question is still new is not asked again here
    assert everything[0] == "ch3-cornerstone-cloze" and everything[1] == "ch3-cornerstone"
    partly = study_set(catalog, CH3, seen={"ch3-cornerstone-cloze"}, section=2).question_ids
    assert "ch3-cornerstone" in partly and "ch3-cornerstone-cloze" not in partly


def test_several_sets_stay_open_and_a_review_keeps_the_chapter_set(tmp_path):
    from studybuddy.study.resume import ResumeStore

    store = ResumeStore(tmp_path, "db.sqlite3")
    chapter = StudySet("study", "Ch. 3 · 1", ["a", "b", "c"], position=1, key="study:x#1")
    other = StudySet("study", "Ch. 3 · 2", ["d", "e"], position=1, key="study:x#2")
    review = StudySet("review", "Review", ["f", "g"], position=1, key="review")
    for study in (chapter, other, review):
        store.save("ada", study)
    assert [s.key for s in store.load_all("ada")] == ["review", "study:x#2", "study:x#1"]
    review.position = 2  # finished: forgotten, the others stay
    store.save("ada", review)
    assert [s.key for s in store.load_all("ada")] == ["study:x#2", "study:x#1"]
    chapter.position = 2  # saved again: newest first
    store.save("ada", chapter)
    assert store.load("ada").current == "c"


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
