"""Home: the banks' chapters, with how many questions of each the learner has got right."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from studybuddy.banks.models import Chapter


def chapter_key(bank_id: str, chapter_id: str) -> str:
    return f"{bank_id}/{chapter_id}"


def _prompt(chapter: Chapter, right: int | None) -> str:
    total = len(chapter.questions)
    progress = "…" if right is None else f"{right}/{total} answered correctly"
    return f"{chapter.title}  [dim]{total} questions · {progress}[/]"


class HomeScreen(Screen[None]):
    BINDINGS = [("enter", "open_chapter", "Study chapter")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            f"Learner: {self.app.profile}   Pick a chapter and press Enter.", id="home-title"
        )
        yield Static("", id="bank-problems")
        yield OptionList(id="chapters")
        yield Footer()

    @property
    def chapter_list(self) -> OptionList:
        return self.query_one("#chapters", OptionList)

    def on_mount(self) -> None:
        result = self.app.banks
        options = [
            Option(_prompt(chapter, None), id=chapter_key(bank.id, chapter.id))
            for bank in result.banks
            for chapter in bank.chapters
        ]
        self.chapter_list.add_options(options)
        if options:
            self.chapter_list.highlighted = 0
        if result.problems:
            shown = "\n".join(str(p) for p in result.problems[:5])
            more = len(result.problems) - 5
            extra = f"\n… and {more} more (run `studybuddy banks validate`)" if more > 0 else ""
            self.query_one("#bank-problems", Static).update(
                f"Some banks have errors and were skipped:\n{shown}{extra}"
            )
        self.refresh_progress()

    @work(thread=True, exclusive=True, group="progress")
    def refresh_progress(self) -> None:
        from studybuddy.store import StoreError

        try:
            store = self.app.store
            counts = {}
            for bank in self.app.banks.banks:
                for chapter in bank.chapters:
                    ids = [q.id for q in chapter.questions]
                    counts[chapter_key(bank.id, chapter.id)] = (
                        chapter,
                        len(store.correctly_answered(self.app.profile, ids)),
                    )
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        self.app.call_from_thread(self._show_counts, counts)

    def _show_counts(self, counts: dict[str, tuple[Chapter, int]]) -> None:
        for key, (chapter, right) in counts.items():
            self.chapter_list.replace_option_prompt(key, _prompt(chapter, right))

    def on_screen_resume(self) -> None:
        self.refresh_progress()

    @on(OptionList.OptionSelected, "#chapters")
    def _chapter_chosen(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id)

    def action_open_chapter(self) -> None:
        option = self.chapter_list.highlighted_option
        if option is not None:
            self._open(option.id)

    def _open(self, key: str | None) -> None:
        from studybuddy.tui.screens.quiz import QuizScreen

        if key is None:
            return
        bank_id, chapter_id = key.split("/", 1)
        bank = next(b for b in self.app.banks.banks if b.id == bank_id)
        self.app.push_screen(QuizScreen(bank, bank.chapter(chapter_id)))
