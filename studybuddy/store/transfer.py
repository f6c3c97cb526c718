"""Export and import of whole learners as JSON: every attempt and every fsrs card.

The file format (version 1) is a JSON object::

    {"format": "studybuddy-export", "version": 1, "schema_version": 2,
     "learners": [{"name", "created_at", "desired_retention",
                   "attempts": [{"question_id", "bank_id", "bank_version", "answer", "correct",
                                 "score", "seconds", "mode", "answered_at", "rating"}, …],
                   "review_states": [{"question_id", "state", "step", "stability",
                                      "difficulty", "due", "last_review"}, …]}, …]}

A learner with fitted fsrs parameters also has "parameter_fits": [{"fitted_at", "parameters",
"reviews", "log_loss_before", "log_loss_after", "rmse_before", "rmse_after"}, …], oldest first
(the key is left out for learners without fits, so older files and exports read the same).

Times are ISO 8601 with their UTC offset. Database ids are not exported (learners are known by
name), so an export imported into another database and exported again is identical. Without
"review_states" the cards are rebuilt by replaying the attempts through fsrs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Connection, select

from studybuddy.store import scheduling
from studybuddy.store.errors import StoreError
from studybuddy.store.fitted import ParameterFit
from studybuddy.store.migrations import SCHEMA_VERSION
from studybuddy.store.queries import decoded_answer
from studybuddy.store.records import ImportSummary
from studybuddy.store.tables import Attempt, Learner, ReviewState, table

FORMAT = "studybuddy-export"
FORMAT_VERSION = 1
LISTED_PROBLEMS = 10


# An import passes the same rules as what the app itself writes: no control characters in a
# name (they reach terminals), retention in the app's range, finite numbers (a NaN stability or
# an infinite time broke every group report), and no answers from the future.
MAX_SECONDS = 24 * 3600.0  # one answer; the quiz records wall time, capped far above any real one
FUTURE_SLACK = timedelta(days=1)  # clocks drift, time zones differ; a year ahead is not drift
LONGEST_INTERVAL = timedelta(days=36500 + 366)  # fsrs schedules at most 100 years ahead


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _not_future(moment: datetime, slack: timedelta = FUTURE_SLACK) -> datetime:
    if moment > datetime.now(UTC) + slack:
        raise ValueError(f"a time that is not in the future (got {moment.isoformat()})")
    return moment


class ExportedAttempt(_Strict):
    question_id: str
    bank_id: str
    bank_version: int
    answer: Any
    correct: bool
    score: float = Field(ge=0, le=1)
    seconds: float = Field(ge=0, le=MAX_SECONDS)
    mode: str
    answered_at: AwareDatetime
    rating: int | None = Field(None, ge=1, le=4)

    _answered_in_the_past = field_validator("answered_at")(_not_future)


class ExportedCard(_Strict):
    question_id: str
    state: int = Field(ge=1, le=3)
    step: int | None = Field(ge=0)
    stability: float | None = Field(gt=0)
    difficulty: float | None = Field(ge=1, le=10)
    due: AwareDatetime
    last_review: AwareDatetime | None

    _reviewed_in_the_past = field_validator("last_review")(_not_future)

    @field_validator("due")
    @classmethod
    def _due_within_reach(cls, due: datetime) -> datetime:
        return _not_future(due, LONGEST_INTERVAL)


class ExportedFit(_Strict):
    fitted_at: AwareDatetime
    parameters: list[float] | str  # text: a stored row that was already unreadable, kept as is
    reviews: int = Field(ge=0)
    log_loss_before: float
    log_loss_after: float
    rmse_before: float
    rmse_after: float


class ExportedLearner(_Strict):
    name: str = Field(min_length=1)
    created_at: AwareDatetime
    desired_retention: float = Field(
        scheduling.DEFAULT_RETENTION,
        ge=scheduling.RETENTION_RANGE[0],
        le=scheduling.RETENTION_RANGE[1],
    )
    attempts: list[ExportedAttempt] = Field(default_factory=list)
    review_states: list[ExportedCard] | None = None
    parameter_fits: list[ExportedFit] | None = None

    _created_in_the_past = field_validator("created_at")(_not_future)

    @field_validator("name")
    @classmethod
    def _name_as_the_app_allows(cls, name: str) -> str:
        from studybuddy.store.core import clean_name  # the one rule for profile names

        try:
            return clean_name(name)
        except StoreError as exc:
            raise ValueError(str(exc)) from None


class ExportFile(_Strict):
    format: Literal["studybuddy-export"]
    version: Literal[1]
    schema_version: int
    learners: list[ExportedLearner]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def export_learners(connection: Connection, names: list[str] | None = None) -> dict[str, Any]:
    """The export object for the named learners (all when None), learners sorted by name."""
    attempt, state, learner_table = table(Attempt), table(ReviewState), table(Learner)
    query = select(learner_table).order_by(learner_table.c.name)
    if names is not None:
        query = query.where(learner_table.c.name.in_(names))
    learners = connection.execute(query).all()
    out = []
    a, c = attempt.c, state.c
    for learner in learners:
        attempts = connection.execute(
            select(attempt).where(a.learner_id == learner.id).order_by(a.answered_at, a.id)
        ).all()
        cards = connection.execute(
            select(state).where(c.learner_id == learner.id).order_by(c.question_id)
        ).all()
        entry: dict[str, Any] = {}
        fits = _exported_fits(connection, learner.id)
        if fits:
            entry["parameter_fits"] = fits
        out.append(
            {
                **entry,
                "name": learner.name,
                "created_at": _iso(learner.created_at),
                "desired_retention": learner.desired_retention,
                "attempts": [
                    {
                        "question_id": r.question_id,
                        "bank_id": r.bank_id,
                        "bank_version": r.bank_version,
                        "answer": decoded_answer(r.answer),
                        "correct": r.correct,
                        "score": r.score,
                        "seconds": r.seconds,
                        "mode": r.mode,
                        "answered_at": _iso(r.answered_at),
                        "rating": r.rating,
                    }
                    for r in attempts
                ],
                "review_states": [
                    {
                        "question_id": r.question_id,
                        "state": r.state,
                        "step": r.step,
                        "stability": r.stability,
                        "difficulty": r.difficulty,
                        "due": _iso(r.due),
                        "last_review": _iso(r.last_review),
                    }
                    for r in cards
                ],
            }
        )
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "schema_version": SCHEMA_VERSION,
        "learners": out,
    }


def _exported_fits(connection: Connection, learner_id: int) -> list[dict[str, Any]]:
    f = ParameterFit.__table__.c  # type: ignore[attr-defined]
    rows = connection.execute(select(f).where(f.learner_id == learner_id).order_by(f.id)).all()
    fits = []
    for r in rows:
        try:
            parameters: Any = json.loads(r.parameters)
        except ValueError:
            parameters = r.parameters
        fits.append(
            {
                "fitted_at": _iso(r.fitted_at),
                "parameters": parameters,
                **{
                    key: getattr(r, key)
                    for key in ExportedFit.model_fields
                    if key not in ("fitted_at", "parameters")
                },
            }
        )
    return fits


def parse_export(raw: str | bytes, source: str) -> ExportFile:
    """Validate an export; a problem is one line naming where in the file and what was expected."""
    try:
        return ExportFile.model_validate_json(raw)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or 'top level'}: {error['msg']}"
            for error in exc.errors()
        ]
        shown = "; ".join(problems[:LISTED_PROBLEMS])
        if len(problems) > LISTED_PROBLEMS:
            shown += f"; and {len(problems) - LISTED_PROBLEMS} more"
        raise StoreError(
            f"{source}: nothing imported, {len(problems)} problem"
            f"{'s' if len(problems) != 1 else ''} (expected a StudyBuddy export from "
            f"`studybuddy db export`): {shown}"
        ) from None


def _replayed(rows: list[dict[str, Any]], desired_retention: float) -> list[dict[str, Any]]:
    """Cards rebuilt from attempt rows through fsrs; fills in each row's missing rating."""
    ordered = sorted(rows, key=lambda row: row["answered_at"])  # stable: file order breaks ties
    history = [
        (r["question_id"], r["correct"], r["seconds"], r["rating"], r["answered_at"])
        for r in ordered
    ]
    cards, ratings = scheduling.replay(history, desired_retention)
    for row, rating in zip(ordered, ratings, strict=True):
        row["rating"] = rating
    return [{"question_id": qid, **scheduling.card_fields(card)} for qid, card in cards.items()]


