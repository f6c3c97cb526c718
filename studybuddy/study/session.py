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

from studybuddy.errors import StudyBuddyError
from studybuddy.study.learners import LastLearner, default_learner
from studybuddy.study.resume import ResumeStore
from studybuddy.study.sets import DEFAULT_SET_SIZE

if TYPE_CHECKING:
    from fsrs import Rating

    from studybuddy.banks.grading import Grade
    from studybuddy.banks.loader import LoadResult
    from studybuddy.memory.ahead import AheadItem
    from studybuddy.memory.service import Fitter, Model, OptimizeResult, Overview
    from studybuddy.store import LearnerStats, QuestionInfo, Scheduled, Store
    from studybuddy.study.catalog import Catalog, QuestionRef
    from studybuddy.study.sets import StudySet


@dataclass(frozen=True)
class ChapterProgress:
    """One chapter's line on the home screen."""

    right: int  # questions answered right at least once
    mastery: float  # share of its questions recalled today with >= the desired retention
    due: int  # questions due for review now


class LearnerSession:
    def __init__(self, database: str, profile: str | None, banks_dir: Path, data_dir: Path) -> None:
        self.database = database
        self.banks_dir = banks_dir
        self.resume = ResumeStore(data_dir, database)
        self.last_learner = LastLearner(data_dir)
        # a name given by the caller (--profile) is used as given; otherwise the one remembered
        # for this database, confirmed (or replaced) by choose_learner once the store is open
        self.named = profile is not None
        self.profile: str | None = profile or self.last_learner.get(database)
        self.now: datetime | None = None  # None: the real time, for stats and due dates
        self.set_size: int | None = DEFAULT_SET_SIZE  # None: whole sections, while the app runs
        self._store: Store | None = None
        self._store_lock = threading.Lock()
        # Demo parameters the learner last ran, per demo id: kept while the app runs.
        self.demo_edits: dict[str, dict[str, Any]] = {}
        # what fits the learner's fsrs parameters; None: fsrs's own Optimizer (a minute or
        # more). Tests and benchmarks put a fast one here.
        self.fitter: Fitter | None = None
        # one fit at a time, even when the learner leaves Settings and starts another
        self._fitting = threading.Lock()

    @property
    def learner(self) -> str:
        """The learner studying; asking before one is chosen is a mistake of the caller."""
        if self.profile is None:
            raise StudyBuddyError("no learner chosen yet: pick or create one first")
        return self.profile

    def choose_learner(self) -> str | None:
        """The learner to study as: the remembered one if it is still in the database, else
        the only one there; None when the learner must be asked (no learner, or several)."""
        if self.named and self.profile is not None:
            chosen: str | None = self.profile  # a new name is created with its first answer
        else:
            chosen = default_learner(self.learner_names(), self.profile)
        self.profile = chosen
        if chosen is not None:
            self.last_learner.remember(self.database, chosen)
        return chosen

    def switch_learner(self, name: str) -> str:
        """Study as `name` from now on, creating the learner if new; remembered for next time."""
        self.store.learner_id(name)  # creates it, so it is in the picker from now on
        self.profile = self.store.learner(name).name
        self.last_learner.remember(self.database, self.profile)
        return self.profile

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
            self.learner,
            question_id=ref.question.id,
            bank_id=ref.bank.id,
            bank_version=ref.bank.version,
            answer=answer,
            correct=grade.correct,
            score=grade.score,
            seconds=seconds,
            mode=self.history_mode(mode),
            rating=rating,
        )

    @staticmethod
    def history_mode(mode: str) -> str:
        """How a set's answers are logged: a practice set is study of chosen questions; a
        review ahead is logged as such, so the reports can tell early reviews apart."""
        if mode == "ahead":
            from studybuddy.memory.ahead import EARLY_MODE

            return EARLY_MODE
        return "review" if mode == "review" else "study"

    def save_open_set(self, study: StudySet | None) -> None:
        """Keep an unfinished set to resume later; a finished one is forgotten. Other open sets
        (another section, the review) are kept. None: no set to keep."""
        if study is not None:
            self.resume.save(self.learner, study)

    def open_sets(self) -> list[StudySet]:
        """The learner's unfinished sets, the one touched last first, without questions that
        left the banks since."""
        if self.profile is None:
            return []
        restricted = (s.restricted_to(self.catalog) for s in self.resume.load_all(self.learner))
        return [study for study in restricted if not study.finished]

    def open_set(self) -> StudySet | None:
        """The unfinished set touched last."""
        sets = self.open_sets()
        return sets[0] if sets else None

    # -- reading progress ----------------------------------------------------------------------
    def seen_question_ids(self) -> set[str]:
        """Questions this learner has tried."""
        return {a.question_id for a in self.store.attempts(self.learner)}

    def due_question_ids(self) -> list[str]:
        """Questions of the current banks due for review, most overdue first."""
        items = self.store.due_queue(
            self.learner, now=self.now, among=[r.question.id for r in self.catalog.refs()]
        )
        return [item.question_id for item in items]

    def chapter_progress(self, due_ids: list[str]) -> dict[str, ChapterProgress]:
        """Chapter key -> how far the learner is with it (`due_ids` from due_question_ids)."""
        chapters = self.catalog.chapter_questions()
        due = set(due_ids)
        mastery = self.store.chapter_mastery(self.learner, chapters, now=self.now)
        right = self.store.correctly_answered(
            self.learner, [q for ids in chapters.values() for q in ids]
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
        return self.store.learner_stats(self.learner, self.question_info(), now=self.now)

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
        """The learner's (the default before a learner is chosen)."""
        if self.profile is None:
            from studybuddy.store.scheduling import DEFAULT_RETENTION

            return DEFAULT_RETENTION
        return self.store.settings(self.profile).desired_retention

    def set_desired_retention(self, value: float) -> float:
        return self.store.set_desired_retention(self.learner, value).desired_retention

    # -- the learner's memory model (fsrs fitted to them) ----------------------------------------
    def _not_created_yet(self) -> bool:
        """A name given with --profile is created with its first answer; until then it has
        no history, and its memory model is fsrs's defaults."""
        return self.learner not in self.learner_names()

    def memory_model(self) -> Model:
        """The parameters scheduling this learner, and why (a damaged fit reads as defaults)."""
        from studybuddy.memory import service

        if self._not_created_yet():
            return service.Model(None)
        return service.model(self.store, self.learner)

    def reviews_for_fit(self) -> int:
        """Reviews fsrs's optimiser would learn from (it needs MIN_REVIEWS of them)."""
        from studybuddy.memory import service

        return 0 if self._not_created_yet() else service.counted(self.store, self.learner)

    def memory_overview(self) -> Overview | None:
        """True retention, calibration and review days, from the memory domain; None before
        the learner's first answer."""
        from studybuddy.memory import service

        if self._not_created_yet():
            return None
        return service.overview(self.store, self.learner, now=self.now)

    def optimize(self) -> OptimizeResult:
        """Fit, save and reschedule (slow: run it in a worker); StoreError below 512 reviews
        or when the fit is no better, with nothing changed."""
        from studybuddy.memory import fitting, service
        from studybuddy.store import StoreError

        if self._not_created_yet():
            raise StoreError(
                f"{self.learner!r} has no reviews yet: 0 of {fitting.MIN_REVIEWS} reviews so far"
            )
        if not self._fitting.acquire(blocking=False):
            raise StudyBuddyError("a fit is already running; it is saved when it ends")
        try:
            return service.optimize(self.store, self.learner, now=self.now, fitter=self.fitter)
        finally:
            self._fitting.release()

    def revert_fit(self) -> tuple[Model, int]:
        """Back to the fit before the newest one (or fsrs's defaults), cards rescheduled."""
        from studybuddy.memory import service

        return service.revert(self.store, self.learner)

    def ahead_order(self, chapter_key: str) -> list[AheadItem]:
        """The chapter's questions met before, least likely remembered now first, read with
        the learner's own parameters (as `studybuddy review --ahead`)."""
        from studybuddy.memory.ahead import ahead_order
        from studybuddy.study.sets import AHEAD_LIMIT

        cards = self.store.cards(self.learner)
        if not cards:  # nothing met yet (or a learner not created yet)
            return []
        now = self.now or datetime.now().astimezone()
        ids = self.catalog.chapter_questions()[chapter_key]
        return ahead_order(cards, ids, now, self.memory_model().parameters)[:AHEAD_LIMIT]

    def export_report(self, folder: Path) -> Path:
        """The learner's HTML report, written into `folder`; returns its path."""
        from studybuddy.reports import write_learner_report

        return write_learner_report(
            self.store,
            self.learner,
            self.question_info(),
            folder,
            catalog=self.catalog,
            now=self.now,
        )
