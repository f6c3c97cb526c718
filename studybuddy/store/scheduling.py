"""Spaced repetition through the `fsrs` package: ratings in, cards and recall estimates out.

The rating an auto-graded attempt gives fsrs:

- wrong                          -> Again
- right in under FAST_SECONDS    -> Easy  (answered from memory, no working out)
- right after over SLOW_SECONDS  -> Hard  (got there, with effort)
- right otherwise                -> Good

Short answers are graded by the learner, who picks Again/Hard/Good/Easy; that rating is used as
given. Fuzzing is off so a review's due date depends only on the history, which keeps forecasts
reproducible and lets an export re-import to the same schedule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from fsrs import Card, Rating, Scheduler, State

FAST_SECONDS = 10.0
SLOW_SECONDS = 60.0
MASTERY_RETRIEVABILITY = 0.9
RETENTION_RANGE = (0.70, 0.99)
DEFAULT_RETENTION = 0.9
# fsrs.Card() without an id stamps the clock and sleeps 1 ms to keep ids unique; the store keys
# cards by (learner, question), so a card built without its question gets this fixed id
_CARD_ID = 1

RatingLike = Rating | int | str


def rating_for(correct: bool, seconds: float) -> Rating:
    """The rating of an auto-graded attempt (the rule in the module docstring)."""
    if not correct:
        return Rating.Again
    if seconds < FAST_SECONDS:
        return Rating.Easy
    if seconds > SLOW_SECONDS:
        return Rating.Hard
    return Rating.Good


def parse_rating(value: RatingLike) -> Rating:
    """A learner's own rating as a Rating, an int 1-4 or a name ('again' … 'easy')."""
    if isinstance(value, Rating):
        return value
    if isinstance(value, str):
        for rating in Rating:
            if rating.name.lower() == value.strip().lower():
                return rating
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            return Rating(value)
        except ValueError:
            pass
    raise ValueError(f"a rating Again/Hard/Good/Easy or 1-4 (got {value!r})")


def card_id_for(question_id: str) -> int:
    """A question's fsrs card id: the first 63 bits of its BLAKE2b hash.

    fsrs's Optimizer and `Scheduler.reschedule_card` tell cards apart by id, so each question
    needs its own; a hash (not Python's salted hash()) gives the same id in every process and
    on every machine, and 63 bits keep it a positive 64-bit integer with collisions negligible
    (about 1 in 10^10 for a million questions).
    """
    digest = hashlib.blake2b(question_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@lru_cache(maxsize=16)
def scheduler(
    desired_retention: float = DEFAULT_RETENTION, parameters: tuple[float, ...] | None = None
) -> Scheduler:
    """fsrs's scheduler; `parameters` are a learner's fitted ones (None: fsrs's defaults)."""
    if parameters is None:
        return Scheduler(desired_retention=desired_retention, enable_fuzzing=False)
    return Scheduler(
        parameters=parameters, desired_retention=desired_retention, enable_fuzzing=False
    )


def new_card(at: datetime, question_id: str | None = None) -> Card:
    return Card(card_id=_CARD_ID if question_id is None else card_id_for(question_id), due=at)


def card_from_fields(fields: Any) -> Card:
    """A Card from anything with the review_state columns as attributes (row or table object)."""
    question_id = getattr(fields, "question_id", None)
    return Card(
        card_id=_CARD_ID if question_id is None else card_id_for(question_id),
        state=State(fields.state),
        step=fields.step,
        stability=fields.stability,
        difficulty=fields.difficulty,
        due=fields.due,
        last_review=fields.last_review,
    )


def card_fields(card: Card) -> dict[str, Any]:
    """The review_state columns for a Card."""
    return {
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due,
        "last_review": card.last_review,
    }


def review(
    card: Card,
    rating: Rating,
    at: datetime,
    desired_retention: float,
    parameters: Sequence[float] | None = None,
) -> Card:
    fitted = None if parameters is None else tuple(parameters)
    updated, _log = scheduler(desired_retention, fitted).review_card(card, rating, at)
    return updated


def retrievability(card: Card, now: datetime, parameters: Sequence[float] | None = None) -> float:
    """fsrs's recall probability; it counts whole days, so it is 1.0 on the day of a review.

    `parameters` are the learner's fitted ones (None: fsrs's defaults): the forgetting curve's
    shape (its decay, w20) is a parameter, so a fitted learner's recall must be read with theirs.
    """
    fitted = None if parameters is None else tuple(parameters)
    return float(scheduler(DEFAULT_RETENTION, fitted).get_card_retrievability(card, now))


def is_mastered(
    card: Card,
    now: datetime,
    threshold: float = MASTERY_RETRIEVABILITY,
    parameters: Sequence[float] | None = None,
) -> bool:
    """Recall probability today >= `threshold` (the learner's desired retention), for a card
    that has left the learning steps, read with the learner's `parameters`.

    The state condition matters: fsrs counts elapsed time in whole days, so a question answered
    wrongly an hour ago still has retrievability 1.0; it is in (re)learning, not mastered.
    """
    return card.state == State.Review and retrievability(card, now, parameters) >= threshold


def replay(
    history: Iterable[tuple[str, bool, float, int | None, datetime]], desired_retention: float
) -> tuple[dict[str, Card], list[int]]:
    """Cards rebuilt from attempts (question_id, correct, seconds, rating or None, answered_at),
    oldest first; also the rating each attempt gave, for attempts that had none stored."""
    cards: dict[str, Card] = {}
    ratings: list[int] = []
    for question_id, correct, seconds, stored, answered_at in history:
        rating = Rating(stored) if stored else rating_for(correct, seconds)
        card = cards.get(question_id) or new_card(answered_at, question_id)
        cards[question_id] = review(card, rating, answered_at, desired_retention)
        ratings.append(int(rating))
    return cards, ratings
