"""Settings (retention, theme, where data lives, the fitted memory model) and the learner
picker."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from studybuddy.errors import StudyBuddyError
from studybuddy.tui.screens.base import StudyModalScreen, StudyScreen
from studybuddy.tui.widgets.memory import figure as _figure
from studybuddy.tui.widgets.memory import model_words

if TYPE_CHECKING:
    from studybuddy.memory.service import Model, OptimizeResult


class SettingsScreen(StudyScreen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="settings.back"),
        Binding("ctrl+t", "app.toggle_dark", "Dark/light", id="settings.theme"),
        Binding("ctrl+o", "optimize", "Optimize", id="settings.optimize"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.fitting = False
        self._fit_started = 0.0
        self._fit_timer: Timer | None = None
        self._fits = 0

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
            yield Static("[b]Your memory model[/]", id="memory-heading")
            yield Static("Reading your fitted parameters…", id="model-status")
            with Horizontal(id="fit-actions"):
                yield Button("Optimize my schedule", id="optimize", variant="primary")
                yield Button("Revert", id="revert")
            yield ProgressBar(id="fit-progress", total=None, show_percentage=False, show_eta=False)
            yield Static("", id="fit-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#fit-progress").display = False
        self.query_one("#revert", Button).disabled = True
        self.load_retention()
        self.load_model()

    @work(thread=True, exclusive=True, group="settings-model")
    def load_model(self) -> None:
        app = self.app
        if app.session.profile is None:  # first launch: the picker has not been answered
            app.call_from_thread(
                self.query_one("#model-status", Static).update,
                "No learner yet: pick one (l on the home screen) to see their model.",
            )
            return
        found = app.read(lambda: (app.session.memory_model(), app.session.reviews_for_fit()), None)
        if found is not None:
            app.call_from_thread(self._show_model, *found)

    def _show_model(self, model: Model, counted: int) -> None:
        if not self.is_attached:
            return
        self._fits = model.fits
        self.query_one("#model-status", Static).update(model_words(model, counted))
        self.query_one("#revert", Button).disabled = self.fitting or not model.fits

    # -- fitting: fsrs's Optimizer in a thread (a minute on 2,000 reviews) ---------------------
    def action_optimize(self) -> None:
        if self.fitting:
            self.notify("A fit is already running.", timeout=3)
            return
        if self.app.session.profile is None:
            self.notify("Pick a learner first (l on the home screen).", timeout=4)
            return
        self._set_fitting(True)
        self.query_one("#fit-status", Static).update(self._elapsed_words())
        self._fit_timer = self.set_interval(1.0, self._tick)
        self.run_fit()

    def _set_fitting(self, running: bool) -> None:
        self.fitting = running
        self.query_one("#optimize", Button).disabled = running
        self.query_one("#revert", Button).disabled = running or not self._fits
        progress = self.query_one("#fit-progress", ProgressBar)
        progress.display = running
        self._fit_started = time.monotonic()
        if not running and self._fit_timer is not None:
            self._fit_timer.stop()
            self._fit_timer = None

    def _elapsed_words(self) -> str:
        # fsrs's Optimizer reports progress only through its own tqdm bar on stderr, so
        # the bar here says "working" and the clock how long, never a made-up percentage
        seconds = round(time.monotonic() - self._fit_started)
        return (
            f"Fitting fsrs's parameters to your reviews… {seconds} s "
            "[dim](a minute or more per 2,000 reviews; the app stays usable meanwhile)[/]"
        )

    def _tick(self) -> None:
        if self.fitting:
            self.query_one("#fit-status", Static).update(self._elapsed_words())

    @work(thread=True, exclusive=True, group="optimize", description="fitting fsrs")
    def run_fit(self) -> None:
        app = self.app
        try:
            result = app.session.optimize()
        except StudyBuddyError as exc:
            app.call_from_thread(self._fit_failed, str(exc))
            return
        except Exception as exc:  # the optimiser (torch, pandas) failing must not end the app
            app.call_from_thread(self._fit_failed, f"fsrs's optimiser failed: {exc}")
            return
        app.call_from_thread(self._fit_done, result)

    def _fit_failed(self, message: str) -> None:
        if not self.is_attached:  # the learner left Settings meanwhile
            self.app.notify(message, severity="warning", timeout=10)
            return
        self._set_fitting(False)
        self.query_one("#fit-status", Static).update(f"[$warning]{escape(message)}[/]")

    def _fit_done(self, result: OptimizeResult) -> None:
        fit = result.fit
        words = (
            f"Fitted to {fit.reviews:,} reviews: log loss {_figure(fit.before.log_loss)} → "
            f"{_figure(fit.after.log_loss)}, RMSE {_figure(fit.before.rmse)} → "
            f"{_figure(fit.after.rmse)} (fsrs's defaults → fitted, on the same reviews; lower "
            f"is better). {result.rescheduled} questions rescheduled; Revert undoes it."
        )
        if not self.is_attached:
            self.app.notify(words, title="Schedule optimized", timeout=30)
            return
        self._set_fitting(False)
        self.query_one("#fit-status", Static).update(f"[$success]{words}[/]")
        self.load_model()

    @on(Button.Pressed, "#optimize")
    def _optimize_pressed(self) -> None:
        self.action_optimize()

    @on(Button.Pressed, "#revert")
    def _revert_pressed(self) -> None:
        if not self.fitting:
            self.query_one("#revert", Button).disabled = True
            self.run_revert()

    @work(thread=True, exclusive=True, group="optimize", description="reverting the fit")
    def run_revert(self) -> None:
        app = self.app
        try:
            model, cards = app.session.revert_fit()
        except StudyBuddyError as exc:
            app.call_from_thread(self._fit_failed, str(exc))
            return
        now_using = (
            f"the fit of {model.fit.fitted_at.astimezone():%Y-%m-%d}"
            if model.fit
            else "fsrs's default parameters"
        )
        words = f"Last fit undone: now using {now_using}; {cards} questions rescheduled."
        app.call_from_thread(self._reverted, words)

    def _reverted(self, words: str) -> None:
        if self.is_attached:
            self.query_one("#fit-status", Static).update(words)
            self.load_model()

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
