"""Grading one typed answer the way the quiz grades it: `studybuddy banks try` and the tests.

The quiz's widgets hand `grading.grade` a response (option indices, a bool, the typed text, one
text per blank, an order of steps); `try_answer` builds the same response from one line of text
and grades it with the same `grade`, so what it says is what the quiz would say:

  mc        option numbers or letters as shown in the quiz: "2", "1,3", "1 3", "B", "a c"
  tf        true/false (t/f, yes/no)
  numeric   the text as typed (see `numbers`)
  short     the text as typed
  cloze     one filling per blank, separated by "|": "query | key"
  ordering  the steps' numbers (1 = the first step as written in the bank) in your order: "2 1 3"

A line that is no answer (an option that does not exist, a step listed twice, nothing at all)
gives a grade with `answered=False`, as the quiz would ask again.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from studybuddy.banks.grading import Grade, grade, not_an_answer
from studybuddy.banks.models import AnyQuestion, Cloze, MultipleChoice, Ordering

_ITEMS = re.compile(r"[\s,;/]+")


class NotAnAnswer(ValueError):
    """The text cannot be read as an answer to the question; the message says what would."""


def _option_indices(question: MultipleChoice, text: str) -> list[int]:
    count = len(question.options)
    letters = "abcdefghijklmnopqrstuvwxyz"[:count]
    expected = f"option numbers 1-{count} or letters A-{letters[-1].upper()}, e.g. '1,3'"
    items = [item for item in _ITEMS.split(text.strip().casefold()) if item]
    if not items:
        raise NotAnAnswer(f"No option chosen: type {expected}")
    chosen = []
    for item in items:
        item = item.rstrip(").")
        if item.isdigit() and 1 <= int(item) <= count:
            chosen.append(int(item) - 1)
        elif len(item) == 1 and item in letters:
            chosen.append(letters.index(item))
        else:
            raise NotAnAnswer(f"{item!r} is not an option: type {expected}")
    if len(set(chosen)) != len(chosen):
        raise NotAnAnswer("Each option once, please")
    return sorted(chosen)


def _step_order(question: Ordering, text: str) -> list[int]:
    count = len(question.steps)
    expected = f"the numbers 1-{count}, each once, in your order (e.g. '2 1 3')"
    items = [item for item in _ITEMS.split(text.strip()) if item]
    if not all(item.isdigit() for item in items):
        raise NotAnAnswer(f"{text.strip()!r} is not an order of steps: type {expected}")
    order = [int(item) - 1 for item in items]
    if sorted(order) != list(range(count)):
        raise NotAnAnswer(f"Not an order of all {count} steps: type {expected}")
    return order


def response_from_text(question: AnyQuestion, text: str) -> Any:
    """The response the quiz's widget would hand the grader for this typed line."""
    if isinstance(question, MultipleChoice):
        chosen = _option_indices(question, text)
        if len(chosen) > 1 and not question.several_correct:
            raise NotAnAnswer("One option: this question has a single right answer")
        return chosen
    if isinstance(question, Ordering):
        return _step_order(question, text)
    if isinstance(question, Cloze):
        fills = [part.strip() for part in text.split("|")]
        if not any(fills):
            raise NotAnAnswer("Fill in the blanks, separated by '|'")
        return fills
    return text  # tf, numeric and short answers grade the text itself


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
        if self.question.type == "short":
            out |= {
                "suggested": details.get("suggested"),
                "covered": details.get("covered", []),
                "missing": details.get("missing", []),
                "contradicted": details.get("contradicted", []),
                "evidence": details.get("evidence", {}),
                "misconceptions": details.get("misconceptions", []),
            }
        if self.question.type == "numeric" and "value" in details:
            out |= {"value": details["value"], "read": details["read"]}
        return out


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
