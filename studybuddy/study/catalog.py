"""An index over the loaded banks: find any question by id with its bank and chapter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studybuddy.banks.models import AnyQuestion, Bank, Chapter

if TYPE_CHECKING:
    from studybuddy.store.records import QuestionInfo


# the book first, then courses, then reading notes; by title within each
SOURCE_ORDER = {"book": 0, "course": 1, "notes": 2}


def shelf_order(banks: Iterable[Bank]) -> list[Bank]:
    """The banks in the order the learner sees them."""
    return sorted(banks, key=lambda bank: (SOURCE_ORDER[bank.source], bank.title))


@dataclass(frozen=True)
class QuestionRef:
    bank: Bank
    chapter: Chapter
    question: AnyQuestion

    @property
    def chapter_key(self) -> str:
        return f"{self.bank.id}/{self.chapter.id}"


class Catalog:
    def __init__(self, banks: list[Bank]) -> None:
        self.banks = banks
        self._by_id: dict[str, QuestionRef] = {}
        for bank in banks:
            for chapter in bank.chapters:
                for question in chapter.questions:
                    self._by_id[question.id] = QuestionRef(bank, chapter, question)

    def __contains__(self, question_id: str) -> bool:
        return question_id in self._by_id

    def __getitem__(self, question_id: str) -> QuestionRef:
        return self._by_id[question_id]

    def __len__(self) -> int:
        return len(self._by_id)

    def refs(self) -> list[QuestionRef]:
        return list(self._by_id.values())

    def question_info(self) -> dict[str, QuestionInfo]:
        """question id -> what the store needs to group it (chapter key, type, tags)."""
        from studybuddy.store.records import QuestionInfo

        return {
            ref.question.id: QuestionInfo(
                ref.chapter_key, ref.question.type, tuple(ref.question.tags)
            )
            for ref in self.refs()
        }

    def chapter_questions(self) -> dict[str, list[str]]:
        """chapter key ('bank/chapter') -> its question ids, in bank order."""
        return {
            f"{bank.id}/{chapter.id}": [q.id for q in chapter.questions]
            for bank in self.banks
            for chapter in bank.chapters
        }

    def find_chapter(self, key: str) -> tuple[Bank, Chapter]:
        bank_id, chapter_id = key.split("/", 1)
        bank = next(b for b in self.banks if b.id == bank_id)
        return bank, bank.chapter(chapter_id)
