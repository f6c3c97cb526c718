"""Fitting, reverting and reading a learner's memory model through the store.

The only module here that touches the database: it reads attempts through the Store, writes
fits and rescheduled cards through store.fitted in one transaction, and turns every failure
into a StoreError sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Protocol

from fsrs import ReviewLog

from studybuddy.memory import fitting, history, retention, workload
from studybuddy.store import Store, StoreError
from studybuddy.store import fitted as stored_fits
from studybuddy.store.db import writer
from studybuddy.store.errors import translated_errors


class Fitter(Protocol):
    def __call__(self, logs: Sequence[ReviewLog], *, progress: bool = False) -> fitting.Fit: ...


@dataclass(frozen=True)
class OptimizeResult:
    learner: str
    attempts: int
    fit: fitting.Fit
    saved: bool
    rescheduled: int  # cards rewritten with the new parameters (0 on a dry run)


@dataclass(frozen=True)
class Model:
    """The parameters scheduling uses for a learner, and why."""

    fit: stored_fits.StoredFit | None  # None: fsrs's defaults
    problem: str | None = None  # set when a stored fit could not be read
    fits: int = 0

    @property
    def parameters(self) -> tuple[float, ...] | None:
        return None if self.fit is None else self.fit.parameters


def model(store: Store, learner: str) -> Model:
    """The learner's parameters in use; a damaged row reads as defaults with the reason."""
    name = store.learner(learner).name
    learner_id = store.learner_id(name)
    with translated_errors(store.location), store.engine.connect() as connection:
        count = stored_fits.fits(connection, learner_id)
        try:
            return Model(stored_fits.current(connection, learner_id, name), fits=count)
        except stored_fits.CorruptFit as exc:
            return Model(None, str(exc), count)


def counted(store: Store, learner: str) -> int:
    """Reviews the optimiser would learn from now (fitting.counted_reviews's rule)."""
    return fitting.counted_reviews(history.review_logs(store.attempts(learner)))


def optimize(
    store: Store,
    learner: str,
    *,
    dry_run: bool = False,
    progress: bool = False,
    now: datetime | None = None,
    fitter: Fitter | None = None,
) -> OptimizeResult:
    """Fit the learner's parameters on all their attempts, store them and reschedule their
    cards (not on a dry run). Below 512 counted reviews: StoreError, nothing changed.

    `fitter` replaces fsrs's Optimizer (fitting.fit), for tests and benchmarks that must not
    wait a minute for it; it gets the review logs and `progress`."""
    name = store.learner(learner).name
    attempts = store.attempts(name)
    if not attempts:
        raise StoreError(f"{name!r} has no reviews yet: 0 of {fitting.MIN_REVIEWS} reviews so far")
    logs = history.review_logs(attempts)
    try:
        fit = (fitter or fitting.fit)(logs, progress=progress)
    except fitting.NotEnoughReviews as exc:
        days = {a.answered_at.date() for a in attempts if a.answered_at is not None}
        hint = " (all on one day: come back tomorrow)" if len(days) == 1 else ""
        raise StoreError(f"{name!r}: {exc}{hint}") from None
    except ValueError as exc:
        raise StoreError(f"{name!r}: {exc}") from None
    if dry_run:
        return OptimizeResult(name, len(attempts), fit, saved=False, rescheduled=0)
    if not fit.after.log_loss < fit.before.log_loss:
        # the optimiser keeps its best epoch, which can still lose to where it started
        raise StoreError(
            f"{name!r}: the fit does not predict these reviews better than fsrs's defaults "
            f"(log loss {fit.after.log_loss:.3f} against {fit.before.log_loss:.3f}); "
            "nothing was changed"
        )
    learner_id = store.learner_id(name)
    with translated_errors(store.location), writer(store.engine).begin() as connection:
        desired = stored_fits.lock_learner(connection, learner_id)
        stored_fits.add_fit(
            connection,
            learner_id,
            parameters=fit.parameters,
            reviews=fit.reviews,
            log_loss=(fit.before.log_loss, fit.after.log_loss),
            rmse=(fit.before.rmse, fit.after.rmse),
            at=now or datetime.now(UTC),
        )
        # attempts saved while the fit ran are in this replay too: it reads them under the lock
        cards = stored_fits.reschedule(connection, learner_id, fit.parameters, desired)
    return OptimizeResult(name, len(attempts), fit, saved=True, rescheduled=cards)


