"""Recording attempts: the walking skeleton's API, history across bank versions, ratings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from studybuddy.store import Store, StoreError

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def record(store: Store, learner: str = "ada", **overrides):
    values = dict(
        question_id="q1",
        bank_id="ch3",
        bank_version=1,
        answer=[1],
        correct=True,
        score=1.0,
        seconds=20.0,
        mode="study",
        at=T0,
    )
    values.update(overrides)
    return store.record_attempt(learner, **values)


def test_attempts_come_back_in_order_with_every_field(store):
    record(store, question_id="q1", answer=[2], correct=False, score=0.0, seconds=4.5)
    record(store, question_id="q2", answer={"text": "ÿ"}, mode="review", at=T0 + timedelta(1))
    attempts = store.attempts("ada")
    assert [a.question_id for a in attempts] == ["q1", "q2"]
    first, second = attempts
    assert (first.correct, first.score, first.seconds, first.answer) == (False, 0.0, 4.5, [2])
    assert first.answered_at == T0
    assert (second.mode, second.answer, second.bank_id) == ("review", {"text": "ÿ"}, "ch3")
    assert store.attempt_count() == 2


def test_correctly_answered_only_counts_right_answers_among_the_ids(store):
    record(store, question_id="q1", correct=False)
    record(store, question_id="q2", correct=True)
    record(store, question_id="q3", correct=True)
    assert store.correctly_answered("ada", ["q1", "q2", "q9"]) == {"q2"}


def test_learners_are_separate(store):
    record(store, "ada", question_id="q1")
    record(store, "bob", question_id="q2")
    assert [a.question_id for a in store.attempts("bob")] == ["q2"]
    assert store.learner_id("ada") != store.learner_id("bob")


def test_a_changed_bank_keeps_the_old_versions_history(store):
    record(store, question_id="q1", bank_version=1, correct=False)
    record(store, question_id="q1", bank_version=2, correct=True, at=T0 + timedelta(days=1))
    versions = [(a.bank_version, a.correct) for a in store.attempts("ada")]
    assert versions == [(1, False), (2, True)]


def test_a_question_gone_from_the_banks_keeps_its_history(store):
    from studybuddy.store import QuestionInfo

    record(store, question_id="removed-q", correct=False)
    record(store, question_id="kept-q", correct=True, at=T0 + timedelta(minutes=1))
    catalog = {"kept-q": QuestionInfo("ch3", "mc")}
    stats = store.learner_stats("ada", catalog, now=T0 + timedelta(hours=1), tz=UTC)
    assert stats.attempts == 2  # totals still count it
    assert [a.key for a in stats.by_chapter] == ["ch3"]
    later = T0 + timedelta(days=30)
    assert {item.question_id for item in store.due_queue("ada", now=later)} == {
        "removed-q",
        "kept-q",
    }
    assert [item.question_id for item in store.due_queue("ada", now=later, among=catalog)] == [
        "kept-q"
    ]
    assert [a.question_id for a in store.attempts("ada")] == ["removed-q", "kept-q"]


@pytest.mark.parametrize(
    ("correct", "seconds", "expected"),
    [
        (False, 3.0, "Again"),
        (False, 90.0, "Again"),
        (True, 9.9, "Easy"),
        (True, 10.0, "Good"),
        (True, 60.0, "Good"),
        (True, 60.1, "Hard"),
    ],
)
def test_auto_graded_rating_follows_correctness_and_time(store, correct, seconds, expected):
    scheduled = record(store, correct=correct, seconds=seconds)
    assert scheduled.rating == expected
    assert store.attempts("ada")[0].rating == ["Again", "Hard", "Good", "Easy"].index(expected) + 1


@pytest.mark.parametrize("given", ["hard", "Hard", 2])
def test_a_learners_own_rating_wins(store, given):
    assert record(store, correct=True, seconds=3, rating=given).rating == "Hard"


def test_an_unknown_rating_is_refused_and_nothing_is_saved(store):
    with pytest.raises(ValueError, match="Again/Hard/Good/Easy"):
        record(store, rating="superb")
    assert store.attempt_count() == 0


def test_a_blank_profile_name_is_refused(store):
    with pytest.raises(StoreError, match="profile name"):
        record(store, "   ")


def test_reading_an_unknown_learner_does_not_create_it(store):
    assert store.due_queue("nobody") == []
    assert store.recent_sessions("nobody") == []
    assert store.learners() == []
