"""A night in the database: joining, answering against the clock, closing, resuming, records."""

from __future__ import annotations

import random

import pytest

from studybuddy.night.errors import NightError
from studybuddy.night.records import NightSettings
from studybuddy.night.results import load_night, load_night_results, recent_nights
from studybuddy.night.room import CODE_ALPHABET, Night, normalise_code
from studybuddy.store import Store


def make_night(store, catalog, clock, ids=("night-mc", "night-tf", "night-numeric"), **settings):
    refs = [catalog[qid] for qid in ids]
    return Night.create(store, refs, NightSettings(**{"timer": 20, **settings}), clock=clock)


def test_codes_do_not_follow_pythons_random_state(store, catalog, clock):
    # seeded alike, `random` would hand out the same code twice; the CSPRNG does not
    codes = set()
    for _ in range(2):
        random.seed(1234)
        codes.add(make_night(store, catalog, clock).code)
    assert len(codes) == 2


def test_codes_are_five_unambiguous_letters(store, catalog, clock):
    night = make_night(store, catalog, clock)
    assert len(night.code) == 5 and set(night.code) <= set(CODE_ALPHABET)
    assert not set("ILOU01") & set(CODE_ALPHABET)
    assert normalise_code(f" {night.code.lower()} ") == night.code
    with pytest.raises(NightError, match="5 letters"):
        normalise_code("AB1")


def test_rejoining_under_the_same_name_with_its_token_is_the_same_player(store, catalog, clock):
    night = make_night(store, catalog, clock)
    first = night.join("Bo")
    assert first.token is not None and len(first.token) >= 20
    again = Night.open(store, night.code).join("  bo ", token=first.token)
    assert again.id == first.id and again.rejoined and again.name == "Bo"
    assert [p.name for p in night.players()] == ["Bo"]


def test_nobody_can_join_as_a_player_without_their_token(store, catalog, clock):
    store.add_learner("Bo")
    night = make_night(store, catalog, clock)
    bo = night.join("Bo", learner="Bo")
    night.start()
    impostors = [None, "guess", bo.token.upper(), bo.token[:-1]]
    for token in impostors:
        with pytest.raises(NightError, match="Bo is already playing"):
            Night.open(store, night.code).join("BO", token=token, learner="Bo")
    assert [p.name for p in night.players()] == ["Bo"]
    assert store.attempts("Bo") == []  # no impostor answer reached Bo's history


def test_the_database_keeps_a_digest_of_the_token_not_the_token(store, catalog, clock):
    from sqlalchemy import text

    night = make_night(store, catalog, clock)
    player = night.join("Ada")
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM quiz_night_player")).scalar_one()
    assert player.token not in stored and len(stored) == 64


def test_a_room_answer_is_timed_by_the_host_clock_not_the_player(store, catalog, clock):
    night = make_night(store, catalog, clock, timer=5)
    ada = night.join("Ada")
    night.start()
    clock.advance(30)  # long after the 5 s timer
    for claimed in (0.0, -100.0, 1.0):
        with pytest.raises(NightError, match="host's clock"):
            night.answer(ada, 0, [1], seconds=claimed)
    with pytest.raises(NightError, match="time is up"):
        night.answer(ada, 0, [1])


def test_a_hot_seat_time_must_be_a_real_duration(store, catalog, clock):
    night = make_night(store, catalog, clock, kind="hot-seat", answering="in-turn")
    ada = night.join("Ada")
    night.start()
    for claimed in (-100.0, float("nan"), float("-inf")):
        with pytest.raises(NightError, match="0 seconds or more"):
            night.answer(ada, 0, [1], seconds=claimed)
    assert night.answer(ada, 0, [1], seconds=2.0).correct


def test_scores_follow_speed_and_streak(store, catalog, clock):
    night = make_night(store, catalog, clock)
    ada, bo = night.join("Ada"), night.join("Bo")
    night.start()
    clock.advance(5)
    assert night.answer(ada, 0, [1]).points == 875  # 1000 × (1 − 5/20/2)
    clock.advance(5)
    assert night.answer(bo, 0, [0]).points == 0  # wrong
    state = night.host_tick()
    assert state.phase == "reveal"  # everyone answered: closed before the timer
    assert {p.name: p.last_points for p in state.players} == {"Ada": 875, "Bo": 0}

    night.advance()  # question 2: true/false, the answer is False
    result = night.answer(ada, 1, False)
    assert (result.base, result.bonus, result.streak) == (1000, 100, 2)
    clock.advance(20)
    assert night.host_tick().phase == "reveal"  # time is up; Bo never answered
    state = night.state()
    assert {p.name: p.score for p in state.players} == {"Ada": 875 + 1100, "Bo": 0}

    night.advance()  # question 3: Ada misses it, her streak ends
    clock.advance(2)
    assert night.answer(ada, 2, "1.3").points == 0
    assert night.state().player("Ada").streak == 0
    clock.advance(18)
    night.host_tick()
    assert night.advance().phase == "finished"


def test_answers_are_refused_twice_late_or_for_a_closed_question(store, catalog, clock):
    night = make_night(store, catalog, clock)
    ada, bo, cy = night.join("Ada"), night.join("Bo"), night.join("Cy")
    with pytest.raises(NightError, match="closed"):
        night.answer(ada, 0, [1])  # the night has not started
    night.start()
    night.answer(ada, 0, [1])
    with pytest.raises(NightError, match="already answered"):
        night.answer(ada, 0, [2])
    clock.advance(20.4)  # within the grace a laggy poll needs: counted at the buzzer
    assert night.answer(cy, 0, [1]).base == 500
    clock.advance(1)
    with pytest.raises(NightError, match="time is up"):
        night.answer(bo, 0, [1])
    night.close_question()
    with pytest.raises(NightError, match="closed"):
        night.answer(bo, 0, [1])


