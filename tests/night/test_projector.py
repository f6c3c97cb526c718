"""The projector's numbers: the answer tally, rank changes and the podium, worked out by hand."""

from __future__ import annotations

import pytest

from studybuddy.night.projector import (
    Answer,
    RankChange,
    Step,
    answers_at,
    podium,
    rank_changes,
    tally,
)
from tests.night.test_room import make_night


def counts(result):
    return [(bar.label, bar.count, bar.right) for bar in result.bars]


def test_a_choice_question_counts_the_room_on_each_tile(catalog):
    question = catalog["night-mc"].question  # ReLU, softmax, tanh, GELU; softmax is right
    answers = [Answer([1], True), Answer([1], True), Answer([3], False), Answer(1, True)]
    result = tally(question, answers, players=6)
    assert counts(result) == [
        ("ReLU", 0, False),
        ("softmax", 3, True),
        ("tanh", 0, False),
        ("GELU", 1, False),
    ]
    assert (result.answered, result.unanswered, result.most, result.by_choice) == (4, 2, 3, True)


def test_several_picks_count_once_on_each_tile(catalog):
    question = catalog["night-mc-multi"].question  # right: W_query, W_key, W_value
    answers = [Answer([0, 2, 3], True), Answer([0, 1], False), Answer([5, "x", True], False)]
    result = tally(question, answers, players=3)
    assert counts(result) == [
        ("W_query", 2, True),
        ("the causal mask", 1, False),
        ("W_key", 1, True),
        ("W_value", 1, True),
    ]
    assert result.unanswered == 0  # an answer of nonsense picks still was an answer


def test_true_or_false_has_two_tiles_whether_sent_as_a_bool_or_typed(catalog):
    question = catalog["night-tf"].question  # the answer is false
    answers = [Answer(True, False), Answer(False, True), Answer("f", True), Answer("no", True)]
    assert counts(tally(question, answers, players=4)) == [("True", 1, False), ("False", 3, True)]


def test_a_typed_question_counts_right_and_wrong(catalog):
    question = catalog["night-numeric"].question
    answers = [Answer("1.25", True), Answer("1.2", False), Answer("5/4", True)]
    result = tally(question, answers, players=5)
    assert counts(result) == [("right", 2, True), ("wrong", 1, False)]
    assert (result.unanswered, result.by_choice) == (2, False)


def test_nobody_answering_still_scales(catalog):
    result = tally(catalog["night-mc"].question, [], players=2)
    assert result.most == 1 and result.unanswered == 2 and {b.count for b in result.bars} == {0}


def test_rank_changes_count_places_moved():
    before = {"Ann": 900, "Ben": 800, "Cat": 700, "Dan": 0}
    after = {"Ann": 900, "Ben": 1700, "Cat": 1600, "Dan": 950, "Eve": 500}
    # after: Ben 1, Cat 2, Dan 3, Ann 4, Eve 5; before: Ann 1, Ben 2, Cat 3, Dan 4
    assert rank_changes(before, after) == {
        "Ben": RankChange(1, 1),
        "Cat": RankChange(2, 1),
        "Dan": RankChange(3, 1),
        "Ann": RankChange(4, -3),
        "Eve": RankChange(5, None),
    }
    labels = {name: change.label for name, change in rank_changes(before, after).items()}
    assert labels == {"Ben": "↑1", "Cat": "↑1", "Dan": "↑1", "Ann": "↓3", "Eve": "new"}


def test_rank_changes_follow_shared_ranks():
    # before: Ann and Ben tied first, Cat third; after: Cat first alone, Ann and Ben tied second
    before = {"Ann": 500, "Ben": 500, "Cat": 100}
    after = {"Ann": 600, "Ben": 600, "Cat": 1000}
    changes = rank_changes(before, after)
    assert changes == {"Cat": RankChange(1, 2), "Ann": RankChange(2, -1), "Ben": RankChange(2, -1)}
    assert RankChange(1, 0).label == "="


def test_on_the_first_question_nobody_has_moved():
    changes = rank_changes(None, {"Ann": 10, "Ben": 900})
    assert changes == {"Ben": RankChange(1, 0), "Ann": RankChange(2, 0)}


def test_a_podium_of_three_with_a_tie_for_second():
    scores = {"Ann": 3000, "Ben": 2500, "Cat": 2500, "Dan": 2000, "Eve": 100}
    # ranks 1, 2, 2, 4, 5: the third step is empty, Dan (4th) is off the podium
    assert podium(scores) == [Step(1, ("Ann",), 3000), Step(2, ("Ben", "Cat"), 2500)]


def test_a_tie_on_the_last_step_keeps_everyone_tied():
    scores = {"Ann": 3000, "Ben": 2500, "Cat": 2000, "Dan": 2000, "Eve": 100}
    assert podium(scores) == [
        Step(1, ("Ann",), 3000),
        Step(2, ("Ben",), 2500),
        Step(3, ("Cat", "Dan"), 2000),
    ]


def test_a_podium_of_any_size_on_request():
    scores = {f"P{n}": 100 * n for n in range(1, 8)}  # P7 700 … P1 100
    assert [step.names for step in podium(scores, 5)] == [
        ("P7",),
        ("P6",),
        ("P5",),
        ("P4",),
        ("P3",),
    ]
    assert podium(scores, 1) == [Step(1, ("P7",), 700)]
    assert len(podium({"Solo": 0}, 3)) == 1
    assert podium({}, 3) == []
    for size in (0, 21):
        with pytest.raises(ValueError, match="1 to 20"):
            podium(scores, size)


def test_answers_are_read_back_for_one_question(store, catalog, clock):
    night = make_night(store, catalog, clock)  # night-mc, night-tf, night-numeric
    ann, ben, cat = night.join("Ann"), night.join("Ben"), night.join("Cat")
    night.start()
    night.answer(ann, 0, [1])
    night.answer(ben, 0, [3])
    night.advance()  # reveal
    night.advance()  # question 2
    night.answer(cat, 1, False)
    first = tally(night.question(0), answers_at(night, 0), players=3)
    assert counts(first) == [
        ("ReLU", 0, False),
        ("softmax", 1, True),
        ("tanh", 0, False),
        ("GELU", 1, False),
    ]
    assert first.unanswered == 1
    assert sorted((a.response, a.correct) for a in answers_at(night, 1)) == [(False, True)]
