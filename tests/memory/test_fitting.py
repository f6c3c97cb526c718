"""Fitting fsrs to a synthetic learner whose real forgetting curve the test chooses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating, ReviewLog
from fsrs.scheduler import DEFAULT_PARAMETERS

from studybuddy.memory import fitting, history, synthetic
from studybuddy.store import scheduling

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def log(card: int, hours: float, rating: Rating = Rating.Good) -> ReviewLog:
    return ReviewLog(card, rating, T0 + timedelta(hours=hours), 5000)


def test_counted_reviews_are_a_day_or_more_after_the_previous_by_hand():
    logs = [
        log(1, 0),
        log(1, 2),  # same day: not counted
        log(1, 26),  # 24 h after the previous: counted
        log(1, 28),  # 2 h: not counted
        log(1, 76),  # 48 h: counted
        log(2, 0),  # a card's first review is never counted
        log(2, 30),  # counted
    ]
    assert fitting.counted_reviews(list(reversed(logs))) == 3  # order does not matter


def test_only_each_cards_first_64_reviews_count():
    logs = [log(1, 24 * day) for day in range(100)]
    assert fitting.counted_reviews(logs) == 63


def test_each_question_is_its_own_card_with_a_stable_id():
    ids = {scheduling.card_id_for(f"q{i}") for i in range(1000)}
    assert len(ids) == 1000
    assert all(0 < i < 2**63 for i in ids)
    # a fixed value, not Python's per-process hash(): the same in every run
    assert scheduling.card_id_for("ch02-tokens-01") == scheduling.card_id_for("ch02-tokens-01")
    records = synthetic.attempts(
        synthetic.Learner(true=synthetic.forgetful_parameters()), cards=3, days=10
    )
    logs = history.review_logs(records)
    assert len({entry.card_id for entry in logs}) == 3
    assert all(entry.review_duration and entry.review_duration > 0 for entry in logs)


def test_our_log_loss_is_fsrs_own_loss():
    """fsrs's Optimizer scores parameters with torch's BCELoss; ours must give the same."""
    from fsrs import Optimizer

    records = synthetic.attempts(
        synthetic.Learner(true=synthetic.forgetful_parameters()), cards=8, days=40
    )
    logs = history.review_logs(records)
    optimizer = Optimizer(logs)
    for parameters in (DEFAULT_PARAMETERS, synthetic.forgetful_parameters()):
        ours = fitting.evaluate(logs, parameters)
        assert ours.reviews == fitting.counted_reviews(logs) > 30
        theirs = optimizer._compute_batch_loss(parameters=list(parameters))
        assert ours.log_loss == pytest.approx(theirs, rel=1e-9)


def test_below_512_counted_reviews_nothing_is_fitted():
    from fsrs import Optimizer

    # 73 cards reviewed on 8 days: 7 counted reviews each, 511, one short
    logs = [log(card, 24 * day) for card in range(73) for day in range(8)]
    assert fitting.counted_reviews(logs) == 511
    # fsrs's own rule agrees: it would quietly hand back its defaults
    assert Optimizer(logs).compute_optimal_parameters() == list(DEFAULT_PARAMETERS)
    with pytest.raises(fitting.NotEnoughReviews, match="511 of 512 reviews so far"):
        fitting.fit(logs)


def test_reviews_all_on_one_day_count_for_nothing():
    logs = [log(card, minutes / 60) for card in range(200) for minutes in (0, 10, 30)]
    assert fitting.counted_reviews(logs) == 0
    with pytest.raises(fitting.NotEnoughReviews, match="0 of 512"):
        fitting.fit(logs)
    assert fitting.evaluate(logs).reviews == 0


@pytest.fixture(scope="module")
def forgetful_learner():
    learner = synthetic.Learner(true=synthetic.forgetful_parameters())
    records = synthetic.attempts(learner, cards=120, days=120, seed=3)
    training, held_back = synthetic.split_by_card(records, held_back=0.3)
    fit = fitting.fit(history.review_logs(training))
    return learner, fit, history.review_logs(held_back)


@pytest.mark.slow
def test_fitted_parameters_predict_held_back_reviews_better_than_the_defaults(forgetful_learner):
    learner, fit, held_back = forgetful_learner
    assert fit.reviews >= fitting.MIN_REVIEWS
    defaults = fitting.evaluate(held_back)
    fitted = fitting.evaluate(held_back, fit.parameters)
    truth = fitting.evaluate(held_back, learner.true)
    assert defaults.reviews == fitted.reviews > 200
    # the true curve is the floor; the fit must close a real part of the gap to it
    assert truth.log_loss < defaults.log_loss
    assert fitted.log_loss < defaults.log_loss - 0.3 * (defaults.log_loss - truth.log_loss)
    assert fitted.rmse < defaults.rmse
    # and on its own training reviews the fit reports an improvement too
    assert fit.after.log_loss < fit.before.log_loss
