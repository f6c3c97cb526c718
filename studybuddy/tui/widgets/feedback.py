"""The feedback panel shown after grading: verdict, right answer, explanation, source."""

from __future__ import annotations

from fsrs import Rating
from rich.markup import escape
from textual.widgets import Static

from studybuddy.banks.grading import Grade
from studybuddy.banks.models import (
    AnyQuestion,
    Cloze,
    Numeric,
    Ordering,
    ShortAnswer,
)


def correct_answer_text(question: AnyQuestion) -> str:
    """The right answer in words, whatever the question type (each type says it)."""
    return question.answer_text()


def feedback_markup(question: AnyQuestion, grade: Grade, suggested: str | None = None) -> str:
    if grade.needs_confirmation:
        verdict = "[b]Compare your answer with the model answer.[/]"
    elif grade.correct:
        verdict = "[b green]Right![/]"
    elif grade.score > 0:
        verdict = f"[b yellow]Partly right ({grade.score:.0%}).[/]"
    else:
        verdict = "[b red]Not quite.[/]"
    lines = [verdict]
    # The grader's feedback for numbers, blanks and orderings already states the right answer
    # (and the partial credit); for the other types we state it ourselves.
    states_answer = isinstance(question, Numeric | Cloze | Ordering)
    if grade.feedback and states_answer and not grade.correct:
        lines.append(escape(grade.feedback))
    label = "Model answer" if isinstance(question, ShortAnswer) else "Answer"
    if isinstance(question, ShortAnswer) or (not grade.correct and not states_answer):
        lines.append(f"[b]{label}:[/] {escape(correct_answer_text(question))}")
    hit = grade.details.get("covered") or grade.details.get("hit")
    missed = grade.details.get("missing")
    if hit or missed:
        if hit:
            lines.append("[green]Key points you covered:[/] " + escape("; ".join(map(str, hit))))
        if missed:
            lines.append("[yellow]Key points to add:[/] " + escape("; ".join(map(str, missed))))
    for wrong in grade.details.get("misconceptions") or []:
        lines.append(
            f"[red]Contradicted:[/] {escape(str(wrong['point']))}: you wrote "
            f"“{escape(str(wrong['evidence']))}”, but {escape(str(wrong['why']))}"
        )
    lines.append(escape(question.explanation))
    if question.source:
        lines.append(f"[dim]Source: {escape(question.source)}[/]")
    if grade.needs_confirmation:
        keys = "  ".join(
            f"[b]{rating.value}[/] {rating.name}"
            + (" [dim](suggested)[/]" if rating.name.lower() == suggested else "")
            for rating in Rating  # fsrs's Again, Hard, Good, Easy, numbered 1-4 as the keys
        )
        lines.append(f"How well did you know it?  {keys}")
    return "\n\n".join(lines)


class FeedbackPanel(Static):
    DEFAULT_CSS = """
    FeedbackPanel {
        height: auto;
        margin: 1 2;
        padding: 0 1;
        border: round $primary;
    }
    FeedbackPanel.correct { border: round $success; }
    FeedbackPanel.wrong { border: round $error; }
    FeedbackPanel.partial { border: round $warning; }
    """

    def show_grade(self, question: AnyQuestion, grade: Grade, suggested: str | None = None) -> None:
        self.remove_class("correct", "wrong", "partial")
        if not grade.needs_confirmation:
            kind = "correct" if grade.correct else "partial" if grade.score > 0 else "wrong"
            self.add_class(kind)
        self.update(feedback_markup(question, grade, suggested))
        self.display = True
