"""The Store's view of the whole group: leaderboard and the questions most missed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from studybuddy.store import queries
from studybuddy.store.core import StoreCore, clean_name, guarded
from studybuddy.store.records import (
    LeaderboardRow,
    QuestionResult,
)


class Group(StoreCore):
    @guarded
    def leaderboard(self, *, since: datetime | None = None) -> list[LeaderboardRow]:
        """Every learner's totals, most correct answers first."""
        with self.engine.connect() as connection:
            return queries.leaderboard(connection, since)

    @guarded
    def question_results(
        self, *, learners: Iterable[str] | None = None, since: datetime | None = None
    ) -> list[QuestionResult]:
        """Per question across learners, lowest accuracy first: what the group misses most."""
        names = None if learners is None else [clean_name(n) for n in learners]
        with self.engine.connect() as connection:
            return queries.question_results(connection, names, since)
