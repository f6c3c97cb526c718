"""True retention and calibration against figures worked out by hand on small fixtures."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from fsrs import Card, Rating, State

from studybuddy.memory.history import Review
from studybuddy.memory.retention import (
    calibration,
    recent_retention,
    retention_by_period,
    true_retention,
)

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # a Wednesday


def review(at: datetime, state: State, interval_days: float, rating: Rating, stability=10.0):
    """A review of a card last reviewed `interval_days` before its due date, `at`."""
    last = at - timedelta(days=interval_days)
    before = Card(
        card_id=1,
        state=state,
        step=None if state == State.Review else 0,
        stability=stability,
        difficulty=5.0,
        due=at,
        last_review=last,
    )
    return Review("q", rating, at, 10.0, "review", before, before)


FIXTURE = [
    review(NOW - timedelta(days=40), State.Learning, 0.01, Rating.Good),  # not in review
    review(NOW - timedelta(days=20), State.Review, 5, Rating.Good),  # young, kept
    review(NOW - timedelta(days=6), State.Review, 10, Rating.Again),  # young, lost
    review(NOW - timedelta(days=3), State.Review, 21, Rating.Good),  # mature (21 is mature)
    review(NOW - timedelta(days=2), State.Review, 30, Rating.Again),  # mature, lost
    review(NOW - timedelta(hours=2), State.Review, 40, Rating.Hard),  # mature, Hard is kept
    review(NOW - timedelta(hours=1), State.Relearning, 0.01, Rating.Again),  # not in review
]


def test_true_retention_counts_review_state_only_split_at_21_days():
    found = true_retention(FIXTURE)
    assert (found.young.reviews, found.young.remembered) == (2, 1)
    assert (found.mature.reviews, found.mature.remembered) == (3, 2)
    assert found.total.share == pytest.approx(3 / 5)


def test_rolling_windows_by_hand():
    day, week, month, overall = recent_retention(FIXTURE, NOW)
    assert (day.total.reviews, day.total.remembered) == (1, 1)  # the Hard 2 h ago
    assert (week.young.reviews, week.mature.reviews) == (1, 3)  # days 6, 3, 2, 0
    assert week.total.remembered == 2
    assert (month.total.reviews, month.total.remembered) == (5, 3)
    assert overall.total.reviews == 5


def test_weeks_start_on_monday_and_empty_periods_are_left_out():
    weeks = retention_by_period(FIXTURE, "week", UTC)
    # days 20 (Thu 21 May) | 6 (Thu 4 Jun) 3 (Sun 7 Jun) | 2 (Mon 8 Jun), 0 (Wed 10 Jun)
    assert [start for start, _ in weeks] == [date(2026, 5, 18), date(2026, 6, 1), date(2026, 6, 8)]
    assert [row.total.reviews for _, row in weeks] == [1, 2, 2]
    months = retention_by_period(FIXTURE, "month", UTC)
    assert [(start, row.total.remembered) for start, row in months] == [
        (date(2026, 5, 1), 1),
        (date(2026, 6, 1), 2),
    ]


def test_no_reviews_gives_empty_figures_not_errors():
    assert true_retention([]).total.share is None
    assert calibration([]) == []


def recall(elapsed: float, stability: float, decay: float = 0.1542) -> float:
    """FSRS-6's forgetting curve written out: R = (1 + F t / S)^-decay, F = 0.9^(-1/decay) - 1."""
    factor = 0.9 ** (-1 / decay) - 1
    return (1 + factor * elapsed / stability) ** -decay


def test_calibration_bins_by_hand():
    reviews = [
        # elapsed = stability: predicted 0.9 exactly, whatever the decay
        review(NOW, State.Review, 10, Rating.Good, stability=10.0),
        review(NOW, State.Review, 10, Rating.Again, stability=10.0),
        review(NOW, State.Review, 20, Rating.Good, stability=20.0),
        # a weak memory: 30 days on stability 2
        review(NOW, State.Review, 30, Rating.Again, stability=2.0),
        review(NOW, State.Review, 30, Rating.Good, stability=2.0),
        # the same day as the previous review: fsrs predicts 1.0, not scored
        review(NOW, State.Learning, 0.2, Rating.Good, stability=2.0),
    ]
    weak = recall(30, 2.0)
    assert 0.6 < weak < 0.7  # so it lands in the 0.6-0.7 bin
    low, high = calibration(reviews)
    assert (low.low, low.reviews) == (pytest.approx(0.6), 2)
    assert low.predicted == pytest.approx(weak)
    assert low.remembered == 0.5
    assert (high.low, high.reviews) == (pytest.approx(0.9), 3)
    assert high.predicted == pytest.approx(0.9)
    assert high.remembered == pytest.approx(2 / 3)
    assert math.isclose(high.high, 1.0)
