"""SQLModel tables. Only the store's own modules see these; callers get plain records."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Learner(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class Attempt(SQLModel, table=True):
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
    answered_at: datetime = Field(default_factory=utcnow, index=True)
