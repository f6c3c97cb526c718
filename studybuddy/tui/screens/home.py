"""Home: banks and chapters with mastery and due counts, and the ways into studying."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from studybuddy.errors import StudyBuddyError
from studybuddy.tui.screens.base import NARROW, StudyScreen
from studybuddy.tui.widgets.bars import mastery_bar

if TYPE_CHECKING:
    from studybuddy.banks.loader import LoadResult
    from studybuddy.study.session import ChapterProgress
    from studybuddy.study.sets import StudySet


@dataclass(frozen=True)
class ChapterRow:
    key: str
    bank_title: str
    title: str
    bank_short_title: str
    total: int
    right: int | None = None
    mastery: float | None = None
    due: int | None = None


class HomeScreen(StudyScreen[None]):
    BINDINGS = [
        Binding(
            "enter",
            "study",
            "Study",
            tooltip="Study the chapter, a section at a time",
            id="home.study",
            priority=True,
        ),
        Binding("r", "review", "Review", tooltip="Review due questions", id="home.review"),
        # c and l are told on the status line (when there is a set to resume, beside the
        # learner's name), which leaves the footer room for the rest at 80 columns
        Binding("c", "resume", "Resume", show=False, id="home.resume"),
        Binding("p", "progress", "Progress", id="home.progress"),
        Binding("d", "demos", "Demos", id="home.demos"),
        Binding("g", "night", "Quiz night", id="home.night"),
        Binding("l", "learner", "Learner", show=False, id="home.learner"),
        Binding("o", "settings", "Settings", id="home.settings"),
        # the evening before a reading group: the highlighted chapter's questions early
        Binding(
            "a",
            "ahead",
            "Ahead",
            tooltip="Review the chapter before the meeting, least remembered first",
            id="home.ahead",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, ChapterRow] = {}
        self.banks_loaded = False
        self.due_ids: list[str] = []
        self.has_open_set = False
        self.open_sets = 0
        self.learner_known = False  # confirmed against the database by the first refresh

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="home-status")
        yield Static("", id="bank-problems")
        yield DataTable(id="chapters", cursor_type="row", zebra_stripes=True)
        yield Footer()

    @property
    def table(self) -> DataTable:
        return self.query_one("#chapters", DataTable)

    def on_mount(self) -> None:
        self.query_one("#bank-problems", Static).display = False
        self.query_one("#home-status", Static).update("Loading your question banks…")
        self.load_banks()

    @work(thread=True, exclusive=True, group="banks", description="loading banks")
    def load_banks(self) -> None:
        result = self.app.session.banks  # parsed and validated here, off the UI thread
        self.app.session.catalog  # noqa: B018  (built now so the first keypress does not wait for it)
        self.app.call_from_thread(self._show_banks, result)

    def _show_banks(self, result: LoadResult) -> None:
        from studybuddy.study.catalog import shelf_order

        for bank in shelf_order(result.banks):
            for chapter in bank.chapters:
                key = f"{bank.id}/{chapter.id}"
                self.rows[key] = ChapterRow(
                    key,
                    bank.title,
                    chapter.title,
                    bank.short_title or bank.title,
                    len(chapter.questions),
                )
        self.banks_loaded = True
        self._fill_table()
        self.table.focus()
        if result.problems:
            shown = "\n".join(escape(str(p)) for p in result.problems[:4])
            more = len(result.problems) - 4
            extra = f"\n… and {more} more (run `studybuddy banks validate`)" if more > 0 else ""
            problems = self.query_one("#bank-problems", Static)
            problems.update(f"[b]Some banks have errors; the rest loaded:[/]\n{shown}{extra}")
            problems.display = True
        self._update_status()
        self.refresh_progress()

    def on_resize(self) -> None:
        self._fill_table()
        if self.banks_loaded:
            self._update_status()

    def _fill_table(self) -> None:
        table = self.table
        cursor = table.cursor_row
        table.clear(columns=True)
        # Bank and chapter titles share what the fixed columns leave of the width; a narrow
        # terminal gets a shorter mastery bar so the titles keep some room.
        bar = 10 if self.size.width >= NARROW else 5
        free = max(30, self.size.width - 40 - bar)
        bank_width, chapter_width = free * 2 // 5, free - free * 2 // 5
        table.add_column("Bank", width=bank_width)
        table.add_column("Chapter", width=chapter_width)
        table.add_column("Qs", width=4)
        table.add_column("Mastery", width=bar + 5)
        table.add_column("Right", width=7)
        table.add_column("Due", width=4)
        previous_bank = None
        for key, row in self.rows.items():
            # a bank's title where it fits, else its short title (each bank's its own words,
            # not six "Build an LLM from Scratch: …" cut alike)
            shown = row.bank_title if len(row.bank_title) <= bank_width else row.bank_short_title
            bank = "" if row.bank_title == previous_bank else shown
            previous_bank = row.bank_title
            table.add_row(
                Text(bank, overflow="ellipsis", no_wrap=True, style="bold"),
                Text(row.title, overflow="ellipsis", no_wrap=True),
                str(row.total),
                mastery_bar(row.mastery, bar),
                "…" if row.right is None else f"{row.right}/{row.total}",
                "…" if row.due is None else (str(row.due) if row.due else "-"),
                key=key,
            )
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))

    def _update_status(self) -> None:
        due = len(self.due_ids)
        learner = self.app.profile
        parts = [
            f"Learner [b]{escape(learner)}[/] ([b]l[/] switches)"
            if learner
            else "No learner yet ([b]l[/] picks one)"
        ]
        parts.append(f"{due} due for review" if due else "nothing due")
        if self.open_sets == 1:
            parts.append("[b]c[/] resumes your unfinished set")
        elif self.open_sets:
            parts.append(f"[b]c[/] resumes one of {self.open_sets} unfinished sets")
        if self.size.width >= NARROW:  # the footer says as much where the line is short
            parts.append("Enter: study · ?: help")
        self.query_one("#home-status", Static).update("  ·  ".join(parts))

    @work(thread=True, exclusive=True, group="progress", description="loading progress")
    def refresh_progress(self) -> None:
        app, session = self.app, self.app.session
        try:
            if not self.learner_known:
                if session.choose_learner() is None:  # first launch, or several and none chosen
                    app.call_from_thread(self._ask_learner, True)
                    return
                self.learner_known = True
            store = session.store
            if store.recovered:  # answers an earlier run could not save, saved just now
                count, store.recovered = store.recovered, 0
                note = f"Saved {count} answer{'s' if count != 1 else ''} kept from last time."
                app.call_from_thread(app.notify, note, timeout=8)
            due_ids = session.due_question_ids()
            progress = session.chapter_progress(due_ids)
            open_sets = session.open_sets()
        except StudyBuddyError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", timeout=20)
            return
        app.call_from_thread(self._show_progress, progress, due_ids, len(open_sets))

    def _show_progress(
        self, progress: dict[str, ChapterProgress], due_ids: list[str], open_sets: int
    ) -> None:
        for key, chapter in progress.items():
            if key in self.rows:
                self.rows[key] = replace(
                    self.rows[key], right=chapter.right, mastery=chapter.mastery, due=chapter.due
                )
        self.due_ids = due_ids
        self.open_sets = open_sets
        self.has_open_set = open_sets > 0
        self._fill_table()
        self._update_status()
        self.refresh_bindings()

    def on_screen_resume(self) -> None:
        if self.banks_loaded:
            self._update_status()
            self.refresh_progress()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resume":
            return self.has_open_set
        if action == "review":
            return True if self.due_ids else None  # shown dimmed when nothing is due
        return True

    # -- actions -------------------------------------------------------------------------------
    def _highlighted_key(self) -> str | None:
        if not self.rows:
            return None
        row_key, _ = self.table.coordinate_to_cell_key(self.table.cursor_coordinate)
        return row_key.value

    @on(DataTable.RowSelected, "#chapters")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_study()

    def action_study(self) -> None:
        """A chapter that fits in one set starts at once; a longer one offers its sections."""
        key = self._highlighted_key()
        if key is None:
            return
        from studybuddy.study.sections import chapter_sections
        from studybuddy.study.sets import study_set

        session = self.app.session
        seen = self.app.read(session.seen_question_ids, None)
        if seen is None:  # the database could not be read; the app has said why
            return
        _, chapter = session.catalog.find_chapter(key)
        sections = chapter_sections(chapter)
        if len(sections) == 1 and len(chapter.questions) <= (session.set_size or 1_000_000):
            self.app.start_set(study_set(session.catalog, key, seen))
            return
        from studybuddy.tui.screens.sets import ChapterSetsScreen, SetChoice

        def chosen(choice: SetChoice | None) -> None:
            if choice is None:
                return
            session.set_size = choice.size
            self.app.start_set(
                study_set(session.catalog, key, seen, limit=choice.size, section=choice.section)
            )

        self.app.push_screen(
            ChapterSetsScreen(chapter.title, sections, seen, session.set_size), chosen
        )

    def action_review(self) -> None:
        from studybuddy.study.sets import review_set

        if not self.due_ids:
            self.notify("Nothing is due. Study a chapter, and reviews will follow.", timeout=4)
            return
        self.app.start_set(review_set(self.app.session.catalog, self.due_ids))

    def action_ahead(self) -> None:
        """The highlighted chapter's questions met before, least likely remembered first, as
        `studybuddy review --ahead`; saved as early reviews (fsrs keeps the schedule honest)."""
        key = self._highlighted_key()
        if key is None:
            return
        from studybuddy.study.sets import ahead_set

        session = self.app.session
        items = self.app.read(lambda: session.ahead_order(key), None)
        if items is None:  # the database could not be read; the app has said why
            return
        if not items:
            title = escape(session.chapter_title(key))
            self.notify(f"No question of {title} met yet: study it first (Enter).", timeout=4)
            return
        self.app.start_set(ahead_set(session.catalog, key, [item.question_id for item in items]))

    def action_resume(self) -> None:
        """The unfinished set, or a choice among them when there are several."""
        no_sets: list[StudySet] = []
        sets = self.app.read(self.app.session.open_sets, no_sets)
        if len(sets) == 1:
            self.app.start_set(sets[0])
        elif sets:
            from studybuddy.tui.screens.sets import OpenSetsScreen

            def chosen(study: StudySet | None) -> None:
                if study is not None:
                    self.app.start_set(study)

            self.app.push_screen(OpenSetsScreen(sets), chosen)

    def action_progress(self) -> None:
        from studybuddy.tui.screens.progress import ProgressScreen

        self.app.push_screen(ProgressScreen())

    def action_demos(self) -> None:
        from studybuddy.tui.screens.demos import DemoBrowserScreen

        self.app.push_screen(DemoBrowserScreen())

    def action_night(self) -> None:
        from studybuddy.tui.screens.night import NightSetupScreen

        self.app.push_screen(NightSetupScreen())

    def action_learner(self) -> None:
        self._ask_learner(False)

    def _ask_learner(self, first_launch: bool) -> None:
        from studybuddy.tui.screens.settings import LearnerScreen

        def switched(name: str | None) -> None:
            if name and self.app.switch_profile(name):
                self.learner_known = True
                self._update_status()
                self.refresh_progress()

        self.app.push_screen(LearnerScreen(first_launch), switched)

    def action_settings(self) -> None:
        from studybuddy.tui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen())
