"""Every bundled question's own answer, typed as a learner would, is graded right by the same
code path as `studybuddy banks try` (issue 12)."""

from __future__ import annotations

import pytest

from studybuddy.banks.loader import load_bundled_banks
from studybuddy.banks.trial import try_answer

QUESTIONS = [q for bank in load_bundled_banks().banks for q in bank.questions()]
# Model answers the stricter short-answer grader does not yet suggest "good" for: their phrases
# are echoes of the prompt or negated in the model answer ("without any further training" does
# not show "further training"). The bank author tunes them (issue 12); then this set is empty.


def typed_answer(question) -> str:
    """The question's key as the quiz (and `banks try`) takes it."""
    if question.type == "mc":
        return ",".join(str(i + 1) for i in question.answer)
    if question.type == "tf":
        return "true" if question.answer else "false"
    if question.type == "numeric":
        return f"{question.value:g}" if abs(question.value) < 1e6 else f"{question.value:.0f}"
    if question.type == "cloze":
        return " | ".join(variants[0] for variants in question.blanks)
    if question.type == "ordering":
        return " ".join(str(n) for n in range(1, len(question.steps) + 1))
    return question.model_answer


@pytest.mark.parametrize(
    "question",
    [pytest.param(q, id=q.id) for q in QUESTIONS],
)
def test_the_model_answer_is_right(question):
    result = try_answer(question, typed_answer(question)).as_json()
    assert result["answered"], result["feedback"]
    if question.type == "short":
        assert result["suggested"] == "good", result["feedback"]
        assert result["contradicted"] == []
    else:
        assert result["correct"] and result["score"] == 1.0, result["feedback"]


def test_every_type_is_exercised():
    assert {q.type for q in QUESTIONS} == {"mc", "tf", "numeric", "short", "cloze", "ordering"}
