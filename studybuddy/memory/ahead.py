"""Reviewing ahead, before a reading-group meeting: a chapter's cards, most forgettable first.

Only questions the learner has already met are reviewed ahead (a new question is learning,
not reviewing). The attempts are saved with mode EARLY_MODE, so reports can tell them apart;
fsrs itself keeps the schedule honest, since a review at high recall probability raises
stability only a little (its stability increase shrinks as retrievability nears 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

EARLY_MODE = "review-ahead"


@dataclass(frozen=True)
class AheadItem:
    question_id: str
    retrievability: float
    due: datetime


def ahead_order(
    cards: Mapping[str, Card],
    question_ids: Iterable[str],
    now: datetime,
    parameters: Sequence[float] | None = None,
) -> list[AheadItem]:
    """The chapter's questions that have a card, lowest recall probability now first."""
    chosen = DEFAULT_PARAMETERS if parameters is None else tuple(parameters)
    scheduler = Scheduler(parameters=chosen, enable_fuzzing=False)
    items = [
        AheadItem(q, float(scheduler.get_card_retrievability(cards[q], now)), cards[q].due)
        for q in dict.fromkeys(question_ids)
        if q in cards and cards[q].last_review is not None
    ]
    return sorted(items, key=lambda item: (item.retrievability, item.due, item.question_id))
