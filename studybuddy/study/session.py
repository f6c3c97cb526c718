"""One learner studying: the banks, the progress database and the unfinished set, with no UI.

The TUI holds one `LearnerSession` and asks it everything; every method returns a typed record
or raises a StudyBuddyError (usually StoreError) with a sentence for the learner. Nothing heavy
is imported here: the banks are parsed and the store opened on first use (the TUI does both in
workers after its first frame).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studybuddy.study.resume import ResumeStore

if TYPE_CHECKING:
    from fsrs import Rating

    from studybuddy.banks.grading import Grade
    from studybuddy.banks.loader import LoadResult
    from studybuddy.store import LearnerStats, QuestionInfo, Scheduled, Store
    from studybuddy.study.catalog import Catalog, QuestionRef
    from studybuddy.study.sets import StudySet


@dataclass(frozen=True)
class ChapterProgress:
    """One chapter's line on the home screen."""

    right: int  # questions answered right at least once
    mastery: float  # share of its questions recalled with >= 90 % today
    due: int  # questions due for review now


class LearnerSession:
    def __init__(self, database: str, profile: str, banks_dir: Path, data_dir: Path) -> None:
        self.database = database
        self.profile = profile
        self.banks_dir = banks_dir
        self.resume = ResumeStore(data_dir, database)
        self.now: datetime | None = None  # None: the real time, for stats and due dates
        self._store: Store | None = None
        self._store_lock = threading.Lock()
        # Demo parameters the learner last ran, per demo id: kept while the app runs.
        self.demo_edits: dict[str, dict[str, Any]] = {}

    # -- what it reads from ------------------------------------------------------------------
    @cached_property
    def banks(self) -> LoadResult:
        from studybuddy.banks.loader import bank_files, load_banks

        return load_banks(bank_files(self.banks_dir))

    @cached_property
    def catalog(self) -> Catalog:
        from studybuddy.study.catalog import Catalog

        return Catalog(self.banks.banks)

    @property
    def store(self) -> Store:
        """Opened on first use, from whichever thread gets there first."""
        with self._store_lock:
            if self._store is None:
                from studybuddy.store import Store

                self._store = Store(self.database)
            return self._store

    @property
    def opened_store(self) -> Store | None:
        """The store if it was opened (or given), without opening it."""
        return self._store

    def use_store(self, store: Store) -> None:
        """Work on this store instead of opening the database (tests, a shorter busy timeout)."""
        with self._store_lock:
            self._store = store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    # -- recording -----------------------------------------------------------------------------
    def record_attempt(
        self,
        ref: QuestionRef,
        *,
        answer: Any,
        grade: Grade,
        seconds: float,
        mode: str,
        rating: Rating | None = None,
    ) -> Scheduled:
        """Committed to the database before this returns. If the database is locked the store
        keeps the attempt in memory and raises StoreError; it is saved with the next one."""
        return self.store.record_attempt(
            self.profile,
            question_id=ref.question.id,
            bank_id=ref.bank.id,
            bank_version=ref.bank.version,
            answer=answer,
            correct=grade.correct,
            score=grade.score,
            seconds=seconds,
            # a practice set is study of chosen questions: the history knows study and review
            mode="review" if mode == "review" else "study",
            rating=rating,
        )

    def save_open_set(self, study: StudySet | None) -> None:
        if study is None or study.finished:
            self.resume.clear(self.profile)
        else:
            self.resume.save(self.profile, study)

    def open_set(self) -> StudySet | None:
        """The learner's unfinished set, without questions that left the banks since."""
        study = self.resume.load(self.profile)
        if study is None:
            return None
        study = study.restricted_to(self.catalog)
        return None if study.finished else study

    # -- reading progress ----------------------------------------------------------------------
    def seen_question_ids(self) -> set[str]:
        """Questions this learner has tried."""
        return {a.question_id for a in self.store.attempts(self.profile)}

    def due_question_ids(self) -> list[str]:
        """Questions of the current banks due for review, most overdue first."""
        items = self.store.due_queue(
            self.profile, now=self.now, among=[r.question.id for r in self.catalog.refs()]
        )
        return [item.question_id for item in items]

    def chapter_progress(self, due_ids: list[str]) -> dict[str, ChapterProgress]:
        """Chapter key -> how far the learner is with it (`due_ids` from due_question_ids)."""
        chapters = self.catalog.chapter_questions()
        due = set(due_ids)
        mastery = self.store.chapter_mastery(self.profile, chapters, now=self.now)
        right = self.store.correctly_answered(
            self.profile, [q for ids in chapters.values() for q in ids]
        )
        return {
            key: ChapterProgress(
                right=sum(1 for q in ids if q in right),
                mastery=mastery[key].share if key in mastery else 0.0,
                due=sum(1 for q in ids if q in due),
            )
            for key, ids in chapters.items()
        }

    def question_info(self) -> dict[str, QuestionInfo]:
        return self.catalog.question_info()

    def learner_stats(self) -> LearnerStats:
        return self.store.learner_stats(self.profile, self.question_info(), now=self.now)

    def chapter_title(self, key: str) -> str:
        """The chapter's title, or the key itself for a chapter no bank has any more."""
        try:
            return self.catalog.find_chapter(key)[1].title
        except (KeyError, StopIteration, ValueError):
            return key

    # -- learners and settings -----------------------------------------------------------------
    def learner_names(self) -> list[str]:
        return [learner.name for learner in self.store.learners()]

    def desired_retention(self) -> float:
        return self.store.settings(self.profile).desired_retention

    def set_desired_retention(self, value: float) -> float:
        return self.store.set_desired_retention(self.profile, value).desired_retention

    def export_report(self, folder: Path) -> Path:
        """The learner's HTML report, written into `folder`; returns its path."""
        from studybuddy.reports import write_learner_report

        return write_learner_report(self.store, self.profile, self.question_info(), folder)
