"""A learner's attempts as fsrs reviews: one card per question, replayed in time order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, Rating, ReviewLog

from studybuddy.store import scheduling
from studybuddy.store.records import AttemptRecord


@dataclass(frozen=True)
class Review:
    """One attempt as fsrs saw it: the card just before and just after."""

    question_id: str
    rating: Rating
    at: datetime
    seconds: float
    mode: str
    before: Card  # a new card (no last_review) for a question's first attempt
    after: Card

    @property
    def remembered(self) -> bool:
        return self.rating != Rating.Again

    @property
    def elapsed_days(self) -> int | None:
        """Whole days since the previous review, fsrs's unit; None for the first."""
        last = self.before.last_review
        return None if last is None else (self.at - last).days


def rating_of(attempt: AttemptRecord) -> Rating:
    """The rating the store gave the attempt (older rows without one: the same rule)."""
    if attempt.rating:
        return Rating(attempt.rating)
    return scheduling.rating_for(attempt.correct, attempt.seconds)


def _dated(attempts: Iterable[AttemptRecord]) -> list[AttemptRecord]:
    return [a for a in attempts if a.answered_at is not None]


def review_logs(attempts: Iterable[AttemptRecord]) -> list[ReviewLog]:
    """fsrs ReviewLogs: card id from the question (scheduling.card_id_for), duration in ms."""
    return [
        ReviewLog(
            card_id=scheduling.card_id_for(a.question_id),
            rating=rating_of(a),
            review_datetime=a.answered_at,  # type: ignore[arg-type]  # _dated kept only these
            review_duration=max(0, round(a.seconds * 1000)),
        )
        for a in _dated(attempts)
    ]


def replay(
    attempts: Iterable[AttemptRecord],
    parameters: Sequence[float] | None = None,
    desired_retention: float = scheduling.DEFAULT_RETENTION,
) -> list[Review]:
    """Every attempt with the card before and after it, oldest first, as the store schedules
    (same scheduler settings, same guard against a clock set back)."""
    cards: dict[str, Card] = {}
    reviews: list[Review] = []
    ordered = sorted(_dated(attempts), key=lambda a: a.answered_at)  # type: ignore[arg-type,return-value]
    for attempt in ordered:
        at: datetime = attempt.answered_at  # type: ignore[assignment]
        before = cards.get(attempt.question_id) or scheduling.new_card(at, attempt.question_id)
        if before.last_review is not None:
            at = max(at, before.last_review)
        rating = rating_of(attempt)
        after = scheduling.review(before, rating, at, desired_retention, parameters)
        cards[attempt.question_id] = after
        reviews.append(
            Review(attempt.question_id, rating, at, attempt.seconds, attempt.mode, before, after)
        )
    return reviews


def cards_now(reviews: Sequence[Review]) -> dict[str, Card]:
    """Each question's card after its last review."""
    return {r.question_id: r.after for r in reviews}


def review_logs_from_reviews(reviews: Iterable[Review]) -> list[ReviewLog]:
    return [
        ReviewLog(
            card_id=r.after.card_id,
            rating=r.rating,
            review_datetime=r.at,
            review_duration=max(0, round(r.seconds * 1000)),
        )
        for r in reviews
    ]
