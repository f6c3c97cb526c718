"""fsrs through the store: the cards it keeps match the fsrs library driven directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler

from studybuddy.store import StoreError
from studybuddy.store.scheduling import is_mastered, new_card

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def answer(store, question_id, correct, seconds, at, learner="ada"):
    return store.record_attempt(
        learner,
        question_id=question_id,
        bank_id="b",
        bank_version=1,
        answer=None,
        correct=correct,
        score=float(correct),
        seconds=seconds,
        at=at,
    )


def reference_due(reviews, retention=0.9):
    """The due date fsrs itself gives for the same reviews, kept in memory throughout."""
    scheduler = Scheduler(desired_retention=retention, enable_fuzzing=False)
    card = Card(card_id=7, due=reviews[0][1])
    for rating, at in reviews:
        card, _ = scheduler.review_card(card, rating, at)
    return card.due


def test_due_dates_match_fsrs_across_save_and_reload(store):
    history = [
        (True, 30, T0, Rating.Good),
        (True, 30, T0 + timedelta(minutes=15), Rating.Good),
        (False, 30, T0 + timedelta(days=3), Rating.Again),
        (True, 5, T0 + timedelta(days=3, minutes=20), Rating.Easy),
        (True, 75, T0 + timedelta(days=9), Rating.Hard),
    ]
    for correct, seconds, at, _ in history:
        scheduled = answer(store, "q", correct, seconds, at)
    expected = reference_due([(rating, at) for _correct, _seconds, at, rating in history])
    assert scheduled.due == expected
    assert [(item.question_id, item.due) for item in store.due_queue("ada", now=expected)] == [
        ("q", expected)
    ]
    assert store.due_queue("ada", now=expected - timedelta(seconds=1)) == []


def test_desired_retention_changes_the_interval_as_fsrs_does(store):
    store.set_desired_retention("ada", 0.8)
    store.set_desired_retention("bob", 0.97)
    for learner in ("ada", "bob"):
        answer(store, "q", True, 3, T0, learner=learner)  # Easy: straight to review
    ada_due = store.due_queue("ada", now=T0 + timedelta(days=400))[0].due
    bob_due = store.due_queue("bob", now=T0 + timedelta(days=400))[0].due
    assert ada_due == reference_due([(Rating.Easy, T0)], retention=0.8)
    assert bob_due == reference_due([(Rating.Easy, T0)], retention=0.97)
    assert bob_due < ada_due  # remembering more reliably needs earlier reviews
    assert store.settings("ada").desired_retention == 0.8


@pytest.mark.parametrize("bad", [0.5, 1.0, 1.5])
def test_desired_retention_outside_the_range_is_refused(store, bad):
    with pytest.raises(StoreError, match="between 0.7 and 0.99"):
        store.set_desired_retention("ada", bad)


def test_mastery_holds_while_recall_is_at_least_ninety_percent():
    """FSRS defines stability S as the days after which recall falls to 90 %, so a reviewed
    card is mastered for the first floor(S) whole days and not after."""
    scheduler = Scheduler(enable_fuzzing=False)
    card, _ = scheduler.review_card(new_card(T0), Rating.Easy, T0)
    stability_days = int(card.stability)
    assert stability_days >= 1
    assert is_mastered(card, T0 + timedelta(days=stability_days, hours=23))
    assert not is_mastered(card, T0 + timedelta(days=stability_days + 1))


def test_a_question_answered_wrongly_today_is_not_mastered(store):
    answer(store, "q", True, 3, T0)  # Easy: review state
    answer(store, "q", False, 3, T0 + timedelta(days=2))  # lapse: relearning
    mastery = store.chapter_mastery("ada", {"ch": ["q"]}, now=T0 + timedelta(days=2, hours=1))
    assert (mastery["ch"].seen, mastery["ch"].mastered) == (1, 0)


def test_a_profile_not_created_yet_has_the_default_settings(store):
    assert store.settings("newcomer").desired_retention == 0.9
    assert store.learners() == []  # reading settings created nothing
