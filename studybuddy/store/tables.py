"""SQLModel tables. Only the store's own modules see these; callers get plain records.

Changing a table here means adding a step to `migrations.py` and raising its SCHEMA_VERSION:
databases written by an earlier StudyBuddy are upgraded on open, never recreated.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import DateTime, Index, Table
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def table(model: type[SQLModel]) -> Table:
    """The SQLAlchemy Table of a table model, for Core statements (`table(Attempt).c.seconds`).

    SQLAlchemy sets `__table__` when the class is built, so no type checker can see it there.
    """
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC, returned timezone-aware.

    A plain DateTime loses the zone on SQLite and lets PostgreSQL shift aware values by the
    session's TimeZone setting; fixing UTC in both directions keeps both backends identical.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a timezone-aware datetime (got naive {value.isoformat()})")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class SchemaVersion(SQLModel, table=True):
    """One row: the schema this database follows (absent in the walking skeleton's version 1)."""

    __tablename__ = "schema_version"

    version: int = Field(primary_key=True)


class Learner(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # how likely a due question should still be remembered; fsrs schedules to this target
    desired_retention: float = Field(default=0.9, sa_column_kwargs={"server_default": "0.9"})


class Attempt(SQLModel, table=True):
    """One graded answer. Never updated or deleted when a bank changes: the history stays."""

    __table_args__ = (
        # a learner's history in time order, read from the index alone by the statistics
        Index(
            "ix_attempt_learner_time",
            *("learner_id", "answered_at", "question_id", "correct", "seconds", "mode"),
        ),
        # covers the group's per-question results without reading the rows
        Index("ix_attempt_question_learner", "question_id", "learner_id", "correct"),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    question_id: str = Field(index=True)
    bank_id: str
    bank_version: int = 1
    answer: str  # the learner's response, as JSON text
    correct: bool
    score: float
    seconds: float
    mode: str = "study"  # study | review | quiz-night
    answered_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    rating: int | None = None  # the fsrs rating this attempt gave (1 Again … 4 Easy)


class ReviewState(SQLModel, table=True):
    """A learner's fsrs card for one question: the fields of `fsrs.Card` as columns."""

    __tablename__ = "review_state"
    __table_args__ = (Index("ix_review_state_learner_due", "learner_id", "due"),)

    learner_id: int = Field(foreign_key="learner.id", primary_key=True)
    question_id: str = Field(primary_key=True)
    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime = Field(sa_type=UTCDateTime)
    last_review: datetime | None = Field(default=None, sa_type=UTCDateTime)
