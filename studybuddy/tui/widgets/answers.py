"""One answer widget per question type. Each turns what the learner did into a grading response.

Every widget posts `AnswerSubmitted` when the learner commits to an answer; the quiz screen grades
it. `response()` raises `IncompleteAnswer` with a hint when there is nothing to grade yet.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, ListItem, ListView, OptionList, TextArea

from studybuddy.banks.models import (
    AnyQuestion,
    Cloze,
    MultipleChoice,
    Numeric,
    Ordering,
    ShortAnswer,
    TrueFalse,
)
from studybuddy.errors import StudyBuddyError
from studybuddy.tui.widgets.toggles import TickList


class IncompleteAnswer(StudyBuddyError, ValueError):
    """Nothing to grade yet; the message tells the learner what is missing."""


class AnswerSubmitted(Message):
    """The learner committed to an answer."""


class AnswerWidget(Vertical):
    """Base: `response()` for the grader, `freeze()` once graded, and a key hint for the footer."""

    DEFAULT_CSS = """
    AnswerWidget { height: auto; margin: 0 2; }
    AnswerWidget .hint { color: $text-muted; }
    AnswerWidget TextArea { height: 6; }
    AnswerWidget OptionList, AnswerWidget SelectionList, AnswerWidget ListView {
        height: auto; max-height: 14;
    }
    AnswerWidget Input { width: 60; }
    AnswerWidget Label { width: 1fr; }
    """
    hint = ""

    def response(self) -> Any:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def focus_input(self) -> None:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def freeze(self) -> None:
        for child in self.query("*"):
            child.disabled = True

    def submit(self) -> None:
        self.post_message(AnswerSubmitted())


class _NumberedOptions(OptionList):
    BINDINGS = [Binding(str(n), f"choose({n - 1})", show=False) for n in range(1, 10)]

    def action_choose(self, index: int) -> None:
        if index < self.option_count and not self.disabled:
            self.highlighted = index
            self.action_select()


class SingleChoiceAnswer(AnswerWidget):
    hint = "1-9 or ↑↓ + Enter to answer"

    def __init__(self, options: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.options = options
        self.chosen: int | None = None

    def compose(self) -> ComposeResult:
        yield _NumberedOptions(
            *[f"{n}. {escape(text)}" for n, text in enumerate(self.options, start=1)],
            id="choices",
        )

    def on_mount(self) -> None:
        choices = self.query_one(_NumberedOptions)
        choices.highlighted = 0

    def focus_input(self) -> None:
        self.query_one(_NumberedOptions).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.chosen = event.option_index
        self.submit()

    def response(self) -> Any:
        if self.chosen is None:
            raise IncompleteAnswer("pick an option")
        return [self.chosen]


class TrueFalseAnswer(SingleChoiceAnswer):
    hint = "1/t true · 2/f false"
    BINDINGS = [Binding("t", "pick(0)", show=False), Binding("f", "pick(1)", show=False)]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(["True", "False"], **kwargs)

    def action_pick(self, index: int) -> None:
        self.query_one(_NumberedOptions).action_choose(index)

    def response(self) -> bool:
        if self.chosen is None:
            raise IncompleteAnswer("choose true or false")
        return self.chosen == 0


class _Toggles(TickList[int]):  # marks only the options picked (Textual marks every one)
    BINDINGS = [
        Binding("enter", "submit", "Submit", show=False),
        *[Binding(str(n), f"toggle_number({n - 1})", show=False) for n in range(1, 10)],
    ]

    def action_toggle_number(self, index: int) -> None:
        if index < self.option_count and not self.disabled:
            self.toggle(index)

    def action_submit(self) -> None:
        parent = self.parent
        if isinstance(parent, AnswerWidget):
            parent.submit()


class MultipleChoiceAnswer(AnswerWidget):
    hint = "several are correct: 1-9 or Space toggle · Enter submits"

    def __init__(self, options: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.options = options

    def compose(self) -> ComposeResult:
        yield Label("Select every correct option.", classes="hint")
        yield _Toggles(
            *[(f"{n}. {escape(text)}", n - 1) for n, text in enumerate(self.options, start=1)],
            id="toggles",
        )

    def focus_input(self) -> None:
        self.query_one(_Toggles).focus()

    def response(self) -> list[int]:
        chosen = sorted(self.query_one(_Toggles).selected)
        if not chosen:
            raise IncompleteAnswer("select at least one option")
        return chosen


class NumericAnswer(AnswerWidget):
    hint = "type a number · Enter submits"

    def __init__(self, unit: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.unit = unit

    def compose(self) -> ComposeResult:
        unit = f" (unit: {escape(self.unit)})" if self.unit else ""
        yield Label(f"Your answer{unit}:", classes="hint")
        yield Input(placeholder="e.g. 0.65, 6.5e-1 or 65%", id="number")

    def focus_input(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def response(self) -> str:
        text = self.query_one(Input).value.strip()
        if not text:
            raise IncompleteAnswer("type a number first")
        return text


class _ShortText(TextArea):
    BINDINGS = [Binding("ctrl+s", "submit", "Submit", show=True)]

    def action_submit(self) -> None:
        parent = self.parent
        if isinstance(parent, AnswerWidget):
            parent.submit()


class ShortAnswerInput(AnswerWidget):
    hint = "write your answer · Ctrl+S submits"

    def compose(self) -> ComposeResult:
        yield Label("Your answer (Ctrl+S to submit):", classes="hint")
        yield _ShortText(id="short-text", placeholder="In your own words…")

    def focus_input(self) -> None:
        self.query_one(_ShortText).focus()

    def response(self) -> str:
        text = self.query_one(_ShortText).text.strip()
        if not text:
            raise IncompleteAnswer("write an answer first (or a guess: you will see the model one)")
        return text


class ClozeAnswer(AnswerWidget):
    hint = "fill each blank · Enter moves on, Enter on the last submits"

    def __init__(self, question: Cloze, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.blank_count = len(question.blanks)

    def compose(self) -> ComposeResult:
        shown = self.question.gapped(lambda n: f"[b]__({n})__[/b]", escape)
        yield Label(shown, id="cloze-text")
        for number in range(1, self.blank_count + 1):
            yield Input(placeholder=f"blank ({number})", id=f"blank-{number}")

    def focus_input(self) -> None:
        self.query_one("#blank-1", Input).focus()

    @on(Input.Submitted)
    def _next_blank(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
        else:
            self.submit()

    def response(self) -> list[str]:
        values = [i.value.strip() for i in self.query(Input)]
        if not any(values):
            raise IncompleteAnswer("fill in the blanks first")
        return values


class _StepList(ListView):
    BINDINGS = [
        Binding("shift+up,u", "move(-1)", "Move up"),
        Binding("shift+down,d", "move(1)", "Move down"),
        Binding("enter", "submit", "Submit order"),
    ]

    def action_move(self, offset: int) -> None:
        parent = self.parent
        if isinstance(parent, OrderingAnswer) and not self.disabled:
            parent.move(offset)

    def action_submit(self) -> None:
        parent = self.parent
        if isinstance(parent, AnswerWidget):
            parent.submit()


class OrderingAnswer(AnswerWidget):
    hint = "↑↓ select · u/d (or Shift+↑↓) move · Enter submits"

    def __init__(self, question: Ordering, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.steps = question.steps
        self.order = question.shown_order()

    def compose(self) -> ComposeResult:
        yield Label("Put the steps in order.", classes="hint")
        yield _StepList(*self._items(), id="steps")

    def _items(self) -> list[ListItem]:
        return [ListItem(Label(escape(self.steps[i]))) for i in self.order]

    def focus_input(self) -> None:
        self.query_one(_StepList).focus()

    def move(self, offset: int) -> None:
        steps = self.query_one(_StepList)
        index = steps.index or 0
        target = index + offset
        if not 0 <= target < len(self.order):
            return
        self.order[index], self.order[target] = self.order[target], self.order[index]
        steps.clear()
        steps.extend(self._items())
        steps.index = target

    def response(self) -> list[int]:
        return list(self.order)


def answer_widget_for(question: AnyQuestion) -> AnswerWidget:
    """The right input for a question's type."""
    if isinstance(question, MultipleChoice):
        if question.several_correct:
            return MultipleChoiceAnswer(question.options, id="answer")
        return SingleChoiceAnswer(question.options, id="answer")
    if isinstance(question, TrueFalse):
        return TrueFalseAnswer(id="answer")
    if isinstance(question, Numeric):
        return NumericAnswer(question.unit, id="answer")
    if isinstance(question, ShortAnswer):
        return ShortAnswerInput(id="answer")
    if isinstance(question, Cloze):
        return ClozeAnswer(question, id="answer")
    if isinstance(question, Ordering):
        return OrderingAnswer(question, id="answer")
    raise TypeError(f"no answer widget for {type(question).__name__}")


__all__ = [
    "AnswerSubmitted",
    "AnswerWidget",
    "IncompleteAnswer",
    "Widget",
    "answer_widget_for",
]
