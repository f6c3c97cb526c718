"""What a retention target costs: reviews and minutes per day for the learner's own cards.

Our loop, fsrs's formulas: each card is retimed for the candidate retention (fsrs's interval
for its current stability), then reviewed whenever due until the horizon; recall is drawn from
fsrs's retrievability under the learner's parameters, the rating given recall and the seconds
per rating are the learner's own shares and averages. A fixed seed makes runs repeatable.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from studybuddy.memory.history import Review

RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.93, 0.95, 0.97)
HORIZONS = (30, 90)
_FALLBACK_SECONDS = {Rating.Again: 30.0, Rating.Hard: 25.0, Rating.Good: 15.0, Rating.Easy: 8.0}


@dataclass(frozen=True)
class Habits:
    """How this learner rates remembered cards and how long each rating takes them."""

    recall_shares: tuple[float, float, float]  # Hard, Good, Easy among remembered reviews
    seconds: Mapping[Rating, float]

    @classmethod
    def from_reviews(cls, reviews: Sequence[Review]) -> Habits:
        later = [r for r in reviews if r.before.last_review is not None]
        remembered = [r.rating for r in later if r.remembered]
        counts = [remembered.count(rating) for rating in (Rating.Hard, Rating.Good, Rating.Easy)]
        shares = tuple(c / len(remembered) for c in counts) if remembered else (0.0, 1.0, 0.0)
        seconds = {}
        for rating in Rating:
            spent = [r.seconds for r in later if r.rating == rating]
            seconds[rating] = mean(spent) if spent else _FALLBACK_SECONDS[rating]
        return cls(shares, seconds)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Workload:
    desired_retention: float
    days: int
    reviews_per_day: float
    minutes_per_day: float


def _retimed(card: Card, scheduler: Scheduler, now: datetime) -> Card:
    """The card as if it had been scheduled for `scheduler`'s retention at its last review."""
    if card.state != State.Review or card.stability is None or card.last_review is None:
        return card
    interval = scheduler._next_interval(stability=card.stability)  # fsrs's interval formula
    retimed = Card(
        card_id=card.card_id,
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.last_review + timedelta(days=interval),
        last_review=card.last_review,
    )
    return retimed


def simulate(
    cards: Mapping[str, Card],
    habits: Habits,
    desired_retention: float,
    days: int,
    now: datetime,
    parameters: Sequence[float] | None = None,
    seed: int = 0,
) -> Workload:
    scheduler = Scheduler(
        parameters=DEFAULT_PARAMETERS if parameters is None else tuple(parameters),
        desired_retention=desired_retention,
        enable_fuzzing=False,
    )
    rng = random.Random(seed)
    end = now + timedelta(days=days)
    reviews = 0
    seconds = 0.0
    for question_id in sorted(cards):
        card = _retimed(cards[question_id], scheduler, now)
        while card.due < end:
            at = max(card.due, now)  # an overdue card is reviewed now
            recalled = rng.random() < scheduler.get_card_retrievability(card, at)
            if recalled:
                rating = rng.choices(
                    [Rating.Hard, Rating.Good, Rating.Easy], weights=habits.recall_shares
                )[0]
            else:
                rating = Rating.Again
            reviews += 1
            seconds += habits.seconds[rating]
            card, _ = scheduler.review_card(card, rating, at)
    return Workload(desired_retention, days, reviews / days, seconds / 60 / days)


def workload_table(
    cards: Mapping[str, Card],
    habits: Habits,
    now: datetime,
    parameters: Sequence[float] | None = None,
    retentions: Sequence[float] = RETENTIONS,
    horizons: Sequence[int] = HORIZONS,
) -> list[Workload]:
    return [
        simulate(cards, habits, retention, days, now, parameters)
        for days in horizons
        for retention in retentions
    ]


def fsrs_suggestion(reviews: Sequence[Review], parameters: Sequence[float]) -> float | None:
    """fsrs's own optimal retention (Optimizer.compute_optimal_retention: the target with the
    least simulated time per remembered card); None when the history is too thin for it."""
    from fsrs import Optimizer  # torch, pandas: only now

    from studybuddy.memory.history import review_logs_from_reviews

    logs = review_logs_from_reviews(reviews)
    later = [r for r in reviews if r.before.last_review is not None and r.remembered]
    if len(logs) < 512 or not later:
        return None
    try:
        return float(Optimizer(logs).compute_optimal_retention(list(parameters)))  # type: ignore[arg-type]
    except (ValueError, ZeroDivisionError):
        return None
