"""Grading one typed answer the way the quiz grades it: `studybuddy banks try` and the tests.

The quiz's widgets hand `grading.grade` a response (option indices, a bool, the typed text, one
text per blank, an order of steps); `try_answer` builds the same response from one line of text
and grades it with the same `grade`, so what it says is what the quiz would say:

  mc        option numbers or letters as shown in the quiz: "2", "1,3", "1 3", "B", "a c"
  tf        true/false (t/f, yes/no, or 1/2 as the quiz numbers them)
  numeric   the text as typed (see `numbers`)
  short     the text as typed
  cloze     one filling per blank, separated by "|": "query | key" (one blank takes the line)
  ordering  the steps' numbers (1 = the first step as written in the bank) in your order: "2 1 3"

A line that is no answer (an option that does not exist, a step listed twice, nothing at all)
gives a grade with `answered=False`, as the quiz would ask again.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from studybuddy.banks.grading import Grade, grade, not_an_answer
from studybuddy.banks.models import AnyQuestion, NotAnAnswer


def response_from_text(question: AnyQuestion, text: str, *, as_shown: bool = False) -> Any:
    """The response the quiz's widget would hand the grader for this typed line; NotAnAnswer
    says how to type it. With `as_shown`, numbers count the choices as the reader saw them
    listed (`question.choices()`: an ordering's steps shuffled), else as the bank writes them.

    The one reader of typed answers: `banks try`, the plain-text quiz night and
    `review --ahead` all come here; each question type reads its own (`read_typed`)."""
    return question.read_typed(text, as_shown=as_shown)


_DETAILS_SHOWN = (
    "suggested",
    "covered",
    "missing",
    "contradicted",
    "evidence",
    "misconceptions",
    "value",
    "read",
)


@dataclass(frozen=True)
class Trial:
    question: AnyQuestion
    text: str
    grade: Grade

    def as_json(self) -> dict[str, Any]:
        details = self.grade.details
        out: dict[str, Any] = {
            "id": self.question.id,
            "type": self.question.type,
            "answered": self.grade.answered,
            "correct": self.grade.correct,
            "score": round(self.grade.score, 4),
            "feedback": self.grade.feedback,
        }
        # what the grader found, where it says: a short answer's key points, a number's reading
        out |= {key: details[key] for key in _DETAILS_SHOWN if key in details}
        return out


__all__ = ["NotAnAnswer", "Trial", "find_question", "response_from_text", "try_answer"]


def try_answer(question: AnyQuestion, text: str) -> Trial:
    """Grade one typed answer exactly as the quiz would."""
    try:
        response = response_from_text(question, text)
    except NotAnAnswer as reason:
        return Trial(question, text, not_an_answer(f"{reason}."))
    return Trial(question, text, grade(question, response))


def find_question(questions: Iterable[AnyQuestion], question_id: str) -> AnyQuestion:
    """The question with this id; KeyError with a one-line message naming close ids."""
    by_id = {q.id: q for q in questions}
    if question_id in by_id:
        return by_id[question_id]
    close = difflib.get_close_matches(question_id, list(by_id), n=3, cutoff=0.5)
    if not close:  # a typed fragment: the ids that contain it
        close = [i for i in by_id if question_id.casefold() in i][:3]
    hint = f"; did you mean {', '.join(close)}?" if close else " (`studybuddy banks list`)"
    raise KeyError(f"no question {question_id!r}{hint}")
