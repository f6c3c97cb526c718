"""Each learner's fitted fsrs parameters: every fit kept, the newest one in use.

A fit row holds the parameters, when they were fitted, how many reviews they were fitted on
and the log loss / RMSE of fsrs's defaults and of the fit on those reviews. Rows are only
added (a fit) or the newest removed (`--revert`, which brings back the one before it, or
fsrs's defaults when none is left); removing a learner removes their fits (ON DELETE CASCADE).

The table is new, so it needs no migration step: creating missing tables on open adds it
(see migrations.py). A row that cannot be read back as 21 in-bounds parameters never stops
an answer being saved: scheduling falls back to fsrs's defaults, and `current` says why.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, ReviewLog, Scheduler
from sqlalchemy import Column, Connection, ForeignKey, Integer, select
from sqlmodel import Field, SQLModel

from studybuddy.store import scheduling
from studybuddy.store.errors import StoreError
from studybuddy.store.tables import Attempt, Learner, ReviewState, UTCDateTime

_A = Attempt.__table__.c  # type: ignore[attr-defined]
_C = ReviewState.__table__.c  # type: ignore[attr-defined]
_L = Learner.__table__.c  # type: ignore[attr-defined]


class ParameterFit(SQLModel, table=True):
    __tablename__ = "parameter_fit"

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("learner.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    fitted_at: datetime = Field(sa_type=UTCDateTime)
    parameters: str  # JSON list of fsrs's 21 parameters
    reviews: int  # reviews the optimiser learnt from
    log_loss_before: float  # fsrs's defaults on those reviews
    log_loss_after: float  # these parameters on the same reviews
    rmse_before: float
    rmse_after: float


_F = ParameterFit.__table__.c  # type: ignore[attr-defined]


class CorruptFit(StoreError):
    """The newest fit of a learner cannot be read; scheduling uses fsrs's defaults."""


@dataclass(frozen=True)
class StoredFit:
    fit_id: int
    fitted_at: datetime
    parameters: tuple[float, ...]
    reviews: int
    log_loss_before: float
    log_loss_after: float
    rmse_before: float
    rmse_after: float


def parse_parameters(text: str) -> tuple[float, ...]:
    """21 finite numbers within fsrs's bounds, from the stored JSON; ValueError otherwise."""
    try:
        values = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    if not isinstance(values, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
    ):
        raise ValueError("not a list of numbers")
    parameters = tuple(float(v) for v in values)
    Scheduler(parameters=parameters)  # checks the count and each bound
    return parameters


def _newest_row(connection: Connection, learner_id: int):
    query = select(_F).where(_F.learner_id == learner_id).order_by(_F.id.desc()).limit(1)
    return connection.execute(query).first()


def _stored(row, learner: str) -> StoredFit:
    try:
        parameters = parse_parameters(row.parameters)
    except ValueError as exc:
        reason = str(exc).splitlines()[0]
        raise CorruptFit(
            f"the parameters fitted for {learner!r} on {row.fitted_at:%Y-%m-%d} cannot be read "
            f"({reason}); fsrs's defaults are used until `studybuddy profile optimize` fits "
            "again (or `--revert` drops that fit); no review was lost"
        ) from None
    return StoredFit(
        fit_id=row.id,
        fitted_at=row.fitted_at,
        parameters=parameters,
        reviews=row.reviews,
        log_loss_before=row.log_loss_before,
        log_loss_after=row.log_loss_after,
        rmse_before=row.rmse_before,
        rmse_after=row.rmse_after,
    )


def current(connection: Connection, learner_id: int, learner: str) -> StoredFit | None:
    """The fit in use, None for fsrs's defaults; CorruptFit if it cannot be read."""
    row = _newest_row(connection, learner_id)
    return None if row is None else _stored(row, learner)


def fits(connection: Connection, learner_id: int) -> int:
    return len(connection.execute(select(_F.id).where(_F.learner_id == learner_id)).all())


def scheduling_parameters(connection: Connection, learner_id: int) -> tuple[float, ...] | None:
    """What scheduling an answer uses: the newest fit, or None (fsrs's defaults) when there is
    none or it cannot be read — a damaged row must never stop an answer being saved."""
    row = _newest_row(connection, learner_id)
    if row is None:
        return None
    try:
        return parse_parameters(row.parameters)
    except ValueError:
        return None


def add_fit(
    connection: Connection,
    learner_id: int,
    *,
    parameters: Sequence[float],
    reviews: int,
    log_loss: tuple[float, float],
    rmse: tuple[float, float],
    at: datetime,
) -> int:
    """Store a fit (the caller's transaction) and return its id."""
    values = {
        "learner_id": learner_id,
        "fitted_at": at,
        "parameters": json.dumps([float(p) for p in parameters]),
        "reviews": reviews,
        "log_loss_before": log_loss[0],
        "log_loss_after": log_loss[1],
        "rmse_before": rmse[0],
        "rmse_after": rmse[1],
    }
    result = connection.execute(ParameterFit.__table__.insert(), [values])  # type: ignore[attr-defined]
    return int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0


def drop_newest(connection: Connection, learner_id: int) -> bool:
    """Remove the newest fit (the caller's transaction); False if there was none."""
    row = _newest_row(connection, learner_id)
    if row is None:
        return False
    connection.execute(ParameterFit.__table__.delete().where(_F.id == row.id))  # type: ignore[attr-defined]
    return True


def reschedule(
    connection: Connection,
    learner_id: int,
    parameters: Sequence[float] | None,
    desired_retention: float,
) -> int:
    """Replay each of the learner's questions with `parameters` (fsrs's reschedule_card) and
    store the new cards, in the caller's transaction; returns how many cards were rewritten."""
    query = (
        select(_A.question_id, _A.correct, _A.seconds, _A.rating, _A.answered_at)
        .where(_A.learner_id == learner_id)
        .order_by(_A.answered_at, _A.id)
    )
    logs: dict[str, list[ReviewLog]] = defaultdict(list)
    for question_id, correct, seconds, rating, answered_at in connection.execute(query):
        logs[question_id].append(
            ReviewLog(
                card_id=scheduling.card_id_for(question_id),
                rating=scheduling.parse_rating(rating)
                if rating
                else scheduling.rating_for(correct, seconds),
                review_datetime=answered_at,
                review_duration=max(0, round(seconds * 1000)),
            )
        )
    fitted = None if parameters is None else tuple(parameters)
    scheduler = scheduling.scheduler(desired_retention, fitted)
    for question_id, history in logs.items():
        start = Card(card_id=scheduling.card_id_for(question_id), due=history[0].review_datetime)
        card = scheduler.reschedule_card(start, history)
        fields = scheduling.card_fields(card)
        updated = connection.execute(
            ReviewState.__table__.update()  # type: ignore[attr-defined]
            .where(_C.learner_id == learner_id, _C.question_id == question_id)
            .values(**fields)
        )
        if not updated.rowcount:
            connection.execute(
                ReviewState.__table__.insert(),  # type: ignore[attr-defined]
                [{"learner_id": learner_id, "question_id": question_id, **fields}],
            )
    return len(logs)


def lock_learner(connection: Connection, learner_id: int) -> float:
    """Queue behind answers being saved for this learner (PostgreSQL's row lock; SQLite's
    writer already holds the database lock); returns their desired retention."""
    query = select(_L.desired_retention).where(_L.id == learner_id).with_for_update()
    return float(connection.execute(query).scalar_one())
