"""A simulated learner whose memory follows parameters we choose: for tests and benchmarks.

The app schedules this learner with `scheduled_with` (fsrs's defaults, as for a new learner);
whether each review is remembered is drawn from the recall probability under `true` — the
learner's real forgetting curve, unknown to the app. Fitting should then move the app's
parameters towards `true`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from studybuddy.store import scheduling
from studybuddy.store.records import AttemptRecord

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def forgetful_parameters() -> tuple[float, ...]:
    """fsrs's defaults with memories that start weaker and grow more slowly: a learner the
    defaults overrate (initial stabilities a third, recall growth w8 down, decay w20 up)."""
    w = list(DEFAULT_PARAMETERS)
    for i in range(4):
        w[i] = max(0.01, w[i] / 3)
    w[8] = w[8] * 0.6
    w[20] = 0.35
    return tuple(w)


@dataclass(frozen=True)
class Learner:
    true: tuple[float, ...]
    scheduled_with: tuple[float, ...] = tuple(DEFAULT_PARAMETERS)
    desired_retention: float = 0.9
    first_ratings: tuple[float, float, float, float] = (0.25, 0.15, 0.5, 0.1)  # Again … Easy
    recall_ratings: tuple[float, float, float] = (0.15, 0.7, 0.15)  # Hard, Good, Easy


def attempts(
    learner: Learner,
    *,
    cards: int,
    days: int,
    seed: int = 0,
    start: datetime = START,
    new_per_day: int | None = None,
) -> list[AttemptRecord]:
    """`cards` questions introduced evenly over the first half of `days`, each reviewed when
    the app's schedule says, until `days` are over; oldest first."""
    rng = random.Random(seed)
    true = Scheduler(parameters=learner.true, enable_fuzzing=False)
    app = Scheduler(
        parameters=learner.scheduled_with,
        desired_retention=learner.desired_retention,
        enable_fuzzing=False,
    )
    per_day = new_per_day or max(1, -(-cards // max(1, days // 2)))
    end = start + timedelta(days=days)
    records: list[AttemptRecord] = []
    for index in range(cards):
        question_id = f"synthetic-{index:05d}"
        at = start + timedelta(days=index // per_day, minutes=rng.randrange(0, 600))
        app_card = scheduling.new_card(at, question_id)
        true_card = scheduling.new_card(at, question_id)
        while at < end:
            if true_card.last_review is None:
                rating = rng.choices(list(Rating), weights=learner.first_ratings)[0]
            elif rng.random() < true.get_card_retrievability(true_card, at):
                rating = rng.choices(
                    [Rating.Hard, Rating.Good, Rating.Easy], weights=learner.recall_ratings
                )[0]
            else:
                rating = Rating.Again
            seconds = rng.uniform(4.0, 45.0)
            records.append(
                AttemptRecord(
                    question_id=question_id,
                    correct=rating != Rating.Again,
                    score=float(rating != Rating.Again),
                    seconds=seconds,
                    mode="review",
                    answered_at=at,
                    rating=int(rating),
                )
            )
            true_card, _ = true.review_card(true_card, rating, at)
            app_card, _ = app.review_card(app_card, rating, at)
            # reviewed when due, at a random time of that day's study (never earlier)
            at = max(app_card.due, at + timedelta(seconds=seconds))
            if app_card.due - app_card.last_review >= timedelta(days=1):  # type: ignore[operator]
                at += timedelta(minutes=rng.randrange(0, 240))
    return sorted(records, key=lambda r: r.answered_at)  # type: ignore[arg-type,return-value]


def split_by_card(
    records: Sequence[AttemptRecord], held_back: float = 0.25, seed: int = 1
) -> tuple[list[AttemptRecord], list[AttemptRecord]]:
    """(training, held back): whole questions held back, so no card is seen by both."""
    ids = sorted({r.question_id for r in records})
    rng = random.Random(seed)
    kept = set(rng.sample(ids, round(len(ids) * held_back)))
    return (
        [r for r in records if r.question_id not in kept],
        [r for r in records if r.question_id in kept],
    )
