"""The Store's reading of one learner's history: attempts, due reviews, mastery, statistics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo

from fsrs import Card

from studybuddy.store import queries, stats
from studybuddy.store.core import StoreCore, aware, clean_name, guarded
from studybuddy.store.fitted import scheduling_parameters
from studybuddy.store.records import (
    Accuracy,
    AttemptRecord,
    ChapterMastery,
    DayActivity,
    DueItem,
    ForecastDay,
    LearnerStats,
    QuestionInfo,
    Streak,
    StudySession,
    TopicKind,
    WeakTopic,
)


class History(StoreCore):
    @guarded
    def attempts(self, learner: str) -> list[AttemptRecord]:
        """Every attempt, oldest first, whatever has since happened to its question."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            return queries.attempt_records(connection, learner_id)

    @guarded
    def cards(self, learner: str) -> dict[str, Card]:
        """Each question's fsrs card as scheduled now (questions never answered have none)."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            return queries.cards(connection, learner_id)

    @guarded
    def correctly_answered(self, learner: str, question_ids: Iterable[str]) -> set[str]:
        """Which of these questions the learner has answered correctly at least once."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            return queries.correctly_answered(connection, learner_id, list(question_ids))

    @guarded
    def attempt_count(self) -> int:
        with self.engine.connect() as connection:
            return queries.attempt_count(connection)

    @guarded
    def due_queue(
        self,
        learner: str,
        *,
        now: datetime | None = None,
        among: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[DueItem]:
        """Questions due for review now, most overdue first; `among` keeps only these ids
        (pass the questions the banks still have)."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            items = [DueItem(q, due) for q, due in queries.dues(connection, learner_id, aware(now))]
        if among is not None:
            keep = set(among)
            items = [item for item in items if item.question_id in keep]
        return items[:limit] if limit is not None else items

    @guarded
    def review_forecast(
        self,
        learner: str,
        days: int = 14,
        *,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        among: Iterable[str] | None = None,
    ) -> list[ForecastDay]:
        """Reviews due on each of the next `days` days (today includes the overdue)."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.dues(connection, learner_id)
        keep = None if among is None else set(among)
        dues = [due for qid, due in rows if keep is None or qid in keep]
        return stats.forecast(dues, aware(now), tz or stats.local_tz(), days)

    @guarded
    def chapter_mastery(
        self,
        learner: str,
        chapters: Mapping[str, Iterable[str]],
        *,
        now: datetime | None = None,
    ) -> dict[str, ChapterMastery]:
        """For each chapter key -> its question ids: how many are mastered (recalled today
        with at least the learner's desired retention)."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            cards = queries.cards(connection, learner_id)
            threshold = queries.desired_retention(connection, learner_id)
            parameters = scheduling_parameters(connection, learner_id)
        found = stats.chapter_mastery(chapters, cards, aware(now), threshold, parameters)
        return {m.chapter: m for m in found}

    @guarded
    def accuracy_by(
        self,
        learner: str,
        catalog: Mapping[str, QuestionInfo],
        by: TopicKind = "chapter",
        *,
        since: datetime | None = None,
    ) -> list[Accuracy]:
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.attempt_rows(connection, learner_id, since)
        return stats.accuracy_by(rows, catalog, by)

    @guarded
    def activity_by_day(
        self, learner: str, *, tz: tzinfo | None = None, since: datetime | None = None
    ) -> list[DayActivity]:
        """Accuracy and time per local day studied (days without study are absent)."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.attempt_rows(connection, learner_id, since)
        return stats.activity_by_day(rows, tz or stats.local_tz())

    @guarded
    def streak(
        self, learner: str, *, now: datetime | None = None, tz: tzinfo | None = None
    ) -> Streak:
        zone = tz or stats.local_tz()
        days = [day.day for day in self.activity_by_day(learner, tz=zone)]
        return stats.streak(days, aware(now).astimezone(zone).date())

    @guarded
    def time_studied(self, learner: str, *, since: datetime | None = None) -> float:
        """Seconds spent answering, summed over attempts."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            return queries.seconds_studied(connection, learner_id, since)

    @guarded
    def weakest_topics(
        self,
        learner: str,
        catalog: Mapping[str, QuestionInfo],
        *,
        by: TopicKind = "tag",
        limit: int = 5,
        min_attempts: int = 3,
        now: datetime | None = None,
    ) -> list[WeakTopic]:
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.attempt_rows(connection, learner_id)
            cards = queries.cards(connection, learner_id)
            threshold = queries.desired_retention(connection, learner_id)
            parameters = scheduling_parameters(connection, learner_id)
        return stats.weakest_topics(
            rows,
            catalog,
            cards,
            aware(now),
            by=by,
            min_attempts=min_attempts,
            limit=limit,
            threshold=threshold,
            parameters=parameters,
        )

    @guarded
    def recent_sessions(self, learner: str, *, limit: int = 10) -> list[StudySession]:
        """The latest study sessions, newest first."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.attempt_rows(connection, learner_id)
        return stats.sessions(rows)[::-1][:limit]

    @guarded
    def learner_stats(
        self,
        learner: str,
        catalog: Mapping[str, QuestionInfo],
        *,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        since: datetime | None = None,
        forecast_days: int = 14,
        sessions: int = stats.RECENT_SESSIONS,
        weakest: int = 5,
    ) -> LearnerStats:
        """Everything a learner report shows, from one consistent read.

        `catalog` maps the banks' current question ids to chapter, type and tags; mastery, due
        counts and the forecast cover those questions only, while totals cover every attempt.
        `since` limits the history-based figures (accuracy, days, time, sessions).
        """
        now = aware(now)
        zone = tz or stats.local_tz()
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.attempt_rows(connection, learner_id, since)
            cards = queries.cards(connection, learner_id)
            threshold = queries.desired_retention(connection, learner_id)
            parameters = scheduling_parameters(connection, learner_id)
        chapters: dict[str, list[str]] = {}
        for question_id, info in catalog.items():
            chapters.setdefault(info.chapter, []).append(question_id)
        current = {q: card for q, card in cards.items() if q in catalog}
        by_day = stats.activity_by_day(rows, zone)
        return LearnerStats(
            learner=clean_name(learner),
            now=now,
            questions_total=len(catalog),
            questions_seen=len({r.question_id for r in rows} & catalog.keys()),
            attempts=len(rows),
            correct=sum(r.correct for r in rows),
            seconds_studied=sum(r.seconds for r in rows),
            due_now=sum(card.due <= now for card in current.values()),
            streak=stats.streak([d.day for d in by_day], now.astimezone(zone).date()),
            mastery=stats.chapter_mastery(chapters, current, now, threshold, parameters),
            by_chapter=stats.accuracy_by(rows, catalog, "chapter"),
            by_type=stats.accuracy_by(rows, catalog, "type"),
            by_tag=stats.accuracy_by(rows, catalog, "tag"),
            by_day=by_day,
            weakest=stats.weakest_topics(
                rows,
                catalog,
                current,
                now,
                limit=weakest,
                threshold=threshold,
                parameters=parameters,
            ),
            sessions=stats.sessions(rows)[::-1][:sessions],
            forecast=stats.forecast([c.due for c in current.values()], now, zone, forecast_days),
            mastery_threshold=threshold,
        )
