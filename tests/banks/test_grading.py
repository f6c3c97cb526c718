"""Grading: hand-worked cases for each type, and properties checked over many inputs."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studybuddy.banks.grading import (
    confirm,
    grade,
    longest_increasing_run,
)
from studybuddy.banks.models import (
    Cloze,
    KeyPoint,
    MultipleChoice,
    Numeric,
    Ordering,
    ShortAnswer,
    TrueFalse,
)

COMMON = {"prompt": "?", "explanation": "Because."}


def mc(options=4, answer=(1,)):
    return MultipleChoice(
        id="q", options=[f"option {i}" for i in range(options)], answer=list(answer), **COMMON
    )


def numeric(value, tolerance=0.0, unit=None):
    return Numeric(id="q", value=value, tolerance=tolerance, unit=unit, **COMMON)


# --- multiple choice and true/false ------------------------------------------------------


def test_mc_single_answer_as_int_or_list():
    q = mc(answer=[2])
    assert grade(q, 2).correct and grade(q, [2]).correct
    wrong = grade(q, [0])
    assert (wrong.correct, wrong.score) == (False, 0.0)
    assert "option 2" in wrong.feedback


def test_mc_several_correct_gives_jaccard_partial_credit():
    q = mc(options=5, answer=[0, 2, 3])
    # picked {0, 2, 4}: right {0, 2}, union {0, 2, 3, 4} -> 2/4
    result = grade(q, [0, 2, 4])
    assert not result.correct
    assert result.score == pytest.approx(0.5)
    assert result.details == {
        "right_options": [0, 2],
        "missed_options": [3],
        "wrong_options": [4],
    }
    assert result.feedback.startswith("Partly right: 2 of the 3 correct options, and 1 wrong.")
    assert grade(q, [3, 0, 2]).correct  # order does not matter


@given(st.data())
def test_mc_score_is_one_exactly_when_the_sets_match(data):
    n = data.draw(st.integers(2, 8))
    answer = data.draw(st.sets(st.integers(0, n - 1), min_size=1))
    picked = data.draw(st.sets(st.integers(0, n - 1)))
    result = grade(mc(options=n, answer=sorted(answer)), sorted(picked))
    assert 0.0 <= result.score <= 1.0
    assert result.correct == (picked == answer) == (result.score == 1.0)


def test_tf_takes_bools_and_words():
    q = TrueFalse(id="q", answer=False, **COMMON)
    assert grade(q, False).correct
    assert not grade(q, True).correct
    assert grade(q, " No ").correct and not grade(q, "yes").correct
    unclear = grade(q, "maybe")
    assert not unclear.correct and "type true or false" in unclear.feedback


# --- numeric -----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["65%", "65 %", "65", "0.65", "6.5e-1", "65.4", "~65%"])
def test_percent_question_accepts_the_usual_ways_of_writing_65_percent(typed):
    assert grade(numeric(65, tolerance=0.5, unit="%"), typed).correct


@pytest.mark.parametrize("typed", ["0.65%", "66%", "6.5", "0.6"])
def test_percent_question_rejects_other_values(typed):
    assert not grade(numeric(65, tolerance=0.5, unit="%"), typed).correct


def test_fraction_reading_is_reported():
    result = grade(numeric(65, unit="%"), "0.65")
    assert result.correct and result.details["read"] == "as a fraction"
    assert "read as a fraction" in result.feedback


def test_a_bare_number_is_read_as_percent_first():
    # an answer that really is 0.65 % is matched by 0.65 without the sign
    result = grade(numeric(0.65, unit="%"), "0.65")
    assert result.correct and result.details["read"] == "as a percentage"


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1,024", 1024),
        ("124,439,808", 124_439_808),
        ("1/8", 0.125),
        ("-3", -3),
        ("−3", -3),  # a typographic minus
        ("2.5x10^3", 2500),
        ("50%", 0.5),  # a percent sign on a question without a unit
        ("497 MB", 497),
    ],
)
def test_number_formats(typed, value):
    unit = "MB" if "MB" in typed else None
    assert grade(numeric(value, unit=unit), typed).correct


def test_tolerance_boundary_survives_floating_point():
    # 0.4 - 0.3 is 0.10000000000000003 in binary floating point
    assert grade(numeric(0.3, tolerance=0.1), "0.4").correct
    assert not grade(numeric(0.3, tolerance=0.1), "0.41").correct


@pytest.mark.parametrize("typed", ["abc", "", "1,5", "12..3", "nan", "inf", "1/0", "%"])
def test_not_a_number_is_a_grade_not_an_exception(typed):
    result = grade(numeric(1.5), typed)
    assert not result.correct and result.score == 0.0
    assert result.details == {"error": "not a number"}
    assert "not a" in result.feedback


@given(st.text())
def test_numeric_grading_never_raises(typed):
    result = grade(numeric(65, tolerance=1, unit="%"), typed)
    assert result.score in (0.0, 1.0)


finite = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@given(finite, st.floats(0, 1e6), st.floats(-1, 1))
def test_within_tolerance_is_correct(value, tolerance, fraction):
    answer = value + fraction * tolerance
    assert grade(numeric(value, tolerance=tolerance), repr(answer)).correct


@given(finite, st.floats(0, 1e6), st.floats(1.001, 100))
def test_beyond_tolerance_is_wrong(value, tolerance, factor):
    gap = max(tolerance * factor, tolerance + 1e-6 * max(1.0, abs(value)))
    assert not grade(numeric(value, tolerance=tolerance), repr(value + gap)).correct


# --- cloze -------------------------------------------------------------------------------


def cloze():
    return Cloze(
        id="q",
        text="Scores are divided by {{1}} before the {{2}}.",
        blanks=[["sqrt(d_k)", "the square root of d_k"], ["softmax"]],
        **COMMON,
    )


def test_cloze_ignores_case_whitespace_and_quotes():
    assert grade(cloze(), ["  SQRT(d_k) ", "`Softmax`"]).correct
    assert grade(cloze(), ["the  square root\tof D_K", "softmax"]).correct


def test_cloze_partial_credit_per_blank():
    result = grade(cloze(), ["d_k", "softmax"])
    assert not result.correct and result.score == 0.5
    assert result.details == {"blanks": [False, True]}
    assert "{{1}} sqrt(d_k)" in result.feedback


def test_cloze_missing_fills_count_as_wrong():
    assert grade(cloze(), ["sqrt(d_k)"]).score == 0.5


@given(st.text(), st.sampled_from(["sqrt(d_k)", "the square root of d_k"]))
def test_cloze_accepts_any_listed_variant_in_any_case(padding_source, variant):
    padding = "".join(c for c in padding_source if c in " \t\n")
    typed = padding + variant.upper() + padding
    assert grade(cloze(), [typed, "softmax"]).correct


# --- ordering ----------------------------------------------------------------------------


def ordering(n=5):
    return Ordering(id="q", steps=[f"step {i}" for i in range(n)], **COMMON)


def _lis_brute_force(order):
    for size in range(len(order), 0, -1):
        for picked in itertools.combinations(order, size):
            if list(picked) == sorted(picked):
                return size
    return 0


@given(st.permutations(list(range(7))))
def test_longest_increasing_run_matches_brute_force(order):
    assert longest_increasing_run(order) == _lis_brute_force(order)


def test_ordering_one_step_moved_scores_n_minus_1_over_n():
    # the last step put first: 4 steps still in relative order, none in its place
    result = grade(ordering(5), [4, 0, 1, 2, 3])
    assert not result.correct
    assert result.score == pytest.approx(4 / 5)
    assert result.details == {"in_place": [], "in_order": 4}


def test_ordering_exact_is_correct():
    assert grade(ordering(5), [0, 1, 2, 3, 4]).correct


@given(st.permutations(list(range(6))))
def test_ordering_is_correct_only_in_the_written_order(order):
    result = grade(ordering(6), order)
    assert result.correct == (list(order) == list(range(6)))
    assert 1 / 6 <= result.score <= 1


def test_ordering_refuses_something_that_is_not_a_permutation():
    result = grade(ordering(3), [0, 0, 1])
    assert not result.correct and result.details == {"error": "not a permutation"}


# --- short answers -----------------------------------------------------------------------


def short():
    return ShortAnswer(
        id="q",
        model_answer="Scores grow with d_k; softmax saturates; dividing keeps gradients usable.",
        key_points=[
            KeyPoint(point="scores grow with the dimension", accept=["variance", "larger scores"]),
            KeyPoint(point="softmax saturates", accept=["one-hot", "saturate", "peaked"]),
            KeyPoint(point="multi-head attention", accept=["multi-head"]),
        ],
        **COMMON,
    )


def test_short_answer_uses_stems_and_synonyms():
    result = grade(short(), "Without it the softmax saturates and the score variances explode.")
    # "saturates" ~ "saturate", "variances" ~ "variance" after stemming
    assert result.details["covered"] == ["scores grow with the dimension", "softmax saturates"]
    assert result.details["missing"] == ["multi-head attention"]
    assert result.needs_confirmation
    assert result.details["suggested"] == "hard"
    assert result.correct and result.score == pytest.approx(2 / 3)


def test_short_answer_matches_compounds_written_without_separators():
    result = grade(short(), "Multihead attention, one hot output, larger scores")
    assert result.details["covered"] == [p.point for p in short().key_points]
    assert result.details["suggested"] == "good"


def test_short_answer_with_nothing_covered_suggests_again():
    result = grade(short(), "I do not know")
    assert result.details["suggested"] == "again" and not result.correct
    assert grade(short(), "").details["suggested"] == "again"


def test_confirming_a_suggestion_settles_the_grade():
    suggested = grade(short(), "it saturates")
    settled = confirm(suggested, "good")
    assert settled.correct and not settled.needs_confirmation
    assert settled.details["rating"] == "good"
    assert not confirm(suggested, "again").correct
    with pytest.raises(ValueError, match="again, hard, good, easy"):
        confirm(suggested, "great")  # type: ignore[arg-type]


@given(st.text())
def test_short_grading_never_raises_and_always_asks(text):
    result = grade(short(), text)
    assert result.needs_confirmation
    assert result.details["suggested"] in ("again", "hard", "good")


def test_grade_refuses_what_is_not_a_question():
    with pytest.raises(TypeError, match="expected a bank question"):
        grade("not a question", 1)
