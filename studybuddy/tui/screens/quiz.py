"""Quiz: one question at a time, graded on the spot, recorded before the next one shows."""

from __future__ import annotations

import time

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static

from studybuddy.banks.grading import grade
from studybuddy.banks.models import Bank, Chapter, MultipleChoice


class QuizScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("s", "show_me", "Show me"),
        Binding("n", "next", "Next"),
        *[Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10)],
    ]

    def __init__(self, bank: Bank, chapter: Chapter) -> None:
        super().__init__()
        self.bank = bank
        self.chapter = chapter
        # Only multiple choice is quizzed here yet; the other types come with the full TUI.
        self.questions = [q for q in chapter.questions if isinstance(q, MultipleChoice)]
        self.index = 0
        self.answered = False
        self.started = time.monotonic()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="quiz-position")
        with VerticalScroll():
            yield Static(id="prompt")
            yield OptionList(id="options")
            yield Static(id="feedback")
        yield Footer()

    @property
    def question(self) -> MultipleChoice:
        return self.questions[self.index]

    @property
    def options(self) -> OptionList:
        return self.query_one("#options", OptionList)

    @property
    def feedback(self) -> Static:
        return self.query_one("#feedback", Static)

    def on_mount(self) -> None:
        self.show_question()

    def show_question(self) -> None:
        question = self.question
        self.answered = False
        self.started = time.monotonic()
        self.query_one("#quiz-position", Static).update(
            f"{escape(self.chapter.title)} — question {self.index + 1} of {len(self.questions)}"
        )
        self.query_one("#prompt", Static).update(escape(question.prompt))
        self.options.clear_options()
        self.options.add_options(
            [f"{n}. {escape(text)}" for n, text in enumerate(question.options, start=1)]
        )
        self.options.disabled = False
        self.options.highlighted = 0
        self.options.focus()
        self.feedback.display = False
        self.feedback.remove_class("correct", "wrong")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_me":
            return self.answered and self.question.show_me is not None
        if action == "next":
            return self.answered
        if action == "pick":
            return not self.answered
        return True

    def action_pick(self, index: int) -> None:
        if index < len(self.question.options):
            self.submit(index)

    @on(OptionList.OptionSelected, "#options")
    def _option_chosen(self, event: OptionList.OptionSelected) -> None:
        if not self.answered:
            self.submit(event.option_index)

    def submit(self, choice: int) -> None:
        question = self.question
        seconds = time.monotonic() - self.started
        result = grade(question, [choice])
        self.app.store.record_attempt(
            self.app.profile,
            question_id=question.id,
            bank_id=self.bank.id,
            bank_version=self.bank.version,
            answer=[choice],
            correct=result.correct,
            score=result.score,
            seconds=round(seconds, 2),
            mode="study",
        )
        self.answered = True
        self.options.disabled = True
        verdict = "[b green]Right![/]" if result.correct else "[b red]Not quite.[/]"
        right = "; ".join(escape(question.options[i]) for i in question.answer)
        lines = [verdict]
        if not result.correct:
            lines.append(f"Answer: {right}")
        lines.append(escape(question.explanation))
        if question.source:
            lines.append(f"[dim]Source: {escape(question.source)}[/]")
        hints = ["[dim]n: next question"]
        if question.show_me is not None:
            hints.append("s: show me the computation")
        lines.append(" · ".join(hints) + "[/]")
        self.feedback.update("\n\n".join(lines))
        self.feedback.add_class("correct" if result.correct else "wrong")
        self.feedback.display = True
        self.focus()
        self.refresh_bindings()

    def action_next(self) -> None:
        if self.index + 1 < len(self.questions):
            self.index += 1
            self.show_question()
        else:
            self.notify("Chapter finished. Well done!", timeout=4)
            self.app.pop_screen()

    def action_show_me(self) -> None:
        from studybuddy.tui.screens.show_me import ShowMeScreen

        show_me = self.question.show_me
        if show_me is not None:
            self.app.push_screen(ShowMeScreen(show_me.demo, dict(show_me.params)))