def revert(store: Store, learner: str) -> tuple[Model, int]:
    """Drop the newest fit, bring back the one before (or the defaults) and reschedule with
    it; returns the model now in use and how many cards were rewritten."""
    name = store.learner(learner).name
    learner_id = store.learner_id(name)
    with translated_errors(store.location), writer(store.engine).begin() as connection:
        desired = stored_fits.lock_learner(connection, learner_id)
        if not stored_fits.drop_newest(connection, learner_id):
            raise StoreError(f"{name!r} has no fitted parameters to revert (fsrs's defaults)")
        parameters = stored_fits.scheduling_parameters(connection, learner_id)
        cards = stored_fits.reschedule(connection, learner_id, parameters, desired)
    return model(store, name), cards


@dataclass(frozen=True)
class Overview:
    """What the progress screen and reports show about the learner's memory model."""

    learner: str
    model: Model
    desired_retention: float
    reviews: int  # the reviews the figures below cover (since `since`, when given)
    counted: int  # reviews the optimiser would learn from (the whole history: a fit uses it)
    recent: list[retention.TrueRetention]
    calibration: list[retention.CalibrationBin]
    evaluation: fitting.Evaluation  # the parameters in use, on all the learner's reviews
    review_days: list[tuple[date, int]]  # (local day, reviews that day), for the heatmap
    since: datetime | None = None


def overview(
    store: Store,
    learner: str,
    *,
    now: datetime | None = None,
    since: datetime | None = None,
    tz: tzinfo | None = None,
) -> Overview:
    """The memory model's figures. Cards are replayed from the whole history (a card's state
    depends on every review), then true retention, calibration and the review days count only
    reviews from `since` on; `counted` and `evaluation` describe the model, so they keep the
    whole history. `tz` gives the local days of the heatmap."""
    name = store.learner(learner).name
    current = model(store, name)
    desired = store.settings(name).desired_retention
    attempts = store.attempts(name)
    reviews = history.replay(attempts, current.parameters, desired)
    logs = history.review_logs(attempts)
    if since is not None:
        reviews = [r for r in reviews if r.at >= since]
    zone = tz or datetime.now().astimezone().tzinfo or UTC
    per_day = Counter(r.at.astimezone(zone).date() for r in reviews)
    overall = "all time" if since is None else f"since {since.astimezone(zone):%Y-%m-%d}"
    return Overview(
        learner=name,
        model=current,
        desired_retention=desired,
        reviews=len(reviews),
        counted=fitting.counted_reviews(logs),
        recent=retention.recent_retention(reviews, now or datetime.now(UTC), overall),
        calibration=retention.calibration(reviews, current.parameters),
        evaluation=fitting.evaluate(logs, current.parameters or fitting.DEFAULT_PARAMETERS),
        review_days=sorted(per_day.items()),
        since=since,
    )


def workload_for(
    store: Store, learner: str, *, now: datetime | None = None, suggest: bool = False
) -> tuple[list[workload.Workload], float, float | None]:
    """(the simulator's table, the learner's desired retention, fsrs's suggestion or None)."""
    name = store.learner(learner).name
    current = model(store, name)
    desired = store.settings(name).desired_retention
    reviews = history.replay(store.attempts(name), current.parameters, desired)
    cards = history.cards_now(reviews)
    table = workload.workload_table(
        cards, workload.Habits.from_reviews(reviews), now or datetime.now(UTC), current.parameters
    )
    parameters = current.parameters or fitting.DEFAULT_PARAMETERS
    suggestion = workload.fsrs_suggestion(reviews, parameters) if suggest else None
    return table, desired, suggestion
