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
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Connection, select

from studybuddy.store import scheduling
from studybuddy.store.errors import StoreError
from studybuddy.store.fitted import ParameterFit
from studybuddy.store.migrations import SCHEMA_VERSION
from studybuddy.store.queries import decoded_answer
from studybuddy.store.records import ImportSummary
from studybuddy.store.tables import Attempt, Learner, ReviewState

FORMAT = "studybuddy-export"
FORMAT_VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExportedAttempt(_Strict):
    question_id: str
    bank_id: str
    bank_version: int
    answer: Any
    correct: bool
    score: float
    seconds: float = Field(ge=0)
    mode: str
    answered_at: AwareDatetime
    rating: int | None = Field(None, ge=1, le=4)


class ExportedCard(_Strict):
    question_id: str
    state: int = Field(ge=1, le=3)
    step: int | None
    stability: float | None
    difficulty: float | None
    due: AwareDatetime
    last_review: AwareDatetime | None


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
    desired_retention: float = Field(0.9, gt=0, lt=1)
    attempts: list[ExportedAttempt] = Field(default_factory=list)
    review_states: list[ExportedCard] | None = None
    parameter_fits: list[ExportedFit] | None = None


class ExportFile(_Strict):
    format: Literal["studybuddy-export"]
    version: Literal[1]
    schema_version: int
    learners: list[ExportedLearner]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def export_learners(connection: Connection, names: list[str] | None = None) -> dict[str, Any]:
    """The export object for the named learners (all when None), learners sorted by name."""
    query = select(Learner.__table__).order_by(Learner.name)
    if names is not None:
        query = query.where(Learner.name.in_(names))
    learners = connection.execute(query).all()
    out = []
    a, c = Attempt.__table__.c, ReviewState.__table__.c
    for learner in learners:
        attempts = connection.execute(
            select(a).where(a.learner_id == learner.id).order_by(a.answered_at, a.id)
        ).all()
        cards = connection.execute(
            select(c).where(c.learner_id == learner.id).order_by(c.question_id)
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
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "top level"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise StoreError(
            f"{source}: {where}: {error['msg']} — expected a StudyBuddy export "
            f"(`studybuddy db export`){more}"
        ) from exc


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
    taken = connection.execute(select(Learner.name).where(Learner.name.in_(names))).scalars()
    taken = sorted(taken)
    if taken:
        raise StoreError(
            f"profiles already in this database: {', '.join(taken)}; nothing was imported "
            "(rename or remove them first with `studybuddy profile`)"
        )
    attempts = cards = 0
    for learner in data.learners:
        learner_id = connection.execute(
            Learner.__table__.insert().returning(Learner.__table__.c.id),
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
            connection.execute(Attempt.__table__.insert(), rows)
        if card_rows:
            connection.execute(
                ReviewState.__table__.insert(),
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
