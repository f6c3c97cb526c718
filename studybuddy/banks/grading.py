"""Grading: pure functions from a question and a learner's response to a `Grade`.

Responses by question type, and how partial credit is counted:
  mc        chosen option indices (a list, or one int). Exact set match is correct; the score
            is the Jaccard overlap |chosen ∩ correct| / |chosen ∪ correct|, so a missed option
            and a wrong extra one both cost.
  tf        a bool (or the text true/false/yes/no/t/f/y/n).
  numeric   the text the learner typed; see `numbers` for what is accepted. Text that is not a
            number gets a "not a number" grade, never an exception.
  short     the text the learner typed. The key points it covers (see `keypoints`) give a
            suggested rating that the learner confirms: `needs_confirmation` is True.
  cloze     one text per blank (or one text for a single blank); case, surrounding and repeated
            whitespace and surrounding quotes or backticks are ignored. The score is the share
            of blanks filled right.
  ordering  the step indices (as written in the bank, i.e. 0..n-1 is the right order) in the
            order the learner put them. The score is the longest run of steps already in the
            right relative order (longest increasing subsequence) divided by the number of
            steps: one step moved to the wrong place still scores (n-1)/n. The steps in their
            exact place are reported too.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from studybuddy.banks.keypoints import Coverage, coverage
from studybuddy.banks.models import Cloze, MultipleChoice, Numeric, Ordering, ShortAnswer, TrueFalse
from studybuddy.banks.numbers import NotANumber, format_number, readings, within

Rating = Literal["again", "hard", "good", "easy"]
RATINGS: tuple[Rating, ...] = ("again", "hard", "good", "easy")


@dataclass(frozen=True)
class Grade:
    correct: bool
    score: float  # 0..1; partial credit for mc, cloze, ordering and short answers
    feedback: str
    needs_confirmation: bool = False  # short answers: the learner has the last word
    details: dict[str, Any] = field(default_factory=dict)
    # False when the reply is no answer at all (blank, not a number, not true/false): the quiz
    # asks again and records nothing
    answered: bool = True


def not_an_answer(message: str, error: str = "not an answer") -> Grade:
    return Grade(False, 0.0, message, details={"error": error}, answered=False)


def grade_mc(question: MultipleChoice, chosen: list[int] | int) -> Grade:
    picked = {chosen} if isinstance(chosen, int) else set(chosen)
    expected = set(question.answer)
    right, missed, wrong = picked & expected, expected - picked, picked - expected
    correct = not missed and not wrong
    score = len(right) / len(expected | picked)
    details = {
        "right_options": sorted(right),
        "missed_options": sorted(missed),
        "wrong_options": sorted(wrong),
    }
    if correct:
        return Grade(True, 1.0, "Correct.", details=details)
    answer = "; ".join(question.options[i] for i in sorted(expected))
    if right:
        feedback = (
            f"Partly right: {len(right)} of the {len(expected)} correct options"
            f"{f', and {len(wrong)} wrong' if wrong else ''}. The answer is: {answer}"
        )
    else:
        feedback = f"The answer is: {answer}"
    return Grade(False, score, feedback, details=details)


def grade_tf(question: TrueFalse, answer: bool | str) -> Grade:
    if isinstance(answer, str):
        read = TrueFalse.read(answer)
        if read is None:
            shown = repr(answer.strip()) if answer.strip() else "An empty reply"
            return not_an_answer(f"{shown} is not an answer: type true or false")
        answer = read
    correct = answer == question.answer
    return Grade(correct, float(correct), "Correct." if correct else f"It is {question.answer}.")


def grade_numeric(question: Numeric, typed: str | float) -> Grade:
    expected = format_number(question.value, question.unit)
    if question.tolerance:
        expected += f" (±{format_number(question.tolerance)} accepted)"
    try:
        options = readings(str(typed), question.unit)
    except NotANumber as exc:
        return not_an_answer(f"{exc}.", "not a number")
    for reading in options:
        if within(reading.value, question.value, question.tolerance):
            note = (
                "" if reading.how == "as written" else f" ({str(typed).strip()} read {reading.how})"
            )
            details = {"value": reading.value, "read": reading.how}
            return Grade(True, 1.0, f"Correct{note}.", details=details)
    shown = format_number(options[0].value, question.unit)
    if options[0].how not in ("as written", "as a percentage"):
        shown = f"{str(typed).strip()}, read {options[0].how},"
    details = {"value": options[0].value, "read": options[0].how}
    return Grade(False, 0.0, f"You gave {shown}; the answer is {expected}.", details=details)


def suggested_rating(found: Coverage, answered: bool = True) -> Rating:
    """Half the key points or more is a pass, all of them 'good'; a contradicted point is
    'again' whatever else is right. 'easy' is never suggested: how hard recall felt is not in
    the text, so only the learner can say it."""
    if not answered or found.contradicted or found.share < 0.5:
        return "again"
    return "good" if found.share >= 1 else "hard"


def grade_short(question: ShortAnswer, text: str) -> Grade:
    found = coverage(text, question.key_points, question.prompt, question.misconceptions)
    answered = bool(text.strip())
    details: dict[str, Any] = {
        "covered": [p.point for p in found.covered],
        "missing": [p.point for p in found.missing],
        "contradicted": [p.point for p in found.contradicted],
        "evidence": {point: e.quote for point, e in found.evidence.items()},
        "misconceptions": [
            {"point": c.point, "why": c.why, "evidence": c.evidence.quote}
            for c in found.contradictions
        ],
        "model_answer": question.model_answer,
    }
    if not answered:
        details["suggested"] = "again"
        message = "Write an answer first (or a guess: you will see the model one)."
        return Grade(False, 0.0, message, True, {**details, "error": "not an answer"}, False)
    if not question.key_points:
        details["suggested"] = None
        feedback = "Compare your answer with the model answer and rate it yourself."
        return Grade(False, 0.0, feedback, needs_confirmation=True, details=details)
    rating = suggested_rating(found)
    details["suggested"] = rating
    feedback = _short_feedback(found, len(question.key_points), rating)
    return Grade(rating != "again", found.share, feedback, True, details)


def _short_feedback(found: Coverage, total: int, rating: Rating) -> str:
    parts = [f"You covered {len(found.covered)} of {total} key points."]
    if found.echo_only:
        parts.append("Your answer only repeats words of the question; say what they mean.")
    for contradiction in found.contradictions:
        parts.append(
            f"Contradicted: {contradiction.point} (you wrote {contradiction.evidence.quote!r}:"
            f" {contradiction.why.rstrip('.')})."
        )
    if found.missing:
        parts.append("Missing: " + "; ".join(p.point for p in found.missing) + ".")
    if found.negated:
        parts.append("Found only under a negation: " + "; ".join(found.negated) + ".")
    parts.append(f"Suggested rating: {rating} (confirm or change it).")
    return " ".join(parts)


def confirm(grade: Grade, rating: Rating) -> Grade:
    """The learner's own rating settles a grade that needed confirmation."""
    if rating not in RATINGS:
        raise ValueError(f"a rating is one of {', '.join(RATINGS)} (got {rating!r})")
    details = {**grade.details, "rating": rating}
    return replace(grade, correct=rating != "again", needs_confirmation=False, details=details)


