"""The host's options (speed points, streak bonus, warm-up, team talk), answers refused, and the
night feeding each player's review. Expected points are worked out by hand from the rules in the
README: 1000 × (1 − (t / 20) / 2), +100 for the second right answer in a row, +200 the third."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest

from studybuddy.night.errors import NightError
from studybuddy.night.records import NightSettings, Player
from studybuddy.night.results import load_night_results, recent_nights
from studybuddy.night.room import Night
from studybuddy.night.scoring import Rules, replay, score_answer
from studybuddy.reports.jsondoc import night_document
from studybuddy.reports.markdown import night_md
from studybuddy.store import Store

SCHEMA = Path(__file__).parents[2] / "studybuddy" / "reports" / "report.schema.json"
IDS = ("night-mc", "night-tf", "night-tf-2")  # answers: [1], False, True


def make_night(store, catalog, clock, ids=IDS, **settings):
    refs = [catalog[qid] for qid in ids]
    return Night.create(store, refs, NightSettings(**{"timer": 20, **settings}), clock=clock)


def play_three_right(night, clock, player, seconds=(5, 0, 10)):
    """`player` answers all three questions right after `seconds`; returns the points each."""
    rights = ([1], False, True)
    points = []
    night.start()
    for position, (wait, right) in enumerate(zip(seconds, rights, strict=True)):
        if position:
            night.close_question()
            night.advance()
        clock.advance(wait)
        points.append(night.answer(player, position, right).points)
    return points


# -- scoring, pure ---------------------------------------------------------------------------------
def test_accuracy_only_gives_every_right_answer_all_the_points():
    rules = Rules(speed=False)
    assert score_answer(
        correct=True, seconds=19, timer=20, streak_before=0, rules=rules
    ).points == (1000)
    assert [
        s.points for s in replay([(True, 19), (True, 0.5), (False, 1)], timer=20, rules=rules)
    ] == [
        1000,
        1100,
        0,
    ]


def test_without_the_streak_bonus_runs_are_counted_but_earn_nothing_extra():
    scored = replay([(True, 5), (True, 0), (True, 10)], timer=20, rules=Rules(streak=False))
    assert [(s.points, s.streak) for s in scored] == [(875, 1), (1000, 2), (750, 3)]


def test_a_warm_up_earns_nothing_and_starts_no_run():
    scored = replay([(True, 0), (True, 5), (True, 10)], timer=20, rules=Rules(warm_up=True))
    # the warm-up is right but worth 0; the run starts at question 2: 875 + 0, then 750 + 100
    assert [(s.correct, s.points, s.streak) for s in scored] == [
        (True, 0, 0),
        (True, 875, 1),
        (True, 850, 2),
    ]


# -- the same rules in a night in the database -----------------------------------------------------
def test_default_rules_in_a_night(store, catalog, clock):
    night = make_night(store, catalog, clock)
    ada = night.join("Ada")
    assert play_three_right(night, clock, ada) == [875, 1000 + 100, 750 + 200]


def test_accuracy_only_night(store, catalog, clock):
    night = make_night(store, catalog, clock, speed_points=False)
    ada = night.join("Ada")
    assert play_three_right(night, clock, ada) == [1000, 1100, 1200]


def test_no_streak_bonus_night(store, catalog, clock):
    night = make_night(store, catalog, clock, streak_bonus=False)
    ada = night.join("Ada")
    assert play_three_right(night, clock, ada) == [875, 1000, 750]
    assert night.state().player("Ada").streak == 3  # still shown on the board


def test_warm_up_night(store, catalog, clock):
    night = make_night(store, catalog, clock, warm_up=True)
    ada = night.join("Ada")
    night.start()
    assert night.state().is_warm_up
    clock.advance(5)
    assert night.answer(ada, 0, [1]).points == 0
    night.close_question()
    night.advance()
    assert not night.state().is_warm_up
    assert night.answer(ada, 1, False).points == 1000  # first of a run: no bonus
    night.close_question()
    night.advance()
    clock.advance(10)
    assert night.answer(ada, 2, True).points == 750 + 100
    assert night.state().player("Ada").score == 1850


def test_team_talk_holds_answers_back_and_the_clock_starts_after_it(store, catalog, clock):
    night = make_night(store, catalog, clock, teams=True, talk_seconds=10)
    ada, bo = night.join("Ada", "Red"), night.join("Bo", "Blue")
    night.start()
    clock.advance(4)
    state = night.state()
    assert (state.talk_remaining, state.remaining) == (6, 20)
    with pytest.raises(NightError, match="answers open in 6 s: talk it over with your team"):
        night.answer(ada, 0, [1])
    clock.advance(11)  # 15 s after opening: 5 s into answering
    assert night.state().remaining == 15
    assert night.answer(ada, 0, [1]).points == 875
    clock.advance(16)  # 31 s after opening: 21 s of answering, past the grace
    assert night.host_tick().phase == "reveal"
    with pytest.raises(NightError, match="closed"):
        night.answer(bo, 0, [1])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"talk_seconds": 10}, "team talk time is for team nights"),
        ({"talk_seconds": 500, "teams": True}, "team talk time is 0-120 seconds"),
        ({"talk_seconds": float("nan"), "teams": True}, "team talk time is 0-120 seconds"),
        (
            {"talk_seconds": 10, "teams": True, "kind": "hot-seat", "answering": "in-turn"},
            "in turn, each team talks",
        ),
    ],
)
def test_talk_time_out_of_place_is_refused(store, catalog, clock, settings, message):
    with pytest.raises(NightError, match=message):
        make_night(store, catalog, clock, **settings)


def test_results_say_which_rules_were_played(store, catalog, clock):
    night = make_night(store, catalog, clock, speed_points=False, warm_up=True, timer=30)
    night.join("Ada")
    night.start()
    night.finish()
    results = load_night_results(store, night.code)
    assert results.rules == (
        "30 s per question",
        "accuracy only (no speed points)",
        "streak bonus",
        "warm-up first question (no points)",
    )
    assert results.questions[0].warm_up
    assert "Rules: 30 s per question, accuracy only" in night_md(results, generated="now")
    default = load_night_results(store, make_night(store, catalog, clock).code)
    assert default.rules == ("20 s per question", "speed points", "streak bonus")


# -- answers a player may not give -----------------------------------------------------------------
def test_an_answer_for_another_player_is_refused(store, catalog, clock):
    night = make_night(store, catalog, clock)
    ada, bo = night.join("Ada"), night.join("Bo")
    night.start()
    # Ada's terminal knows Bo's seat (it is on the board) but not his secret
    as_bo = Player(bo.id, bo.name, bo.team, bo.seat, None, token=ada.token)
    with pytest.raises(NightError, match="only Bo's own terminal can answer for Bo"):
        night.answer(as_bo, 0, [1])
    with pytest.raises(NightError, match="only Bo's own terminal"):
        night.answer(Player(bo.id, "Bo", None, bo.seat, None), 0, [1])
    other = make_night(store, catalog, clock)
    stranger = other.join("Cy")
    with pytest.raises(NightError, match=f"Cy is not a player of night {night.code}"):
        night.answer(stranger, 0, [1])
    assert not night.state().player("Bo").answered
    assert night.answer(bo, 0, [1]).correct  # Bo himself still can


def test_a_name_taken_in_the_room_is_refused_whatever_its_case(store, catalog, clock):
    night = make_night(store, catalog, clock)
    night.join("Ada")
    for name in ("Ada", "ADA", "  ada  "):
        with pytest.raises(NightError, match="Ada is already playing .* choose another name"):
            Night.open(store, night.code).join(name)
    assert [p.name for p in night.players()] == ["Ada"]


# -- the night feeds review ------------------------------------------------------------------------
def test_a_learners_misses_come_due_and_the_report_lists_them(store, catalog, clock):
    store.add_learner("Ada")
    store.add_learner("Bo")
    night = make_night(store, catalog, clock)
    ada, bo = night.join("Ada", learner="Ada"), night.join("Bo", learner="Bo")
    night.start()
    clock.advance(3)
    night.answer(ada, 0, [1])  # right
    night.answer(bo, 0, [0])  # wrong
    night.close_question()
    night.advance()
    night.answer(ada, 1, True)  # wrong (the answer is False)
    night.answer(bo, 1, True)  # wrong
    night.close_question()
    night.advance()
    night.answer(ada, 2, True)  # right
    clock.advance(21)
    night.host_tick()  # Bo never answers question 3: the time runs out
    night.finish()

    # Ada's miss is in her review queue within the hour; what she got right is not due yet
    later = clock.now + timedelta(hours=1)
    due = [item.question_id for item in store.due_queue("Ada", now=later)]
    assert due == ["night-tf"]
    logged = [(a.question_id, a.correct, a.mode) for a in store.attempts("Ada")]
    assert logged == [
        ("night-mc", True, "quiz-night"),
        ("night-tf", False, "quiz-night"),
        ("night-tf-2", True, "quiz-night"),
    ]

    # Bo missed all three, the last by letting the time run out: logged as no answer, 20 s
    assert [item.question_id for item in store.due_queue("Bo", now=later)] == sorted(IDS)
    bo_logged = [(a.question_id, a.correct, a.seconds) for a in store.attempts("Bo")]
    assert bo_logged == [
        ("night-mc", False, 3.0),
        ("night-tf", False, 0.0),
        ("night-tf-2", False, 20.0),
    ]
    assert store.attempts("Bo")[-1].answer is None

    results = load_night_results(store, night.code)
    assert [q.question_id for q in results.misses_of("Ada")] == ["night-tf"]
    assert [q.question_id for q in results.misses_of("Bo")] == list(IDS)  # question 3: no answer
    most = results.most_missed()
    assert [(q.question_id, q.missed) for q in most] == [
        ("night-tf", 2),
        # each missed once; the slower first: a mean of (0 + 20) / 2 s against (3 + 3) / 2 s
        ("night-tf-2", 1),
        ("night-mc", 1),
    ]
    assert most[2].show_me == "studybuddy show softmax-scaling -p d_k=16"
    envelope = night_document(results, clock.now)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(envelope)
    document = envelope["night"]
    assert document["misses"] == {"Ada": ["night-tf"], "Bo": list(IDS)}
    assert document["most_missed"] == ["night-tf", "night-tf-2", "night-mc"]
    markdown = night_md(results, generated="now")
    assert "## Most missed" in markdown and "studybuddy show softmax-scaling -p d_k=16" in markdown
    assert "- Bo: `night-mc`, `night-tf`, `night-tf-2`" in markdown


# -- the same options on the command line ----------------------------------------------------------
def test_night_host_flags_set_the_rules(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from studybuddy.cli import app
    from studybuddy.commands import night as night_commands

    monkeypatch.setattr(night_commands, "_run_app", lambda ctx, entry, **_: None)  # no TUI here
    database = tmp_path / "progress.sqlite3"
    base = ["--db", str(database), "night", "host", "-c", "raschka-ch4-ch5/raschka-ch4"]
    result = CliRunner().invoke(
        app, [*base, "--no-speed", "--no-streak", "--warm-up", "--teams", "--talk", "15"]
    )
    assert result.exit_code == 0, result.output
    store = Store(str(database))
    (night,) = [Night(store, n.id) for n in recent_nights(store)]
    settings = night.settings
    assert (settings.speed_points, settings.streak_bonus, settings.warm_up) == (False, False, True)
    assert (settings.teams, settings.talk_seconds, settings.timer) == (True, 15, 20)
    store.close()

    refused = CliRunner().invoke(app, [*base, "--talk", "15"])  # no teams
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert refused.output.strip().splitlines() == [
        "error: team talk time is for team nights (turn teams on, or set it to 0)"
    ]