def import_learners(connection: Connection, data: ExportFile) -> ImportSummary:
    """Add the file's learners; refuses, adding nothing, if any name is already taken."""
    names = [learner.name for learner in data.learners]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise StoreError(f"the file lists these profiles twice: {', '.join(duplicates)}")
    name = table(Learner).c.name
    taken = sorted(connection.execute(select(name).where(name.in_(names))).scalars())
    if taken:
        raise StoreError(
            f"profiles already in this database: {', '.join(taken)}; nothing was imported "
            "(rename or remove them first with `studybuddy profile`)"
        )
    attempts = cards = 0
    for learner in data.learners:
        learner_id = connection.execute(
            table(Learner).insert().returning(table(Learner).c.id),
            {
                "name": learner.name,
                "created_at": learner.created_at,
                "desired_retention": learner.desired_retention,
            },
        ).scalar_one()
        rows = [
            {
                **attempt.model_dump(exclude={"answer"}),
                "answer": json.dumps(attempt.answer),
                "learner_id": learner_id,
            }
            for attempt in learner.attempts
        ]
        if learner.review_states is None:
            card_rows = _replayed(rows, learner.desired_retention)
        else:
            card_rows = [card.model_dump() for card in learner.review_states]
        if rows:
            connection.execute(table(Attempt).insert(), rows)
        if card_rows:
            connection.execute(
                table(ReviewState).insert(),
                [{**card, "learner_id": learner_id} for card in card_rows],
            )
        for fit in learner.parameter_fits or []:
            values = fit.model_dump()
            if not isinstance(fit.parameters, str):
                values["parameters"] = json.dumps(fit.parameters)
            connection.execute(
                ParameterFit.__table__.insert(),  # type: ignore[attr-defined]
                [{**values, "learner_id": learner_id}],
            )
        attempts += len(rows)
        cards += len(card_rows)
    return ImportSummary(learners=len(data.learners), attempts=attempts, review_states=cards)


def write_json(data: Mapping[str, Any], path: Path, *, overwrite: bool) -> None:
    """Written beside the target, then renamed, so a crash never leaves half a file."""
    if path.exists() and not overwrite:
        raise StoreError(f"{path} already exists; choose a new file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, ensure_ascii=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror}") from exc
