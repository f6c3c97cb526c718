"""A yes/no question over the screen, for steps that cannot be undone (leaving a running night)."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from studybuddy.tui.screens.base import StudyModalScreen


class ConfirmScreen(StudyModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 90%; max-width: 70; height: auto;
        border: round $warning; background: $panel; padding: 1 2;
    }
    ConfirmScreen #confirm-keys { padding-top: 1; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]{escape(self.question)}[/]", id="confirm-question")
            if self.detail:
                yield Static(escape(self.detail), id="confirm-detail")
            yield Static("[b]y[/]: yes, leave · [b]n[/] or [b]Esc[/]: no, stay", id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
