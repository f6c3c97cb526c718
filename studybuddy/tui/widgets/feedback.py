"""The feedback panel shown after grading: verdict, right answer, explanation, source."""

from __future__ import annotations

from typing import Any

from fsrs import Rating
from rich.markup import escape
from textual.widgets import Static

from studybuddy.banks.grading import Grade
from studybuddy.banks.models import AnyQuestion, Review

# how the marks of a reviewed answer look here (the model says which mark, the screen draws it)
MARK_SYMBOLS = {"right": "[green]✓[/]", "wrong": "[red]✗[/]", "missed": "[yellow]✓[/]", "": " "}


def review_markup(review: Review) -> str:
    """The learner's answer beside the right one: each choice, step or blank marked, with
    what the learner gave in its place (escaped: it may be text they typed)."""
    width = max(len(row.text) for row in review.rows)
    lines = [escape(review.note)] if review.note else []
    for row in review.rows:
        text = escape(row.text.ljust(width)) if row.yours else escape(row.text)
        yours = f"  [dim]{escape(row.yours)}[/]" if row.yours else ""
        lines.append(f"{MARK_SYMBOLS[row.mark]} {text}{yours}")
    return "\n".join(lines)


def feedback_markup(
    question: AnyQuestion, grade: Grade, suggested: str | None = None, response: Any = None
) -> str:
    """Verdict, the answer beside the right one, explanation and source; `response` is what
    the learner gave (without it, the right answer is stated in words)."""
    if grade.needs_confirmation:
        verdict = "[b]Compare your answer with the model answer.[/]"
    elif grade.correct:
        verdict = "[b green]Right![/]"
    elif grade.score > 0:
        verdict = f"[b yellow]Partly right ({grade.score:.0%}).[/]"
    else:
        verdict = "[b red]Not quite.[/]"
    lines = [verdict]
    review = question.review(response) if response is not None else Review([])
    if review.rows:  # the right answer stands in the marked rows
        lines.append(review_markup(review))
    elif not question.auto_gradable:
        lines.append(f"[b]Model answer:[/] {escape(question.answer_text())}")
    elif not grade.correct and question.grader_states_answer and grade.feedback:
        lines.append(escape(grade.feedback))  # a number: how the reply was read, and the answer
    elif not grade.correct:
        lines.append(f"[b]Answer:[/] {escape(question.answer_text())}")
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
    if question.source_note:
        lines.append(f"[dim]Source: {escape(question.source_note)}[/]")
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

    def show_grade(
        self,
        question: AnyQuestion,
        grade: Grade,
        suggested: str | None = None,
        response: Any = None,
    ) -> None:
        self.remove_class("correct", "wrong", "partial")
        if not grade.needs_confirmation:
            kind = "correct" if grade.correct else "partial" if grade.score > 0 else "wrong"
            self.add_class(kind)
        self.update(feedback_markup(question, grade, suggested, response))
        self.display = True
