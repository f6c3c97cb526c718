"""Fitting fsrs's 21 parameters to one learner's reviews with fsrs's own Optimizer.

The Optimizer learns only from reviews a day or more after the card's previous one, and only
from each card's first 64 reviews; below one mini-batch (512) of those it silently returns
the defaults. We count the same way first and refuse, so a learner is never told they were
fitted when they were not. Log loss and RMSE are measured on exactly the reviews the Optimizer
learns from, with the defaults and with the fit, so the two figures compare like with like.

torch and pandas (the Optimizer's needs) are imported inside `fit` only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from fsrs import Card, Rating, ReviewLog, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

# mirrors fsrs.optimizer's mini_batch_size and max_seq_len (6.x); that module imports torch
MIN_REVIEWS = 512
MAX_REVIEWS_PER_CARD = 64
_LOG_FLOOR = -100.0  # torch's BCELoss clamps log(p) here; same, so our loss equals fsrs's


class NotEnoughReviews(ValueError):
    def __init__(self, counted: int) -> None:
        self.counted = counted
        super().__init__(
            f"{counted} of {MIN_REVIEWS} reviews so far: fsrs fits from reviews a day or more "
            "after the question's previous one; nothing was changed"
        )


@dataclass(frozen=True)
class Evaluation:
    reviews: int  # how many reviews were scored
    log_loss: float  # mean binary cross-entropy of predicted recall vs remembered (lower: better)
    rmse: float  # root mean square of (predicted recall - remembered)


@dataclass(frozen=True)
class Fit:
    parameters: tuple[float, ...]
    reviews: int  # reviews the optimiser learnt from (the counted ones)
    before: Evaluation  # fsrs's defaults on those reviews
    after: Evaluation  # the fitted parameters on the same reviews


def _by_card(logs: Sequence[ReviewLog]) -> list[list[ReviewLog]]:
    cards: dict[int, list[ReviewLog]] = defaultdict(list)
    for log in logs:
        cards[log.card_id].append(log)
    return [
        sorted(history, key=lambda log: log.review_datetime)[:MAX_REVIEWS_PER_CARD]
        for _card_id, history in sorted(cards.items())
    ]


def counted_reviews(logs: Sequence[ReviewLog]) -> int:
    """Reviews the Optimizer learns from: a day or more after the card's previous review,
    within the card's first 64."""
    return sum(
        (later.review_datetime - earlier.review_datetime).days > 0
        for history in _by_card(logs)
        for earlier, later in zip(history, history[1:], strict=False)
    )


def predictions(
    logs: Sequence[ReviewLog], parameters: Sequence[float] = DEFAULT_PARAMETERS
) -> list[tuple[float, bool]]:
    """(predicted recall, remembered) for each counted review, replaying every card from new
    with `parameters` (learning steps as the store's scheduler)."""
    scheduler = Scheduler(parameters=tuple(parameters), enable_fuzzing=False)
    scored: list[tuple[float, bool]] = []
    for history in _by_card(logs):
        card = Card(card_id=history[0].card_id, due=history[0].review_datetime)
        for log in history:
            if card.last_review and (log.review_datetime - card.last_review).days > 0:
                predicted = float(scheduler.get_card_retrievability(card, log.review_datetime))
                scored.append((predicted, log.rating != Rating.Again))
            card, _ = scheduler.review_card(card, log.rating, log.review_datetime)
    return scored


def _log(p: float) -> float:
    return max(math.log(p), _LOG_FLOOR) if p > 0 else _LOG_FLOOR


def evaluate(
    logs: Sequence[ReviewLog], parameters: Sequence[float] = DEFAULT_PARAMETERS
) -> Evaluation:
    scored = predictions(logs, parameters)
    if not scored:
        return Evaluation(0, math.nan, math.nan)
    loss = -sum(_log(p) if y else _log(1 - p) for p, y in scored) / len(scored)
    rmse = math.sqrt(sum((p - y) ** 2 for p, y in scored) / len(scored))
    return Evaluation(len(scored), loss, rmse)


def fit(logs: Sequence[ReviewLog], *, progress: bool = False) -> Fit:
    """fsrs's Optimizer on these logs; NotEnoughReviews below MIN_REVIEWS counted reviews.

    `progress` shows the Optimizer's own progress bar (one step per epoch) on stderr.
    """
    counted = counted_reviews(logs)
    if counted < MIN_REVIEWS:
        raise NotEnoughReviews(counted)
    from fsrs import Optimizer  # torch, pandas: only now

    found = Optimizer(list(logs)).compute_optimal_parameters(verbose=progress)
    if found is None:  # every epoch's loss was NaN: the history gives it nothing to learn
        raise ValueError("fsrs's optimiser found no better parameters; nothing was changed")
    parameters = tuple(float(p) for p in found)
    return Fit(
        parameters=parameters,
        reviews=counted,
        before=evaluate(logs),
        after=evaluate(logs, parameters),
    )
