"""The store's public face: record attempts, answer the questions the app asks."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from studybuddy.store.db import make_engine
from studybuddy.store.tables import Attempt, Learner


@dataclass(frozen=True)
class AttemptRecord:
    question_id: str
    correct: bool
    score: float
    seconds: float
    mode: str


class Store:
    def __init__(self, target: str) -> None:
        self.target = target
        self.engine = make_engine(target)
        self._learner_ids: dict[str, int] = {}

    def learner_id(self, name: str) -> int:
        """The learner's id, creating the learner on first use."""
        if name in self._learner_ids:
            return self._learner_ids[name]
        with Session(self.engine) as session:
            learner = session.exec(select(Learner).where(Learner.name == name)).first()
            if learner is None:
                session.add(Learner(name=name))
                try:
                    session.commit()
                except IntegrityError:
                    # another thread or process created the same learner first: use theirs
                    session.rollback()
                learner = session.exec(select(Learner).where(Learner.name == name)).one()
            assert learner.id is not None
            self._learner_ids[name] = learner.id
            return learner.id

    def record_attempt(
        self,
        learner: str,
        *,
        question_id: str,
        bank_id: str,
        bank_version: int,
        answer: Any,
        correct: bool,
        score: float,
        seconds: float,
        mode: str = "study",
    ) -> None:
        """Committed before returning, so a crash right after loses nothing already graded."""
        learner_id = self.learner_id(learner)
        with Session(self.engine) as session:
            session.add(
                Attempt(
                    learner_id=learner_id,
                    question_id=question_id,
                    bank_id=bank_id,
                    bank_version=bank_version,
                    answer=json.dumps(answer),
                    correct=correct,
                    score=score,
                    seconds=seconds,
                    mode=mode,
                )
            )
            session.commit()

    def attempts(self, learner: str) -> list[AttemptRecord]:
        learner_id = self.learner_id(learner)
        with Session(self.engine) as session:
            rows = session.exec(
                select(Attempt).where(Attempt.learner_id == learner_id).order_by(Attempt.id)
            ).all()
            return [
                AttemptRecord(r.question_id, r.correct, r.score, r.seconds, r.mode) for r in rows
            ]

    def correctly_answered(self, learner: str, question_ids: Iterable[str]) -> set[str]:
        """Which of these questions the learner has answered correctly at least once."""
        learner_id = self.learner_id(learner)
        ids = list(question_ids)
        with Session(self.engine) as session:
            rows = session.exec(
                select(Attempt.question_id)
                .where(Attempt.learner_id == learner_id)
                .where(Attempt.correct == True)  # noqa: E712  (SQL expression, not a Python test)
                .where(Attempt.question_id.in_(ids))  # type: ignore[attr-defined]
                .group_by(Attempt.question_id)
            ).all()
            return set(rows)

    def attempt_count(self) -> int:
        with Session(self.engine) as session:
            return session.exec(select(func.count()).select_from(Attempt)).one()

    def close(self) -> None:
        self.engine.dispose()
