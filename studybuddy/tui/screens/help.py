"""Help: what the current screen is for and every key it answers to."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from studybuddy.tui.screens.base import StudyModalScreen

SCREEN_HELP = {
    "HomeScreen": "Your banks and chapters. Mastery is the share of a chapter's questions you "
    "would recall today with at least {retention} probability (your desired retention, set "
    "in Settings); 'due' counts questions whose review "
    "date has come.",
    "QuizScreen": "Answer with the keys below. Every graded answer is saved at once; leave with "
    "Esc at any time and resume the set later from the home screen. Short answers are "
    "compared with the model answer and you rate yourself (1 Again … 4 Easy).",
    "ShowMeScreen": "The live computation behind the answer, run on our own engine: the real "
    "SmolLM2 model where it is installed (it loads in the background after start), else the "
    "bundled GPT. Change a parameter and press Enter to recompute.",
    "ProgressScreen": "Mastery by chapter, accuracy over time and the reviews coming up.",
    "DemoBrowserScreen": "Every live computation StudyBuddy can run. Enter opens one.",
    "SettingsScreen": "Your profile, desired retention for spaced repetition, and where your "
    "progress is stored.",
}


class HelpScreen(StudyModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80%; max-width: 100; height: 80%;
        border: round $primary; background: $panel; padding: 1 2;
    }
    """
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under
        # read now: once this modal is on top, the screen below no longer has active bindings
        self.bindings = list(under.active_bindings.items())

    def compose(self) -> ComposeResult:
        name = type(self.under).__name__
        lines = []
        seen = set()
        for _key, active in self.bindings:
            binding = active.binding
            # Our bindings carry ids; Textual's own (focus moves, copy) and widget-internal
            # cursor keys are noise here unless the widget asks to show them in the footer.
            if not binding.description or not (binding.id or binding.show):
                continue
            if binding.action in {"focus_next", "focus_previous", "app.focus_next"}:
                continue
            if (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            shown = binding.key_display or self.app.get_key_display(binding)
            # the footer's word, or the longer tooltip where a binding has one
            said = binding.tooltip or binding.description
            lines.append(f"[b]{escape(shown.ljust(10))}[/]  {escape(said)}")
        text = SCREEN_HELP.get(name, "")
        if "{retention}" in text:
            retention = self.app.read(self.app.session.desired_retention, 0.9)
            text = text.replace("{retention}", f"{round(100 * retention)} %")
        with VerticalScroll():
            yield Static(f"[b]{escape(name.removesuffix('Screen'))}[/]\n")
            yield Static(escape(text) + "\n", id="help-text")
            yield Static("\n".join(lines), id="help-keys")
            yield Static(
                "\n[dim]Ctrl+P opens the command palette: every action is there too. "
                "Ctrl+T switches dark/light. Ctrl+Q quits. Esc closes this help.[/]"
            )
