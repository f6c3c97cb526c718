"""The feedback panel states the right answer exactly once, whatever the question type."""

from __future__ import annotations

from pathlib import Path

import pytest

from studybuddy.banks.grading import grade
from studybuddy.banks.loader import load_banks
from studybuddy.tui.widgets.feedback import feedback_markup

FIXTURE = Path(__file__).parent / "fixtures" / "banks" / "tui-sample.yaml"
QUESTIONS = {q.id: q for q in load_banks([FIXTURE]).banks[0].questions()}

WRONG = {
    "tui-mc": [0],
    "tui-mc-multi": [0],
    "tui-tf": True,
    "tui-numeric": "2",
    "tui-cloze": ["past", "triu"],
    "tui-ordering": [2, 1, 0],
}


@pytest.mark.parametrize("question_id", sorted(WRONG))
def test_a_wrong_answer_shows_the_right_one_once(question_id):
    question = QUESTIONS[question_id]
    result = grade(question, WRONG[question_id])
    assert not result.correct
    text = feedback_markup(question, result, response=WRONG[question_id])
    shown = {
        "tui-mc": "softmax",
        "tui-mc-multi": "W_value",
        "tui-tf": "False",
        "tui-numeric": "1.25",
        "tui-cloze": "tril",
        "tui-ordering": "weight the values",
    }[question_id]
    # the explanation may mention the answer too; what matters is that we do not repeat it
    assert text.replace(question.explanation, "").count(shown) == 1, text


def test_short_answers_show_the_model_answer_and_the_key_points():
    question = QUESTIONS["tui-short"]
    result = grade(question, "the softmax saturates")
    text = feedback_markup(question, result, suggested="hard")
    assert question.answer_text() in text
    assert "Key points you covered" in text and "softmax saturates" in text
    assert "Key points to add" in text and "small gradients" in text
    assert "Hard [dim](suggested)" in text
