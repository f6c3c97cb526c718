"""Grading: pure functions from a question and a learner's response to a `Grade`.

Responses by question type:
  mc        a list of chosen option indices (or one index)
  tf        a bool
  numeric   the text the learner typed ("0.65", "6.5e-1", "65%")
  short     the text the learner typed; the grade is only a suggestion the learner confirms
  cloze     one text per blank
  ordering  the step indices (as written in the bank) in the order the learner put them
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studybuddy.banks.models import (
    Cloze,
    MultipleChoice,
    Numeric,
    Ordering,
    ShortAnswer,
    TrueFalse,
)


@dataclass(frozen=True)
class Grade:
    correct: bool
    score: float  # 0..1; partial credit for ordering and short answers
    feedback: str
    needs_confirmation: bool = False  # short answers: the learner has the last word
    details: dict[str, Any] = field(default_factory=dict)


def grade_mc(question: MultipleChoice, chosen: list[int] | int) -> Grade:
    picked = {chosen} if isinstance(chosen, int) else set(chosen)
    expected = set(question.answer)
    correct = picked == expected
    right = ", ".join(question.options[i] for i in sorted(expected))
    hits = len(picked & expected)
    score = 1.0 if correct else hits / len(expected | picked) if picked else 0.0
    return Grade(correct, score, "Correct." if correct else f"The answer is: {right}")


def grade_tf(question: TrueFalse, answer: bool) -> Grade:
    correct = answer == question.answer
    return Grade(correct, float(correct), "Correct." if correct else f"It is {question.answer}.")


def grade(question: Any, response: Any) -> Grade:
    """Dispatch on the question type."""
    graders = {
        MultipleChoice: grade_mc,
        TrueFalse: grade_tf,
    }
    grader = graders.get(type(question))
    if grader is None:
        raise NotImplementedError(f"grading for {type(question).__name__} is not written yet")
    return grader(question, response)


__all__ = ["Grade", "grade", "grade_mc", "grade_tf", "Numeric", "ShortAnswer", "Cloze", "Ordering"]
