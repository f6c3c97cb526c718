"""Does the schedule keep its promise? True retention and calibration from the replayed history.

True retention follows Anki's definition: of the reviews of cards already in the review state
(not new, not in (re)learning steps), the share not rated Again; young cards are those whose
scheduled interval was under 21 days, mature ones 21 days or more. Calibration sets the
recall fsrs predicted at each review against how often the learner actually remembered.

Both read `history.replay` output, so card states and intervals are those the learner's
current parameters give (the desired retention of the time is not recorded; the current one
is used).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from fsrs import Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from studybuddy.memory.history import Review

MATURE_DAYS = 21
Period = Literal["day", "week", "month"]


@dataclass(frozen=True)
class Tally:
    reviews: int
    remembered: int

    @property
    def share(self) -> float | None:
        return self.remembered / self.reviews if self.reviews else None


@dataclass(frozen=True)
class TrueRetention:
    label: str
    young: Tally
    mature: Tally

    @property
    def total(self) -> Tally:
        return Tally(
            self.young.reviews + self.mature.reviews,
            self.young.remembered + self.mature.remembered,
        )


def scheduled_interval_days(review: Review) -> int | None:
    """The interval the card was on when reviewed, in whole days (None before its first)."""
    card = review.before
    if card.last_review is None:
        return None
    return (card.due - card.last_review).days


def _in_review(reviews: Iterable[Review]) -> list[Review]:
    return [r for r in reviews if r.before.state == State.Review]


def true_retention(reviews: Iterable[Review], label: str = "all time") -> TrueRetention:
    young = [0, 0]
    mature = [0, 0]
    for review in _in_review(reviews):
        interval = scheduled_interval_days(review) or 0
        tally = mature if interval >= MATURE_DAYS else young
        tally[0] += 1
        tally[1] += review.remembered
    return TrueRetention(label, Tally(*young), Tally(*mature))


def recent_retention(
    reviews: Sequence[Review], now: datetime, overall: str = "all time"
) -> list[TrueRetention]:
    """True retention over the past day, week and month (rolling, ending `now`) and over all
    of `reviews` (labelled `overall`)."""
    windows = [("past day", 1), ("past week", 7), ("past month", 30)]
    rows = [
        true_retention((r for r in reviews if now - timedelta(days=days) < r.at <= now), label)
        for label, days in windows
    ]
    return [*rows, true_retention(reviews, overall)]


def _period_start(day: date, period: Period) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if period == "month":
        return day.replace(day=1)
    return day


def retention_by_period(
    reviews: Sequence[Review], period: Period, tz: tzinfo
) -> list[tuple[date, TrueRetention]]:
    """True retention per local day, week (from Monday) or month, oldest first; periods with
    no review-state reviews are left out."""
    groups: dict[date, list[Review]] = {}
    for review in _in_review(reviews):
        start = _period_start(review.at.astimezone(tz).date(), period)
        groups.setdefault(start, []).append(review)
    return [
        (start, true_retention(items, start.isoformat())) for start, items in sorted(groups.items())
    ]


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    reviews: int
    predicted: float  # mean predicted recall of the reviews in the bin
    remembered: float  # share of them remembered


def calibration(
    reviews: Iterable[Review], parameters: Sequence[float] | None = None, bins: int = 10
) -> list[CalibrationBin]:
    """Predicted recall at review time in `bins` equal-width bins (empty bins left out).

    Only reviews a whole day or more after the previous one count: fsrs measures elapsed time
    in days, so a same-day review is always predicted at 1.0 and says nothing.
    """
    chosen = DEFAULT_PARAMETERS if parameters is None else tuple(parameters)
    scheduler = Scheduler(parameters=chosen, enable_fuzzing=False)
    sums: list[list[float]] = [[0, 0.0, 0] for _ in range(bins)]  # count, predicted, remembered
    for review in reviews:
        if not review.elapsed_days:
            continue
        predicted = float(scheduler.get_card_retrievability(review.before, review.at))
        slot = sums[min(int(predicted * bins), bins - 1)]
        slot[0] += 1
        slot[1] += predicted
        slot[2] += review.remembered
    return [
        CalibrationBin(i / bins, (i + 1) / bins, int(n), total / n, kept / n)
        for i, (n, total, kept) in enumerate(sums)
        if n
    ]