def grade_cloze(question: Cloze, fills: list[str] | str) -> Grade:
    given = [fills] if isinstance(fills, str) else list(fills)
    given += [""] * (len(question.blanks) - len(given))
    right = [
        question.accepts(fill, variants)
        for fill, variants in zip(given, question.blanks, strict=False)
    ]
    score = sum(right) / len(right)
    if all(right):
        return Grade(True, 1.0, "Correct.", details={"blanks": right})
    answers = "; ".join(
        f"{{{{{n}}}}} {variants[0]}"
        for n, (ok, variants) in enumerate(zip(right, question.blanks, strict=True), start=1)
        if not ok
    )
    feedback = f"{sum(right)} of {len(right)} blanks right. Expected: {answers}"
    return Grade(False, score, feedback, details={"blanks": right})


def longest_increasing_run(order: list[int]) -> int:
    """Length of the longest increasing subsequence (patience sorting, O(n log n))."""
    tails: list[int] = []
    for item in order:
        at = bisect.bisect_left(tails, item)
        if at == len(tails):
            tails.append(item)
        else:
            tails[at] = item
    return len(tails)


def grade_ordering(question: Ordering, order: list[int]) -> Grade:
    n = len(question.steps)
    order = list(order)
    if sorted(order) != list(range(n)):
        return Grade(
            False,
            0.0,
            f"Expected each of the {n} steps exactly once (indices 0..{n - 1}).",
            details={"error": "not a permutation"},
        )
    in_place = [i for i, step in enumerate(order) if step == i]
    in_order = longest_increasing_run(order)
    details = {"in_place": in_place, "in_order": in_order}
    if in_order == n:
        return Grade(True, 1.0, "Correct.", details=details)
    steps = " → ".join(question.steps)
    feedback = (
        f"{in_order} of {n} steps in the right order ({len(in_place)} in the right place). "
        f"The order is: {steps}"
    )
    return Grade(False, in_order / n, feedback, details=details)


_GRADERS: dict[type, Any] = {
    MultipleChoice: grade_mc,
    TrueFalse: grade_tf,
    Numeric: grade_numeric,
    ShortAnswer: grade_short,
    Cloze: grade_cloze,
    Ordering: grade_ordering,
}


def grade(question: Any, response: Any) -> Grade:
    """Dispatch on the question type."""
    grader = _GRADERS.get(type(question))
    if grader is None:
        raise TypeError(f"expected a bank question, got {type(question).__name__}")
    return grader(question, response)


__all__ = [
    "RATINGS",
    "Grade",
    "Rating",
    "confirm",
    "grade",
    "grade_cloze",
    "grade_mc",
    "grade_numeric",
    "grade_ordering",
    "grade_short",
    "grade_tf",
    "suggested_rating",
]
