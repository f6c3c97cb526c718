"""The store's SELECTs: each takes an open connection and returns plain records or rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fsrs import Card
from sqlalchemy import Connection, Integer, cast, func, select

from studybuddy.store import scheduling
from studybuddy.store.records import AttemptRecord, LeaderboardRow, LearnerRecord, QuestionResult
from studybuddy.store.stats import AttemptRow
from studybuddy.store.tables import Attempt, Learner, ReviewState, table

_A = table(Attempt).c
_C = table(ReviewState).c
_L = table(Learner).c


def as_utc(value: Any) -> datetime | None:
    """An aggregate's datetime: SQLite returns max() as text, PostgreSQL as a naive timestamp."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def decoded_answer(answer: str) -> Any:
    """The stored JSON answer as a value (text that is not JSON comes back as it was)."""
    try:
        return json.loads(answer)
    except ValueError:
        return answer


def learner_id(connection: Connection, name: str) -> int | None:
    return connection.execute(select(_L.id).where(_L.name == name)).scalar_one_or_none()


def desired_retention(connection: Connection, learner_id: int) -> float:
    """The learner's desired retention (the default for a learner not created yet)."""
    found = connection.execute(
        select(_L.desired_retention).where(_L.id == learner_id)
    ).scalar_one_or_none()
    return scheduling.DEFAULT_RETENTION if found is None else float(found)


def correctly_answered(connection: Connection, learner_id: int, ids: list[str]) -> set[str]:
    """Which of `ids` the learner has answered correctly at least once."""
    query = (
        select(_A.question_id)
        .where(_A.learner_id == learner_id, _A.correct.is_(True), _A.question_id.in_(ids))
        .group_by(_A.question_id)
    )
    return set(connection.execute(query).scalars())


def attempt_count(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(table(Attempt))).scalar_one()


def seconds_studied(connection: Connection, learner_id: int, since: datetime | None) -> float:
    """Seconds spent answering, summed over the learner's attempts (from `since` on)."""
    query = select(func.coalesce(func.sum(_A.seconds), 0.0)).where(_A.learner_id == learner_id)
    if since is not None:
        query = query.where(_A.answered_at >= since)
    return float(connection.execute(query).scalar_one())


def learner_records(connection: Connection, name: str | None = None) -> list[LearnerRecord]:
    """Profiles by name (or the one named), with their attempt count and latest attempt."""
    counts = (
        select(
            _A.learner_id,
            func.count().label("attempts"),
            func.max(_A.answered_at).label("last_at"),
        )
        .group_by(_A.learner_id)
        .subquery()
    )
    query = (
        select(table(Learner), counts.c.attempts, counts.c.last_at)
        .outerjoin(counts, counts.c.learner_id == _L.id)
        .order_by(_L.name)
    )
    if name is not None:
        query = query.where(_L.name == name)
    return [
        LearnerRecord(
            name=row.name,
            created_at=row.created_at,
            desired_retention=row.desired_retention,
            attempts=row.attempts or 0,
            last_studied_at=as_utc(row.last_at),
        )
        for row in connection.execute(query)
    ]


def attempt_rows(
    connection: Connection, learner_id: int, since: datetime | None = None
) -> list[AttemptRow]:
    """The columns statistics need, oldest first (read from ix_attempt_learner_time alone)."""
    query = (
        select(_A.question_id, _A.correct, _A.seconds, _A.mode, _A.answered_at)
        .where(_A.learner_id == learner_id)
        .order_by(_A.answered_at, _A.id)
    )
    if since is not None:
        query = query.where(_A.answered_at >= since)
    return [AttemptRow(*row) for row in connection.execute(query)]


def attempt_records(connection: Connection, learner_id: int) -> list[AttemptRecord]:
    query = (
        select(table(Attempt)).where(_A.learner_id == learner_id).order_by(_A.answered_at, _A.id)
    )
    return [
        AttemptRecord(
            question_id=r.question_id,
            correct=r.correct,
            score=r.score,
            seconds=r.seconds,
            mode=r.mode,
            bank_id=r.bank_id,
            bank_version=r.bank_version,
            answer=decoded_answer(r.answer),
            answered_at=r.answered_at,
            rating=r.rating,
        )
        for r in connection.execute(query)
    ]


def cards(connection: Connection, learner_id: int) -> dict[str, Card]:
    """The learner's fsrs cards by question id."""
    query = select(table(ReviewState)).where(_C.learner_id == learner_id)
    return {row.question_id: scheduling.card_from_fields(row) for row in connection.execute(query)}


def dues(
    connection: Connection, learner_id: int, until: datetime | None = None
) -> list[tuple[str, datetime]]:
    """(question id, due) for the learner's cards (due by `until`, if given), soonest first."""
    query = (
        select(_C.question_id, _C.due)
        .where(_C.learner_id == learner_id)
        .order_by(_C.due, _C.question_id)
    )
    if until is not None:
        query = query.where(_C.due <= until)
    return [(question_id, due) for question_id, due in connection.execute(query)]


def leaderboard(connection: Connection, since: datetime | None = None) -> list[LeaderboardRow]:
    """Every learner's totals (those without attempts too), most correct answers first."""
    joined = _A.learner_id == _L.id
    if since is not None:
        joined &= _A.answered_at >= since
    query = (
        select(
            _L.name,
            func.count(_A.id),
            func.coalesce(func.sum(cast(_A.correct, Integer)), 0),
            func.coalesce(func.sum(_A.seconds), 0.0),
            func.max(_A.answered_at),
        )
        .select_from(table(Learner).outerjoin(table(Attempt), joined))
        .group_by(_L.id, _L.name)
    )
    rows = [
        LeaderboardRow(name, attempts, int(correct), float(seconds), as_utc(last))
        for name, attempts, correct, seconds, last in connection.execute(query)
    ]
    return sorted(rows, key=lambda r: (-r.correct, -r.accuracy, r.name))


def question_results(
    connection: Connection, names: Sequence[str] | None = None, since: datetime | None = None
) -> list[QuestionResult]:
    """Per question across learners, lowest accuracy first."""
    # per (question, learner) first: counting learners is then a plain count, which is much
    # cheaper on PostgreSQL than count(DISTINCT …)
    per_learner = select(
        _A.question_id,
        func.count().label("attempts"),
        func.sum(cast(_A.correct, Integer)).label("correct"),
    ).group_by(_A.question_id, _A.learner_id)
    if names is not None:
        per_learner = per_learner.where(_A.learner_id.in_(select(_L.id).where(_L.name.in_(names))))
    if since is not None:
        per_learner = per_learner.where(_A.answered_at >= since)
    inner = per_learner.subquery()
    query = select(
        inner.c.question_id, func.sum(inner.c.attempts), func.sum(inner.c.correct), func.count()
    ).group_by(inner.c.question_id)
    rows = [
        QuestionResult(question_id, attempts, int(correct), learners)
        for question_id, attempts, correct, learners in connection.execute(query)
    ]
    return sorted(rows, key=lambda r: (r.accuracy, -r.attempts, r.question_id))


def row_counts(connection: Connection) -> tuple[int, int, int]:
    """(learners, attempts, review states)."""

    def count(table) -> int:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()

    return count(Learner), count(Attempt), count(ReviewState)
