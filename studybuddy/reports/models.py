"""What a report shows, gathered once; every renderer (HTML, Markdown, CSV, JSON) reads these.

The store's records carry the numbers; these add the words from the banks (question prompts,
chapter titles, the demo that explains a question) and the choices a report makes (time zone,
the date it starts from).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from studybuddy.store.records import (
    ChapterMastery,
    LeaderboardRow,
    LearnerStats,
    QuestionResult,
)


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class QuestionLine:
    """A question as a report names it; `prompt` is empty when its bank no longer has it."""

    question_id: str
    prompt: str
    chapter: str
    show_me: str | None  # the command that runs its demo, e.g. "studybuddy show softmax-scaling"


@dataclass(frozen=True)
class ChapterLine:
    key: str  # "bank/chapter"
    title: str
    bank: str  # the bank's title: two banks may both have a "Chapter 3"
    questions: int
    seen: int
    mastered: int
    attempts: int
    correct: int

    @property
    def mastery(self) -> float:
        return share(self.mastered, self.questions)

    @property
    def accuracy(self) -> float:
        return share(self.correct, self.attempts)


@dataclass(frozen=True)
class WeakTopicLine:
    topic: str
    attempts: int
    correct: int
    questions: tuple[QuestionLine, ...]

    @property
    def accuracy(self) -> float:
        return share(self.correct, self.attempts)


@dataclass(frozen=True)
class AttemptLine:
    """One answer as the CSV and JSON exports write it."""

    learner: str
    question_id: str
    chapter: str  # chapter key, "" when the question left the banks
    answered_at: datetime
    correct: bool
    score: float
    seconds: float
    mode: str
    rating: int | None
    bank_id: str
    bank_version: int
    answer: Any


@dataclass(frozen=True)
class LearnerReport:
    stats: LearnerStats
    generated_at: datetime
    tz: tzinfo
    since: date | None
    chapters: list[ChapterLine]
    weakest: list[WeakTopicLine]

    @property
    def name(self) -> str:
        return self.stats.learner

    @property
    def empty(self) -> bool:
        return self.stats.attempts == 0


@dataclass(frozen=True)
class MemberMastery:
    name: str
    chapters: list[ChapterMastery]  # in the order of GroupReport.chapters


@dataclass(frozen=True)
class MissedQuestion:
    question: QuestionLine
    result: QuestionResult


@dataclass(frozen=True)
class GroupReport:
    generated_at: datetime
    tz: tzinfo
    since: date | None
    leaderboard: list[LeaderboardRow]
    chapters: list[tuple[str, str]]  # (key, title) in bank order
    members: list[MemberMastery]
    most_missed: list[MissedQuestion] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(row.attempts for row in self.leaderboard)
