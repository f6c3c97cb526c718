"""The Textual app: a thin layer over banks, store, study sets and demos.

Start-up stays fast because nothing heavy is imported here: the store (SQLModel) opens in a
worker after the first frame, and torch loads only when a "show me" runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from studybuddy.locations import question_banks_dir, user_data_dir
from studybuddy.study.resume import ResumeStore

if TYPE_CHECKING:
    # Bank models take ~0.1 s to build and SQLModel ~0.4 s to import: both load after the
    # first frame, in workers, never at import time.
    from studybuddy.banks.grading import Grade
    from studybuddy.banks.loader import LoadResult
    from studybuddy.store import Store
    from studybuddy.study.catalog import Catalog, QuestionRef
    from studybuddy.study.sets import StudySet


class StudyBuddyApp(App[None]):
    TITLE = "StudyBuddy"
    SUB_TITLE = "LLMs from scratch, one question at a time"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("ctrl+t", "toggle_dark", "Theme", show=False, id="app.theme"),
    ]

    def __init__(self, database: str, profile: str = "me", banks_dir: Path | None = None) -> None:
        super().__init__()
        self.database = database
        self.profile = profile
        self.banks_dir = banks_dir or question_banks_dir()
        self._store: Store | None = None
        self._store_lock = threading.Lock()
        self.resume = ResumeStore(user_data_dir(), database)
        # Injectable so tests and snapshots are not at the mercy of the wall clock.
        self.clock: Callable[[], float] = time.monotonic
        self.now: datetime | None = None  # None: the real time, for stats and due dates
        self._quit_anyway = False

    # -- domain access -----------------------------------------------------------------------
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
        """Opened on first use (a worker usually opens it right after the first frame)."""
        with self._store_lock:
            if self._store is None:
                from studybuddy.store import Store

                self._store = Store(self.database)
            return self._store

    def record_attempt(
        self,
        ref: QuestionRef,
        *,
        answer: Any,
        grade: Grade,
        seconds: float,
        mode: str,
        rating: str | None = None,
    ) -> None:
        """Committed to the database before this returns.

        If the database is locked the store keeps the attempt in memory and raises StoreError;
        it is saved with the next attempt, so the learner is told and carries on.
        """
        extra = {"rating": rating} if rating is not None else {}
        from studybuddy.store import StoreError

        try:
            self._write_attempt(ref, answer, grade, seconds, mode, extra)
        except StoreError as exc:
            self.notify(f"{exc}", title="Not saved yet", severity="warning", timeout=10)

    def _write_attempt(
        self,
        ref: QuestionRef,
        answer: Any,
        grade: Grade,
        seconds: float,
        mode: str,
        extra: dict[str, Any],
    ) -> None:
        self.store.record_attempt(
            self.profile,
            question_id=ref.question.id,
            bank_id=ref.bank.id,
            bank_version=ref.bank.version,
            answer=answer,
            correct=grade.correct,
            score=grade.score,
            seconds=seconds,
            mode="quiz-night" if mode == "night" else ("review" if mode == "review" else "study"),
            **extra,
        )

    def save_open_set(self, study: StudySet | None) -> None:
        if study is None or study.finished:
            self.resume.clear(self.profile)
        else:
            self.resume.save(self.profile, study)

    def open_set(self) -> StudySet | None:
        study = self.resume.load(self.profile)
        if study is None:
            return None
        study = study.restricted_to(self.catalog)
        return None if study.finished else study

    def report_store_error(self, error: Exception) -> None:
        """Say what is wrong with the database; safe to call from a worker thread."""
        self.notify(str(error), title="Progress database", severity="error", timeout=20)

    def seen_question_ids(self) -> set[str] | None:
        """Questions this learner has tried; None (and a notice) if the database cannot say."""
        from studybuddy.store import StoreError

        try:
            return {a.question_id for a in self.store.attempts(self.profile)}
        except StoreError as exc:
            self.report_store_error(exc)
            return None

    def chapter_summary(
        self, chapters: dict[str, list[str]], due_ids: Iterable[str]
    ) -> dict[str, tuple[int, float | None, int]]:
        """chapter key -> (questions answered right, mastery share, questions due)."""
        store = self.store
        due = set(due_ids)
        mastery = store.chapter_mastery(self.profile, chapters, now=self.now)
        right = store.correctly_answered(
            self.profile, [q for ids in chapters.values() for q in ids]
        )
        return {
            key: (
                sum(1 for q in ids if q in right),
                mastery[key].share if key in mastery else 0.0,
                sum(1 for q in ids if q in due),
            )
            for key, ids in chapters.items()
        }

    def due_question_ids(self) -> list[str]:
        items = self.store.due_queue(
            self.profile, now=self.now, among=[r.question.id for r in self.catalog.refs()]
        )
        return [item.question_id for item in items]

    def question_info(self) -> dict[str, Any]:
        return self.catalog.question_info()

    def learner_stats(self) -> Any:
        return self.store.learner_stats(self.profile, self.question_info(), now=self.now)

    def chapter_title(self, key: str) -> str:
        try:
            return self.catalog.find_chapter(key)[1].title
        except (KeyError, StopIteration, ValueError):
            return key

    def learner_names(self) -> list[str]:
        from studybuddy.store import StoreError

        try:
            return [learner.name for learner in self.store.learners()]
        except StoreError as exc:
            self.report_store_error(exc)
            return []

    def desired_retention(self) -> float | None:
        from studybuddy.store import StoreError

        try:
            return self.store.settings(self.profile).desired_retention
        except StoreError as exc:
            self.report_store_error(exc)
            return None

    def set_desired_retention(self, value: float) -> bool:
        from studybuddy.store import StoreError

        try:
            self.store.set_desired_retention(self.profile, value)
        except StoreError as exc:
            self.report_store_error(exc)
            return False
        return True

    def export_report(self) -> Path:
        from studybuddy.reports import write_learner_report

        return write_learner_report(self.store, self.profile, self.question_info(), Path.cwd())

    # -- screens -------------------------------------------------------------------------------
    def on_mount(self) -> None:
        from studybuddy.tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())

    def start_set(self, study: StudySet) -> None:
        from studybuddy.tui.screens.quiz import QuizScreen

        if not study.question_ids:
            self.notify("Nothing to ask here right now.", timeout=3)
            return
        self.push_screen(QuizScreen(study))

    def switch_profile(self, name: str) -> None:
        self.profile = name
        self.notify(f"Studying as {name}.", timeout=3)

    def action_help(self) -> None:
        from studybuddy.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys and actions of this screen", self.action_help)
        yield SystemCommand("Toggle dark/light", "Switch the colour theme", self.action_toggle_dark)
        # every action bound on the current screen is also reachable from the palette
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if binding.description and active.enabled and binding.action not in {"help", "quit"}:
                yield SystemCommand(
                    binding.description,
                    f"key: {key}",
                    lambda action=binding.action, node=active.node: self.run_action(action, node),
                )

    async def action_quit(self) -> None:
        """Quit, unless answers kept in memory (database locked) could still be saved."""
        store = self._store
        if store is not None and store.unsaved and not self._quit_anyway:
            from studybuddy.store import StoreError

            try:
                store.flush()
            except StoreError:
                pass
            if store.unsaved:
                self._quit_anyway = True
                self.notify(
                    f"{store.unsaved} answer(s) could not be saved: the database is locked. "
                    "Close the other program using it and try again, or press Ctrl+Q again "
                    "to quit and lose them.",
                    severity="error",
                    timeout=20,
                )
                return
        self.exit()

    def on_unmount(self) -> None:
        if self._store is not None:
            self._store.close()


def make_app(database: str, profile: str = "me", banks_dir: Path | None = None) -> StudyBuddyApp:
    """The one way to build the app, used by the CLI and by the tests."""
    return StudyBuddyApp(database=database, profile=profile, banks_dir=banks_dir)
