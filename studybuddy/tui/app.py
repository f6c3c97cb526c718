"""The Textual app: a thin layer over a LearnerSession (banks, store, study sets) and demos.

Start-up stays fast because nothing heavy is imported here: the store (SQLModel) opens in a
worker after the first frame, and torch loads only when a "show me" runs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import Provider
from textual.screen import Screen
from textual.timer import Timer

from studybuddy.errors import StudyBuddyError
from studybuddy.locations import question_banks_dir, user_data_dir
from studybuddy.study.session import LearnerSession

if TYPE_CHECKING:
    # Bank models take ~0.1 s to build and SQLModel ~0.4 s to import: both load after the
    # first frame, in workers, never at import time.
    from studybuddy.store import Store
    from studybuddy.study.sets import StudySet
    from studybuddy.tui.screens.night_host import ProjectorWanted

T = TypeVar("T")


def _load_language_model() -> str:
    from studybuddy.demos.shipped import preload

    return preload()


def get_study_commands() -> type[Provider]:
    from studybuddy.tui.commands import StudyBuddyCommands

    return StudyBuddyCommands


class StudyBuddyApp(App[None]):
    TITLE = "StudyBuddy"
    SUB_TITLE = "LLMs from scratch, one question at a time"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    # The app's own commands (study, review, demos, ...) in the palette, before Textual's.
    COMMANDS = App.COMMANDS | {get_study_commands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("ctrl+t", "toggle_dark", "Theme", show=False, id="app.theme"),
    ]

    # Seconds between checks for an idle app before warming the show-me engine; None: never
    # (benchmarks/show_me.py measures the cold path that way).
    WARM_UP_POLL: float | None = 0.25
    # After the warm-up, load SmolLM2 (half a GB, seconds) in a worker so that the demos on it
    # answer at once; the show-me screen says "loading SmolLM2 … n s" meanwhile.
    PRELOAD_MODEL = True

    def __init__(
        self, database: str, profile: str | None = None, banks_dir: Path | None = None
    ) -> None:
        super().__init__()
        self.session = LearnerSession(
            database, profile, banks_dir or question_banks_dir(), user_data_dir()
        )
        # Injectable so tests and snapshots are not at the mercy of the wall clock.
        self.clock: Callable[[], float] = time.monotonic
        self._quit_anyway = False
        self._warm_poll: Timer | None = None
        # Injectable, so a test can stand a slow fake in for the half-gigabyte load.
        self.model_loader: Callable[[], str] = _load_language_model
        self.model_loading_since: float | None = None  # clock() when the load began
        self.model_status = ""  # what the load said when it ended

    # -- the session: the screens ask self.app.session; these few are shared with the tests --
    @property
    def profile(self) -> str:
        """The learner's name, or "" before one is known (first launch)."""
        return self.session.profile or ""

    @property
    def now(self) -> datetime | None:
        return self.session.now

    @now.setter
    def now(self, value: datetime | None) -> None:
        self.session.now = value

    @property
    def store(self) -> Store:
        """Opened on first use (a worker usually opens it right after the first frame)."""
        return self.session.store

    @property
    def _store(self) -> Store | None:
        return self.session.opened_store

    @_store.setter
    def _store(self, store: Store) -> None:  # tests give the app a store of their own
        self.session.use_store(store)

    # -- database errors become notices --------------------------------------------------------
    def report_store_error(self, error: Exception) -> None:
        """Say what is wrong with the database; safe to call from a worker thread."""
        self.notify(str(error), title="Progress database", severity="error", timeout=20)

    def read(self, read: Callable[[], T], fallback: T) -> T:
        """`read()`, or `fallback` once the learner has been told why it failed."""
        try:
            return read()
        except StudyBuddyError as exc:
            self.report_store_error(exc)
            return fallback

    # -- screens -------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.push_screen(self.first_screen())

    def on_ready(self) -> None:
        # After the first frame, and once the home screen's own loading is done, so neither
        # waits for torch: import it and run one tiny demo, so the first `s` answers at once.
        if self.WARM_UP_POLL is not None:
            self._warm_poll = self.set_interval(self.WARM_UP_POLL, self._warm_up_when_idle)

    def _warm_up_when_idle(self) -> None:
        if any(worker.is_running for worker in self.workers) or self._warm_poll is None:
            return
        self._warm_poll.stop()
        self._warm_poll = None
        from studybuddy.demos.warmup import warm_up

        def warm_up_then_load_the_model() -> None:
            warm_up()
            if self.PRELOAD_MODEL:
                self.call_from_thread(self.load_model_in_background)

        self.run_worker(
            warm_up_then_load_the_model, thread=True, group="warm-up", exit_on_error=False
        )

    def load_model_in_background(self) -> None:
        """Load SmolLM2 in a worker thread; `model_loading_since` is set until it is done."""
        if self.model_loading_since is not None:
            return
        self.model_loading_since = self.clock()
        self.run_worker(self._load_model, thread=True, group="model", exit_on_error=False)

    def _load_model(self) -> None:
        try:
            status = self.model_loader()
        except Exception as exc:  # a damaged file: the demos will say so in their own line
            status = str(exc)
        self.call_from_thread(self._model_loaded, status)

    def _model_loaded(self, status: str) -> None:
        self.model_loading_since = None
        self.model_status = status

    def model_loading_text(self) -> str:
        """'loading SmolLM2 … 3 s' while the model loads (in this app's worker, or for a demo
        that asked for it first), else ''."""
        if self.model_loading_since is not None:
            seconds: float | None = self.clock() - self.model_loading_since
        else:
            # Never imported here: an import in this thread while a worker imports the engine
            # can hand one of them a half-initialised module. Not imported yet: nothing loads.
            shipped = sys.modules.get("studybuddy.demos.shipped")
            seconds = shipped.loading_seconds() if shipped is not None else None
        return "" if seconds is None else f"loading SmolLM2 … {seconds:.0f} s"

    def on_projector_wanted(self, message: ProjectorWanted) -> None:
        """The host's `p`: the quiz-night projector view over the host's screen."""
        from studybuddy.tui.screens.night_projector import NightProjectorScreen

        self.push_screen(NightProjectorScreen(message.night), lambda _: message.back())

    def first_screen(self) -> Screen:
        from studybuddy.tui.screens.home import HomeScreen

        return HomeScreen()

    def start_set(self, study: StudySet) -> None:
        from studybuddy.tui.screens.quiz import QuizScreen

        if not study.question_ids:
            self.notify("Nothing to ask here right now.", timeout=3)
            return
        self.push_screen(QuizScreen(study))

    def switch_profile(self, name: str) -> bool:
        """Study as `name` (created if new, remembered for the next launch); False if the
        database refused, after saying why."""
        chosen = self.read(lambda: self.session.switch_learner(name), None)
        if chosen is None:
            return False
        self.notify(f"Studying as {chosen}.", timeout=3)
        return True

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
        """Quit, unless answers the database has not taken yet could still be saved."""
        store = self.session.opened_store
        if store is not None and store.unsaved and not self._quit_anyway:
            try:
                store.flush()
            except StudyBuddyError:
                pass
            if store.unsaved:
                self._quit_anyway = True
                count = store.unsaved
                self.notify(
                    f"{count} answer{'s' if count != 1 else ''} not saved yet: the database "
                    "does not take them now. Fix that and try again, or press Ctrl+Q again: "
                    "they are then kept in a recovery file and saved the next time "
                    "StudyBuddy opens this database.",
                    severity="error",
                    timeout=20,
                )
                return
        self.exit()

    def on_unmount(self) -> None:
        self.session.close()


def make_app(
    database: str, profile: str | None = None, banks_dir: Path | None = None
) -> StudyBuddyApp:
    """The one way to build the app, used by the CLI and by the tests. Without `profile` it
    studies as the learner last chosen on this database (or its only one), or asks."""
    return StudyBuddyApp(database=database, profile=profile, banks_dir=banks_dir)
