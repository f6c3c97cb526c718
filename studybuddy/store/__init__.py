"""Progress store: SQLModel tables on SQLite (or PostgreSQL), queries returning plain records.

`Store(path_or_url)` is the whole interface; everything it returns is a record from
`studybuddy.store.records`. Nothing here imports textual.
"""

from studybuddy.store.db import database_url, make_engine
from studybuddy.store.errors import StoreError
from studybuddy.store.records import (
    Accuracy,
    AttemptRecord,
    ChapterMastery,
    DatabaseCheck,
    DayActivity,
    DueItem,
    ForecastDay,
    ImportSummary,
    LeaderboardRow,
    LearnerRecord,
    LearnerSettings,
    LearnerStats,
    QuestionInfo,
    QuestionResult,
    Scheduled,
    Streak,
    StudySession,
    WeakTopic,
)
from studybuddy.store.store import Store

__all__ = [
    "Accuracy",
    "AttemptRecord",
    "ChapterMastery",
    "DatabaseCheck",
    "DayActivity",
    "DueItem",
    "ForecastDay",
    "ImportSummary",
    "LeaderboardRow",
    "LearnerRecord",
    "LearnerSettings",
    "LearnerStats",
    "QuestionInfo",
    "QuestionResult",
    "Scheduled",
    "Store",
    "StoreError",
    "Streak",
    "StudySession",
    "WeakTopic",
    "database_url",
    "make_engine",
]
