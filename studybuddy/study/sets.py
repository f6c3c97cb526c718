"""Building the list of questions for one sitting."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from studybuddy.store.records import WeakTopic
    from studybuddy.study.catalog import Catalog

Mode = Literal["study", "review", "practice", "ahead"]


DEFAULT_SET_SIZE = 12
SET_SIZES = (6, 12, 20, 30)  # the sizes the learner cycles through; None is the whole section


@dataclass
class StudySet:
    mode: Mode
    title: str
    question_ids: list[str]
    position: int = 0
    outcomes: dict[str, bool] = field(default_factory=dict)  # question id -> correct
    # what the set is of ("study:bank/chapter#2", "review"): an unfinished set is kept per key,
    # so a review or another section never throws away the chapter set left half done
    key: str = ""

    @property
    def resume_key(self) -> str:
        return self.key or f"{self.mode}:{self.title}"

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
            "key": self.key,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> StudySet:
        return cls(
            mode=data["mode"],
            title=data["title"],
            question_ids=list(data["question_ids"]),
            position=int(data["position"]),
            outcomes=dict(data.get("outcomes", {})),
            key=str(data.get("key", "")),
        )

    def restricted_to(self, catalog: Catalog) -> StudySet:
        """The same set without questions that left the banks since it was saved."""
        kept = [q for q in self.question_ids if q in catalog]
        answered_before = [q for q in self.question_ids[: self.position] if q in catalog]
        outcomes = {q: ok for q, ok in self.outcomes.items() if q in catalog}
        return StudySet(self.mode, self.title, kept, len(answered_before), outcomes, self.key)


def study_set(
    catalog: Catalog,
    chapter_key: str,
    seen: Iterable[str],
    limit: int | None = None,
    section: int | None = None,
) -> StudySet:
    """Up to `limit` questions of a chapter, or of one of its sections (numbered from 1, see
    study.sections): questions never attempted first, in reading order.

    Questions are taken in whole families, an open question with its auto-graded variants,
    and a variant is always asked before its open question: asked after it, the model answer
    just shown would give the variant away. Reading order mixes the question types.
    """
    from studybuddy.study.sections import chapter_sections, families

    _, chapter = catalog.find_chapter(chapter_key)
    title, key = chapter.title, f"study:{chapter_key}"
    if section is None:
        groups = families(chapter.questions)
    else:
        chosen = chapter_sections(chapter)[section - 1]
        groups = list(chosen.families)
        # the section first: a narrow quiz header cuts the title from the right
        title, key = f"§{chosen.number} {chosen.name} · {chapter.title}", f"{key}#{section}"
    seen_ids = set(seen)
    # New questions first, family by family; then families tried in full. A tried variant of a
    # family still partly new is left for its review: asked after the open question it would
    # break the rule above.
    fresh = [[q for q in f.question_ids if q not in seen_ids] for f in groups]
    tried = [list(f.question_ids) for f in groups if all(q in seen_ids for q in f.question_ids)]
    ids: list[str] = []
    for family in [f for f in fresh if f] + tried:
        if limit and ids and len(ids) + len(family) > limit:
            break
        ids.extend(family)
    return StudySet("study", title, ids, key=key)


def review_set(catalog: Catalog, due_ids: Iterable[str], limit: int | None = None) -> StudySet:
    """The due queue (most overdue first, as the store gives it), skipping retired questions."""
    ids = [q for q in due_ids if q in catalog]
    return StudySet("review", "Review due questions", ids[:limit] if limit else ids, key="review")


def practice_set(catalog: Catalog, question_ids: Iterable[str], title: str) -> StudySet:
    ids = [q for q in question_ids if q in catalog]
    return StudySet("practice", title, ids, key=f"practice:{title}")


AHEAD_LIMIT = 20  # questions in one sitting ahead of a meeting, unless asked for more


def ahead_set(catalog: Catalog, chapter_key: str, ordered_ids: Iterable[str]) -> StudySet:
    """A chapter's questions reviewed early, before a reading-group meeting, in the order
    given (memory.ahead: least likely remembered first)."""
    _, chapter = catalog.find_chapter(chapter_key)
    ids = [q for q in ordered_ids if q in catalog]
    return StudySet(
        "ahead", f"Before the meeting · {chapter.title}", ids, key=f"ahead:{chapter_key}"
    )


WEAKEST_SET_SIZE = 15


def weakest_set(catalog: Catalog, weakest: Iterable[WeakTopic]) -> StudySet:
    """The questions to revisit of the weakest topics, weakest topic first, each question once."""
    ids: list[str] = []
    for topic in weakest:
        ids.extend(q for q in topic.revisit if q not in ids)
    return practice_set(catalog, ids[:WEAKEST_SET_SIZE], "Practise your weakest topics")
