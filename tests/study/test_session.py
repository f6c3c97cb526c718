"""LearnerSession: what the home screen shows of a chapter, from the banks and the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from studybuddy.banks.grading import grade
from studybuddy.study.session import ChapterProgress, LearnerSession

BANKS = Path(__file__).parents[1] / "tui" / "fixtures" / "banks"
CHAPTER = "tui-sample/every-type"


def test_chapter_progress_counts_right_mastered_and_due(tmp_path):
    session = LearnerSession(str(tmp_path / "p.sqlite3"), "ada", BANKS, tmp_path)
    catalog = session.catalog
    total = len(catalog.chapter_questions()[CHAPTER])
    right, wrong = catalog["tui-tf"], catalog["tui-mc"]
    a_wrong_option = next(
        i for i in range(len(wrong.question.options)) if i not in wrong.question.answer
    )
    # right in 5 s rates Easy (README: Easy under 10 s), so fsrs schedules it days ahead;
    # wrong rates Again, relearned within minutes
    for ref, response, seconds in (
        (right, right.question.answer, 5),
        (wrong, [a_wrong_option], 20),
    ):
        session.record_attempt(
            ref, answer=response, grade=grade(ref.question, response), seconds=seconds, mode="study"
        )
    assert session.seen_question_ids() == {"tui-tf", "tui-mc"}
    # an hour later only the wrong one is due; the right one is still recalled with >= 90 %
    session.now = datetime.now(UTC) + timedelta(hours=1)
    due = session.due_question_ids()
    assert due == ["tui-mc"]
    progress = session.chapter_progress(due)
    assert progress[CHAPTER] == ChapterProgress(right=1, mastery=1 / total, due=1)
    session.close()
