"""Picking a night's questions: chapters, one-key questions, the group's weakest topics."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from studybuddy.night.errors import NightError
from studybuddy.night.records import NightSettings
from studybuddy.night.selection import from_chapters, weakest_of_group
from studybuddy.night.setup import NightPlan, check_seats, create_night, parse_seat

ATTENTION = "night-sample/attention"
TRAINING = "night-sample/training"


@dataclass(frozen=True)
class Result:  # the shape of the store's QuestionResult
    question_id: str
    attempts: int
    correct: int


def ids(refs):
    return sorted(ref.question.id for ref in refs)


def test_chapters_give_auto_graded_questions_only(catalog):
    picked = from_chapters(catalog, [ATTENTION], 10, rng=random.Random(1))
    assert ids(picked) == ["night-cloze", "night-mc", "night-numeric", "night-ordering"]


def test_one_key_nights_ask_true_false_and_single_answer_choices_of_four(catalog):
    picked = from_chapters(catalog, [ATTENTION, TRAINING], 10, rng=random.Random(1), one_key=True)
    assert ids(picked) == ["night-mc", "night-tf", "night-tf-2"]


def test_count_is_respected_and_draws_vary_with_the_seed(catalog):
    draws = {
        tuple(ids(from_chapters(catalog, [ATTENTION, TRAINING], 3, rng=random.Random(seed))))
        for seed in range(20)
    }
    assert all(len(draw) == 3 for draw in draws) and len(draws) > 1


def test_a_chapter_id_alone_will_do(catalog):
    picked = from_chapters(catalog, ["training"], 10, rng=random.Random(1), one_key=True)
    assert ids(picked) == ["night-tf", "night-tf-2"]


def test_unknown_chapters_are_named(catalog):
    with pytest.raises(NightError, match="'night-sample/nope'"):
        from_chapters(catalog, ["night-sample/nope"], 3, rng=random.Random(1))


def test_weakest_topics_come_from_the_weakest_chapter_missed_questions_first(catalog):
    results = [
        Result("night-mc", 4, 4),  # attention: 5 of 6 right overall
        Result("night-numeric", 2, 1),
        Result("night-tf", 4, 1),  # training: 2 of 8 right
        Result("night-mc-five", 4, 1),
        Result("night-tf-2", 0, 0),
        Result("not-in-the-banks", 9, 0),
    ]
    picked = weakest_of_group(catalog, results, 2, rng=random.Random(3))
    assert ids(picked) == ["night-mc-five", "night-tf"]
    # more than the weakest chapter holds: the next weakest fills up, missed questions first
    picked = weakest_of_group(catalog, results, 6, rng=random.Random(3))
    assert len(picked) == 6
    assert "night-numeric" in ids(picked) and "night-short" not in ids(picked)


def test_weakest_topics_need_a_history(catalog):
    with pytest.raises(NightError, match="not answered any questions"):
        weakest_of_group(catalog, [], 5, rng=random.Random(1))


def test_create_night_names_it_after_its_chapters(store, catalog):
    plan = NightPlan(chapters=(ATTENTION,), count=2, settings=NightSettings(timer=15))
    night = create_night(store, catalog, plan, rng=random.Random(2))
    assert night.settings.title == "Attention"
    assert night.question_count == 2 and night.settings.timer == 15


def test_seats(catalog):
    assert parse_seat(" Ada  Lovelace @ Red ") == ("Ada Lovelace", "Red")
    assert parse_seat("Bo") == ("Bo", None)
    with pytest.raises(NightError, match="own name"):
        check_seats([("Ada", None), ("ada", None)], NightSettings())
    with pytest.raises(NightError, match="Name @ Team"):
        check_seats([("Ada", "Red"), ("Bo", None)], NightSettings(teams=True))
    with pytest.raises(NightError, match="at most 6"):
        check_seats([(str(n), None) for n in range(7)], NightSettings(answering="keys"))


def test_a_plan_must_name_something_to_ask(store, catalog):
    with pytest.raises(NightError, match="pick at least one chapter"):
        NightPlan(count=3).check()
    NightPlan(weakest=True).check()
    NightPlan(chapters=(ATTENTION,)).check()
    with pytest.raises(NightError, match="pick at least one chapter"):
        create_night(store, catalog, NightPlan(count=3))
