"""The plain, frozen records the store hands out; callers never see a table row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

TopicKind = Literal["chapter", "type", "tag"]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class AttemptRecord:
    question_id: str
    correct: bool
    score: float
    seconds: float
    mode: str
    bank_id: str = ""
    bank_version: int = 1
    answer: Any = None
    answered_at: datetime | None = None
    rating: int | None = None  # 1 Again, 2 Hard, 3 Good, 4 Easy


@dataclass(frozen=True)
class Scheduled:
    """What recording an attempt did to the schedule."""

    question_id: str
    rating: str  # Again | Hard | Good | Easy
    due: datetime


@dataclass(frozen=True)
class QuestionInfo:
    """What the store needs to know about a question to group it (the banks know the rest)."""

    chapter: str
    type: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class LearnerRecord:
    name: str
    created_at: datetime
    desired_retention: float
    attempts: int
    last_studied_at: datetime | None


@dataclass(frozen=True)
class LearnerSettings:
    desired_retention: float


@dataclass(frozen=True)
class DueItem:
    question_id: str
    due: datetime


@dataclass(frozen=True)
class ChapterMastery:
    chapter: str
    questions: int
    seen: int
    mastered: int

    @property
    def share(self) -> float:
        """Mastered questions as a share of the chapter's questions (0 … 1)."""
        return _share(self.mastered, self.questions)

    @property
    def mastery(self) -> float:
        """The same share, under the name the home screen reads."""
        return self.share


@dataclass(frozen=True)
class Accuracy:
    key: str
    attempts: int
    correct: int

    @property
    def accuracy(self) -> float:
        return _share(self.correct, self.attempts)


@dataclass(frozen=True)
class DayActivity:
    day: date
    attempts: int
    correct: int
    seconds: float

    @property
    def accuracy(self) -> float:
        return _share(self.correct, self.attempts)


@dataclass(frozen=True)
class Streak:
    """Consecutive study days; a streak still counts today if the last study day was yesterday."""

    current: int
    longest: int
    last_day: date | None


@dataclass(frozen=True)
class StudySession:
    """Attempts with no gap longer than the session gap (30 min) between them."""

    started_at: datetime
    ended_at: datetime
    attempts: int
    correct: int
    seconds: float
    modes: tuple[str, ...]

    @property
    def accuracy(self) -> float:
        return _share(self.correct, self.attempts)


@dataclass(frozen=True)
class WeakTopic:
    topic: str
    attempts: int
    correct: int
    revisit: tuple[str, ...]  # question ids, least likely remembered first

    @property
    def accuracy(self) -> float:
        return _share(self.correct, self.attempts)


@dataclass(frozen=True)
class ForecastDay:
    day: date
    due: int  # day 0 also counts everything already overdue


@dataclass(frozen=True)
class LearnerStats:
    """Everything a learner report shows, computed from one read of the learner's history."""

    learner: str
    now: datetime
    questions_total: int
    questions_seen: int
    attempts: int
    correct: int
    seconds_studied: float
    due_now: int
    streak: Streak
    mastery: list[ChapterMastery] = field(default_factory=list)
    by_chapter: list[Accuracy] = field(default_factory=list)
    by_type: list[Accuracy] = field(default_factory=list)
    by_tag: list[Accuracy] = field(default_factory=list)
    by_day: list[DayActivity] = field(default_factory=list)
    weakest: list[WeakTopic] = field(default_factory=list)
    sessions: list[StudySession] = field(default_factory=list)
    forecast: list[ForecastDay] = field(default_factory=list)
    # recall probability counted as mastered: the learner's desired retention
    mastery_threshold: float = 0.9

    @property
    def accuracy(self) -> float:
        return _share(self.correct, self.attempts)


@dataclass(frozen=True)
class LeaderboardRow:
    name: str
    attempts: int
    correct: int
    seconds: float
    last_studied_at: datetime | None

    @property
    def accuracy(self) -> float:
        return _share(self.correct, self.attempts)


@dataclass(frozen=True)
class QuestionResult:
    """One question across learners: how often it was tried and got right."""

    question_id: str
    attempts: int
    correct: int
    learners: int

    @property
    def accuracy(self) -> float:
        return _share(self.correct, self.attempts)


@dataclass(frozen=True)
class DatabaseCheck:
    location: str
    backend: str
    schema_version: int
    integrity: str  # 'ok', SQLite's findings, or why it was not checked
    learners: int
    attempts: int
    review_states: int

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" or self.integrity.startswith("not checked")


@dataclass(frozen=True)
class ImportSummary:
    learners: int
    attempts: int
    review_states: int
