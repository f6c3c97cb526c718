"""The Textual app: a thin layer over banks, store and demos.

Start-up stays fast because nothing heavy is imported here: the store (SQLModel) opens in a
worker after the first frame, and torch loads only when a "show me" runs.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from studybuddy.banks.loader import LoadResult, bank_files, load_banks
from studybuddy.locations import question_banks_dir

if TYPE_CHECKING:
    from studybuddy.store import Store


class StudyBuddyApp(App[None]):
    TITLE = "StudyBuddy"
    SUB_TITLE = "LLMs from scratch, one question at a time"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
    ]

    def __init__(self, database: str, profile: str = "me", banks_dir: Path | None = None) -> None:
        super().__init__()
        self.database = database
        self.profile = profile
        self.banks_dir = banks_dir or question_banks_dir()
        self._store: Store | None = None
        self._store_lock = threading.Lock()
        self._banks: LoadResult | None = None

    @property
    def banks(self) -> LoadResult:
        if self._banks is None:
            self._banks = load_banks(bank_files(self.banks_dir))
        return self._banks

    @property
    def store(self) -> Store:
        """Opened on first use (a worker usually opens it right after the first frame)."""
        with self._store_lock:
            if self._store is None:
                from studybuddy.store import Store

                self._store = Store(self.database)
            return self._store

    def on_mount(self) -> None:
        from studybuddy.tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())

    def action_help(self) -> None:
        self.notify(
            "Number keys pick an option · Enter confirms · s shows the live computation · "
            "n next question · Esc goes back · Ctrl+Q quits",
            title="Keys",
            timeout=8,
        )

    def on_unmount(self) -> None:
        if self._store is not None:
            self._store.close()


def make_app(database: str, profile: str = "me", banks_dir: Path | None = None) -> StudyBuddyApp:
    """The one way to build the app, used by the CLI and by the tests."""
    return StudyBuddyApp(database=database, profile=profile, banks_dir=banks_dir)
