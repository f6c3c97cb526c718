"""Settings (retention, theme, where data lives) and the learner picker."""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from studybuddy.tui.screens.base import StudyModalScreen, StudyScreen


class SettingsScreen(StudyScreen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="settings.back"),
        Binding("ctrl+t", "app.toggle_dark", "Dark/light", id="settings.theme"),
    ]

    def compose(self) -> ComposeResult:
        app = self.app
        yield Header()
        with VerticalScroll(id="settings-body"):
            yield Static(
                f"[b]Learner:[/] {escape(app.profile)}  [dim](l on the home screen "
                "switches or creates learners)[/]"
            )
            yield Static(f"[b]Database:[/] {escape(app.session.database)}")
            yield Static(
                f"[b]Question banks:[/] {escape(str(app.session.banks_dir))} "
                f"({len(app.session.catalog)} questions in {len(app.session.banks.banks)} banks)"
            )
            yield Static(
                f"[b]Theme:[/] {escape(app.theme)}  [dim](Ctrl+T toggles)[/]", id="theme-line"
            )
            yield Label(
                "Desired retention (0.70 to 0.99): the recall probability reviews aim "
                "for. Higher means more frequent reviews."
            )
            yield Input(id="retention", placeholder="0.90", restrict=r"[0-9.]*")
            yield Static("", id="retention-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load_retention()

    @work(thread=True, exclusive=True, group="settings")
    def load_retention(self) -> None:
        value = self.app.read(self.app.session.desired_retention, None)
        self.app.call_from_thread(self._show_retention, value)

    def _show_retention(self, value: float | None) -> None:
        if value is not None:
            self.query_one("#retention", Input).value = f"{value:.2f}"

    def watch_theme(self) -> None:  # pragma: no cover - cosmetic
        self.query_one("#theme-line", Static).update(f"[b]Theme:[/] {escape(self.app.theme)}")

    @on(Input.Submitted, "#retention")
    def _retention(self, event: Input.Submitted) -> None:
        status = self.query_one("#retention-status", Static)
        try:
            value = float(event.value)
        except ValueError:
            status.update("[red]Type a number between 0.70 and 0.99, e.g. 0.90.[/]")
            return
        if not 0.7 <= value <= 0.99:
            status.update(f"[red]{value} is outside 0.70 to 0.99.[/]")
            return
        saved = self.app.read(lambda: self.app.session.set_desired_retention(value), None)
        if saved is not None:
            status.update(f"[green]Saved: reviews now aim for {value:.0%} recall.[/]")
        else:
            status.update("[red]Not saved: the progress database cannot be written.[/]")


class LearnerScreen(StudyModalScreen[str | None]):
    """Pick an existing learner or type a new name; with no learner yet, a welcome asking for
    a name (never an empty list)."""

    DEFAULT_CSS = """
    LearnerScreen { align: center middle; }
    LearnerScreen > Vertical {
        width: 60; max-width: 100%; height: auto; max-height: 80%;
        border: round $primary; background: $panel; padding: 1 2;
    }
    LearnerScreen OptionList { height: auto; max-height: 12; }
    LearnerScreen Label { width: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, first_launch: bool = False) -> None:
        super().__init__()
        self.first_launch = first_launch

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Loading learners…", id="learner-question")
            yield OptionList(id="learners")
            yield Input(placeholder="your name", id="new-learner", max_length=40)

    def on_mount(self) -> None:
        self.query_one("#learners", OptionList).display = False
        self.load()

    @work(thread=True, exclusive=True, group="learners")
    def load(self) -> None:
        names: list[str] = self.app.read(self.app.session.learner_names, [])
        self.app.call_from_thread(self._show, names)

    def _show(self, names: list[str]) -> None:
        question = self.query_one("#learner-question", Label)
        learners = self.query_one("#learners", OptionList)
        learners.clear_options()
        learners.add_options([Option(escape(n), id=n) for n in names])
        learners.display = bool(names)
        if names:
            question.update("[b]Who is studying?[/] Enter picks a learner, or type a new name.")
            self.query_one("#new-learner", Input).placeholder = "a new learner's name"
            current = self.app.session.profile
            learners.highlighted = names.index(current) if current in names else 0
            learners.focus()
        else:
            question.update(
                "[b]Welcome to StudyBuddy![/] What is your name? It keeps your progress "
                "apart from other learners' on this computer."
            )
            self.query_one("#new-learner", Input).focus()

    def action_cancel(self) -> None:
        if self.first_launch:
            self.notify("Type a name and press Enter (Ctrl+Q quits).", timeout=4)
            return
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#learners")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Input.Submitted, "#new-learner")
    def _typed(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.notify("Type a name first.", severity="warning", timeout=3)
            return
        self.dismiss(name)
