"""Mastery follows the learner's desired retention, not a fixed 90 %."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from studybuddy.store import Store, scheduling
from studybuddy.store.records import QuestionInfo

START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def test_a_question_recalled_at_87_percent_is_mastered_at_085_not_at_090(tmp_path):
    store = Store(str(tmp_path / "db.sqlite3"))
    for learner in ("strict", "relaxed"):
        for day in (0, 1, 4):  # three right answers: the card leaves the learning steps
            store.record_attempt(
                learner,
                question_id="q1",
                bank_id="b",
                bank_version=1,
                answer=None,
                correct=True,
                score=1.0,
                seconds=5.0,
                rating="good",
                at=START + timedelta(days=day),
            )
    store.set_desired_retention("relaxed", 0.85)
    store.set_desired_retention("strict", 0.90)

    # the first day on which fsrs itself puts the recall between 0.85 and 0.90
    from studybuddy.store import queries

    with store.engine.connect() as connection:
        card = queries.cards(connection, store.learner_id("strict"))["q1"]
    assert card.state == scheduling.State.Review
    when = next(
        START + timedelta(days=day)
        for day in range(5, 400)
        if 0.85 <= scheduling.retrievability(card, START + timedelta(days=day)) < 0.90
    )
    chapters = {"b/c": ["q1"]}
    assert store.chapter_mastery("relaxed", chapters, now=when)["b/c"].mastered == 1
    assert store.chapter_mastery("strict", chapters, now=when)["b/c"].mastered == 0
    info = {"q1": QuestionInfo("b/c", "mc", ())}
    relaxed = store.learner_stats("relaxed", info, now=when)
    assert relaxed.mastery_threshold == 0.85 and relaxed.mastery[0].mastered == 1
    store.close()
