"""What each question type says about itself: how a typed line is read, what shows after an
answer, and the registries a new type must join (README, "Question types")."""

from __future__ import annotations

import pytest

from studybuddy.banks.grading import _GRADERS
from studybuddy.banks.models import (
    QUESTION_TYPES,
    Cloze,
    MultipleChoice,
    NotAnAnswer,
    Ordering,
    TrueFalse,
)
from studybuddy.tui.widgets.answers import ANSWER_WIDGETS

COMMON = {"prompt": "p?", "explanation": "why."}


def test_every_type_has_a_grader_and_an_answer_widget():
    types = set(QUESTION_TYPES.values())
    assert set(_GRADERS) == types
    assert set(ANSWER_WIDGETS) == types


def test_an_ordering_reads_step_numbers_as_written_or_as_shown():
    question = Ordering(id="o", steps=["a", "b", "c", "d"], **COMMON)
    shown = question.shown_order()
    assert question.choices() == [question.steps[i] for i in shown]
    # as written: "1" is step a
    assert question.read_typed("2 1 3 4") == [1, 0, 2, 3]
    # as shown: the numbers count the shuffled list the reader saw
    typed = " ".join(str(shown.index(step) + 1) for step in range(4))
    assert question.read_typed(typed, as_shown=True) == [0, 1, 2, 3]
    with pytest.raises(NotAnAnswer, match="Not an order of all 4 steps"):
        question.read_typed("1 1 2 3")


def test_true_or_false_takes_words_and_the_numbers_of_its_two_choices():
    question = TrueFalse(id="t", answer=False, **COMMON)
    assert [question.read_typed(t) for t in ("1", "2", " Yes ", "f")] == [True, False, True, False]
    with pytest.raises(NotAnAnswer, match="'3' is not an answer"):
        question.read_typed("3")


def test_a_single_blank_takes_the_whole_line_and_several_need_a_bar_each():
    one = Cloze(id="c1", text="x {{1}} y", blanks=[["a|b"]], **COMMON)
    assert one.read_typed(" a|b ") == ["a|b"]
    two = Cloze(id="c2", text="{{1}} and {{2}}", blanks=[["a"], ["b"]], **COMMON)
    assert two.read_typed("a | b") == ["a", "b"]
    with pytest.raises(NotAnAnswer, match="Fill the 2 blanks"):
        two.read_typed("a")


def test_a_single_answer_choice_refuses_two_picks_and_reads_letters():
    question = MultipleChoice(id="m", options=["x", "y", "z"], answer=[2], **COMMON)
    assert question.read_typed("c") == [2] and question.read_typed("3)") == [2]
    with pytest.raises(NotAnAnswer, match="one option"):
        question.read_typed("1 3")


def test_the_review_of_a_multi_select_marks_every_option():
    question = MultipleChoice(id="m", options=["w", "x", "y", "z"], answer=[0, 2], **COMMON)
    review = question.review([0, 1])
    assert [(row.text, row.mark, row.yours) for row in review.rows] == [
        ("1. w", "right", ""),
        ("2. x", "wrong", "your pick"),
        ("3. y", "missed", "not picked"),
        ("4. z", "", ""),
    ]
    assert review.note == "You picked 1 of the 2 right options and 1 wrong one."
    assert question.review([0, 2]).note == ""  # all right: nothing to explain


def test_the_source_is_left_out_where_the_explanation_names_it():
    named = TrueFalse(id="t", answer=True, prompt="p?", explanation="See p. 52.", source="p. 52")
    other = TrueFalse(id="u", answer=True, prompt="p?", explanation="Because.", source="p. 52")
    assert named.source_note is None and other.source_note == "p. 52"