def test_team_nights_need_a_team_and_score_the_mean(store, catalog, clock):
    night = make_night(store, catalog, clock, teams=True)
    with pytest.raises(NightError, match="teams"):
        night.join("Ada")
    ada, bo, cy = night.join("Ada", "Red"), night.join("Bo", "Red"), night.join("Cy", "Blue")
    night.start()
    night.answer(ada, 0, [1])  # 1000 at t = 0
    clock.advance(10)
    night.answer(bo, 0, [3])  # wrong
    night.answer(cy, 0, [1])  # 750 at t = 10
    assert night.state().team_scores == {"Red": 500, "Blue": 750}


def test_answers_count_only_for_learners_who_joined_as_themselves(store, catalog, clock):
    store.add_learner("Ada")
    night = make_night(store, catalog, clock)
    not_ada = night.join("Ada", learner="Bo")  # Bo's terminal typing Ada's name
    assert not_ada.learner is None
    night.start()
    night.answer(not_ada, 0, [1])
    assert store.attempts("Ada") == []


def test_answers_count_in_the_progress_of_matching_profiles_only(store, catalog, clock):
    store.add_learner("Ada")
    night = make_night(store, catalog, clock)
    ada, bo = night.join("ada", learner="Ada"), night.join("Bo", learner="Bo")
    assert (ada.learner, bo.learner) == ("Ada", None)
    night.start()
    clock.advance(4)
    night.answer(ada, 0, [1])
    night.answer(bo, 0, [1])
    attempts = store.attempts("Ada")
    assert [(a.question_id, a.mode, a.correct, a.seconds) for a in attempts] == [
        ("night-mc", "quiz-night", True, 4.0)
    ]
    assert attempts[0].bank_id == "night-sample" and attempts[0].bank_version == 3
    assert [learner.name for learner in store.learners()] == ["Ada"]  # no profile for Bo


def test_a_restarted_host_carries_on_and_closes_what_timed_out(database, catalog, clock):
    first = Store(database)
    night = make_night(first, catalog, clock)
    ada = night.join("Ada")
    night.start()
    night.answer(ada, 0, [1])
    night.join("Bo")
    first.close()  # the host's terminal is gone

    clock.advance(60)
    second = Store(database)
    resumed = Night.open(second, night.code, clock=clock)
    state = resumed.host_tick()
    assert (state.phase, state.current) == ("reveal", 0)
    assert state.player("Ada").score == 1000
    assert resumed.advance().current == 1
    second.close()


def test_questions_travel_with_the_night(store, catalog, clock):
    night = make_night(store, catalog, clock)
    elsewhere = Night.open(store, night.code)
    assert elsewhere.question(0) == catalog["night-mc"].question
    with pytest.raises(NightError):
        elsewhere.question(3)


def test_short_answers_never_play(store, catalog, clock):
    with pytest.raises(NightError, match="night-short"):
        make_night(store, catalog, clock, ids=("night-mc", "night-short"))


def test_unknown_codes_and_finished_nights(store, catalog, clock):
    with pytest.raises(NightError, match="no quiz night"):
        Night.open(store, "ZZZZZ")
    night = make_night(store, catalog, clock)
    ada = night.join("Ada")
    night.finish()
    with pytest.raises(NightError, match="finished"):
        night.join("Newcomer")
    assert night.join("Ada", token=ada.token).rejoined  # a player can still see the podium


def test_results_for_the_report(store, catalog, clock):
    night = make_night(store, catalog, clock)
    ada, bo = night.join("Ada"), night.join("Bo")
    night.start()
    clock.advance(5)
    night.answer(ada, 0, [1])  # 875
    night.close_question()
    clock.advance(1)
    cy = night.join("Cy")  # joins after question 1
    night.advance()
    night.answer(bo, 1, False)  # 1000 at t = 0
    night.answer(cy, 1, True)  # wrong
    night.close_question()
    night.finish()  # the third question is never asked

    results = load_night_results(store, night.code)
    assert results.night_id == night.code
    assert results.played_on == clock.now.astimezone().date()
    assert [(p.name, p.score, p.rank) for p in results.standings] == [
        ("Bo", 1000, 1),
        ("Ada", 875, 2),
        ("Cy", 0, 3),
    ]
    first, second = results.questions
    assert first.question_id == "night-mc" and first.prompt.startswith("Which function")
    assert [(a.player, a.correct, a.points, a.seconds) for a in first.answers] == [
        ("Ada", True, 875, 5.0),
        ("Bo", False, 0, 20.0),  # in the room, no answer: wrong, the whole timer
    ]  # Cy had not joined yet
    assert [(a.player, a.correct, a.points) for a in second.answers] == [
        ("Ada", False, 0),
        ("Bo", True, 1000),
        ("Cy", False, 0),
    ]
    assert results.hardest == second
    assert load_night_results(store, str(night.id)) == results
    assert load_night_results(store, "99") is None
    assert [n.code for n in recent_nights(store)] == [night.code]


def test_results_of_a_database_without_nights(store):
    assert load_night_results(store, "ABCDE") is None
    assert recent_nights(store) == []


def test_a_report_of_an_unknown_night_names_it(store, catalog, clock):
    with pytest.raises(NightError, match="no quiz night with id 'ZZZ' in this database"):
        load_night(store, "ZZZ")
    night = make_night(store, catalog, clock)
    assert load_night(store, night.code).night_id == night.code
