"""The scoring rules, against hand calculations and exact fractions."""

from __future__ import annotations

import math
from fractions import Fraction
from statistics import fmean

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studybuddy.night.scoring import (
    MISSED,
    replay,
    round_half_up,
    score_answer,
    speed_points,
    standings,
    streak_bonus,
    team_scores,
)

points_st = st.integers(min_value=1, max_value=5000)
timer_st = st.integers(min_value=5, max_value=600)


@pytest.mark.parametrize(
    ("seconds", "timer", "expected"),
    [
        (0, 20, 1000),  # instant: all the points
        (5, 20, 875),  # 1000 × (1 − 0.25 / 2)
        (10, 20, 750),
        (20, 20, 500),  # on the buzzer: half
        (25, 20, 500),  # a late clock reading never goes below half
        (-1, 20, 1000),  # nor above all
        (3, 8, 813),  # 812.5 rounds up (Python's round() would give 812)
        (1, 8, 938),  # 937.5
    ],
)
def test_speed_points_by_hand(seconds, timer, expected):
    assert speed_points(1000, seconds, timer) == expected


def test_a_tie_stays_a_tie_despite_binary_fractions():
    # 5000 × (1 − 0.001 / 5 / 2) = 4999.5 exactly, though 0.001 is no exact float
    assert speed_points(5000, 0.001, 5) == 5000


def test_streak_bonus_starts_at_the_second_correct_answer_and_stops_at_500():
    assert [streak_bonus(n) for n in range(0, 9)] == [0, 0, 100, 200, 300, 400, 500, 500, 500]


def test_a_miss_resets_the_streak():
    night = replay(
        [(True, 0), (True, 0), (True, 0), None, (True, 0), (False, 1), (True, 0)], timer=20
    )
    assert [s.bonus for s in night] == [0, 100, 200, 0, 0, 0, 0]
    assert [s.streak for s in night] == [1, 2, 3, 0, 1, 0, 1]
    assert [s.points for s in night] == [1000, 1100, 1200, 0, 1000, 0, 1000]


@given(points=points_st, timer=timer_st, millis=st.integers(min_value=0, max_value=600_000))
def test_speed_points_are_the_exact_value_rounded_half_up(points, timer, millis):
    # the reference computes with exact fractions of the millisecond the player typed in
    elapsed = min(Fraction(millis, 1000), Fraction(timer))
    exact = Fraction(points) * (1 - elapsed / timer / 2)
    got = speed_points(points, millis / 1000, timer)
    assert got == math.floor(exact + Fraction(1, 2))
    # between half and all of the points
    assert math.ceil(Fraction(points, 2)) <= got <= points


@given(points=points_st, timer=timer_st, a=st.floats(0, 700), b=st.floats(0, 700))
def test_faster_never_earns_less(points, timer, a, b):
    fast, slow = sorted((a, b))
    assert speed_points(points, fast, timer) >= speed_points(points, slow, timer)


answers_st = st.lists(st.one_of(st.none(), st.tuples(st.booleans(), st.floats(0, 30))), max_size=40)


@given(answers=answers_st, timer=timer_st)
def test_replay_matches_a_plain_reading_of_the_rules(answers, timer):
    scored = replay(answers, timer=timer)
    run = 0
    for answer, result in zip(answers, scored, strict=True):
        if answer is None or not answer[0]:
            run = 0
            assert result == MISSED and result.points == 0
            continue
        run += 1
        expected_bonus = min(100 * (run - 1), 500)
        assert result.bonus == expected_bonus
        assert result.base == speed_points(1000, answer[1], timer)
        assert 500 <= result.base <= 1000
        assert result.streak == run


@given(streak=st.integers(0, 100), seconds=st.floats(0, 20))
def test_a_wrong_answer_earns_nothing_whatever_the_streak(streak, seconds):
    result = score_answer(correct=False, seconds=seconds, timer=20, streak_before=streak)
    assert (result.points, result.streak) == (0, 0)


@given(
    scores=st.dictionaries(
        st.text(min_size=1, max_size=5), st.integers(0, 20_000), min_size=1, max_size=12
    ),
    data=st.data(),
)
def test_team_score_is_the_mean_of_its_members(scores, data):
    teams = {name: data.draw(st.sampled_from(["red", "blue", "green"])) for name in scores}
    result = team_scores(scores, teams)
    assert set(result) == set(teams.values())
    for team, value in result.items():
        members = [scores[name] for name in scores if teams[name] == team]
        assert value == pytest.approx(fmean(members))
        assert min(members) <= value <= max(members)


def test_team_score_by_hand():
    scores = {"ada": 3000, "bo": 1000, "cy": 2500}
    assert team_scores(scores, {"ada": "red", "bo": "red", "cy": "blue"}) == {
        "red": 2000,
        "blue": 2500,
    }


@given(st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 5), max_size=10))
def test_rank_is_one_more_than_the_number_of_higher_scores(scores):
    table = standings(scores)
    assert [s.score for s in table] == sorted(scores.values(), reverse=True)
    for standing in table:
        assert standing.rank == 1 + sum(other > standing.score for other in scores.values())


def test_round_half_up():
    assert [round_half_up(x) for x in (0.5, 1.5, 2.5, 812.5, 812.49)] == [1, 2, 3, 813, 812]
