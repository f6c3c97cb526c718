"""Building the list of questions for one sitting."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from studybuddy.store.records import WeakTopic
    from studybuddy.study.catalog import Catalog

Mode = Literal["study", "review", "practice"]


@dataclass
class StudySet:
    mode: Mode
    title: str
    question_ids: list[str]
    position: int = 0
    outcomes: dict[str, bool] = field(default_factory=dict)  # question id -> correct

    @property
    def finished(self) -> bool:
        return self.position >= len(self.question_ids)

    @property
    def current(self) -> str:
        return self.question_ids[self.position]

    def record(self, question_id: str, correct: bool) -> None:
        self.outcomes[question_id] = correct

    def advance(self) -> None:
        self.position += 1

    @property
    def correct_count(self) -> int:
        return sum(self.outcomes.values())

    def to_dict(self) -> dict:
        return {
            "mode": self.mode,
            "title": self.title,
            "question_ids": self.question_ids,
            "position": self.position,
            "outcomes": self.outcomes,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> StudySet:
        return cls(
            mode=data["mode"],
            title=data["title"],
            question_ids=list(data["question_ids"]),
            position=int(data["position"]),
            outcomes=dict(data.get("outcomes", {})),
        )

    def restricted_to(self, catalog: Catalog) -> StudySet:
        """The same set without questions that left the banks since it was saved."""
        kept = [q for q in self.question_ids if q in catalog]
        answered_before = [q for q in self.question_ids[: self.position] if q in catalog]
        outcomes = {q: ok for q, ok in self.outcomes.items() if q in catalog}
        return StudySet(self.mode, self.title, kept, len(answered_before), outcomes)


def study_set(
    catalog: Catalog, chapter_key: str, seen: Iterable[str], limit: int | None = None
) -> StudySet:
    """A chapter's questions, those never attempted first.

    Within each group the auto-graded questions come before the open ones: a bank often puts a
    multiple-choice variant right after the open question it checks, and asked in that order
    the model answer just shown would give the variant away.
    """
    _, chapter = catalog.find_chapter(chapter_key)
    seen_ids = set(seen)
    questions = sorted(chapter.questions, key=lambda q: not q.auto_gradable)  # stable sort
    ids = [q.id for q in questions]
    ordered = [q for q in ids if q not in seen_ids] + [q for q in ids if q in seen_ids]
    return StudySet("study", chapter.title, ordered[:limit] if limit else ordered)


def review_set(catalog: Catalog, due_ids: Iterable[str], limit: int | None = None) -> StudySet:
    """The due queue (most overdue first, as the store gives it), skipping retired questions."""
    ids = [q for q in due_ids if q in catalog]
    return StudySet("review", "Review due questions", ids[:limit] if limit else ids)


def practice_set(catalog: Catalog, question_ids: Iterable[str], title: str) -> StudySet:
    ids = [q for q in question_ids if q in catalog]
    return StudySet("practice", title, ids)


WEAKEST_SET_SIZE = 15


def weakest_set(catalog: Catalog, weakest: Iterable[WeakTopic]) -> StudySet:
    """The questions to revisit of the weakest topics, weakest topic first, each question once."""
    ids: list[str] = []
    for topic in weakest:
        ids.extend(q for q in topic.revisit if q not in ids)
    return practice_set(catalog, ids[:WEAKEST_SET_SIZE], "Practise your weakest topics")
