"""The plain-text player: reading typed answers, and a whole night played in-process."""

from __future__ import annotations

import pytest

from studybuddy.banks.grading import grade
from studybuddy.commands.night_console import ConsolePlayer, typed_response
from studybuddy.night.errors import NightError
from studybuddy.night.records import NightSettings
from studybuddy.night.room import Night


def test_typed_answers_are_graded_as_typed(catalog):
    def right(qid, text):
        question = catalog[qid].question
        return grade(question, typed_response(question, text)).correct

    assert right("night-mc", "2")
    assert not right("night-mc", "1")
    assert right("night-mc-multi", "4, 1 3")
    assert right("night-tf", "f") and right("night-tf-2", "true")
    assert right("night-numeric", "1.25")
    assert right("night-cloze", "Future | tril")
    ordering = catalog["night-ordering"].question
    shown = ordering.shown_order()
    assert shown != sorted(shown)
    typed = " ".join(str(shown.index(step) + 1) for step in range(len(ordering.steps)))
    assert right("night-ordering", typed)


@pytest.mark.parametrize(
    ("qid", "text", "hint"),
    [
        ("night-mc", "7", "from 1 to 4"),
        ("night-mc", "1 2", "one option"),
        ("night-tf", "maybe", r"t \(true\)"),
        ("night-numeric", "lots", "not a number"),
        ("night-cloze", "future", "2 blanks"),
        ("night-ordering", "1 1 2", "each step number"),
    ],
)
def test_unreadable_answers_say_how_to_type_them(catalog, qid, text, hint):
    with pytest.raises(NightError, match=hint):
        typed_response(catalog[qid].question, text)


def test_a_night_in_plain_text(store, catalog, clock):
    refs = [catalog["night-mc"], catalog["night-tf"]]
    night = Night.create(store, refs, NightSettings(timer=20), clock=clock)
    host = Night.open(store, night.code, clock=clock)
    player = night.join("Bo")
    lines: list[str] = []
    typed = iter(["9", "2"])  # a wrong key first: asked again

    def read_line(_timeout):
        # the host moves the night on whenever the player's terminal waits
        state = host.state()
        if state.phase == "lobby":
            host.start()
        elif state.phase == "question" and state.current == 0:
            if state.player("Bo").answered:
                host.close_question()
            else:
                clock.advance(2.5)
                return next(typed)
        elif state.phase == "question":  # Bo lets the second question run out
            if state.remaining > 0:
                clock.advance(21)
            else:
                host.host_tick()
        elif state.phase == "reveal":
            host.advance()
        return None

    console = ConsolePlayer(
        night, player, write=lines.append, read_line=read_line, poll=0, sleep=read_line
    )
    assert console.run() == 0
    text = "\n".join(lines)
    assert "== Question 1 of 2 ==" in text and "  2. softmax" in text
    assert "from 1 to 4" in text  # the wrong key's hint
    assert "Right! +875 points." in text
    assert "Time is up." in text and "No answer this time" in text
    assert "You finished #1 of 1." in text


def test_an_answer_typed_during_team_talk_waits_for_answers_to_open(store, catalog, clock):
    settings = NightSettings(timer=20, teams=True, talk_seconds=10)
    night = Night.create(store, [catalog["night-mc"]], settings, clock=clock)
    host = Night.open(store, night.code, clock=clock)
    player = night.join("Bo", "Red")
    lines: list[str] = []
    # (seconds that pass, then what Bo types): 4 s into the talk, and 5 s after it ends
    steps = iter([(4, "2"), (6, None), (5, "2")])

    def read_line(_timeout):
        state = host.state()
        if state.phase == "lobby":
            host.start()
        elif state.phase == "question" and not state.player("Bo").answered:
            wait, typed = next(steps)
            clock.advance(wait)
            return typed
        elif state.phase == "question":
            host.close_question()
        elif state.phase == "reveal":
            host.advance()
        return None

    console = ConsolePlayer(
        night, player, write=lines.append, read_line=read_line, poll=0, sleep=read_line
    )
    assert console.run() == 0
    text = "\n".join(lines)
    assert "Team talk: answers open in 10 s." in text
    assert "Answers open in 6 s: talk it over, then type it again:" in text
    # 5 s of answering, counted from the end of the talk: 1000 × (1 − 5/20/2)
    assert "Right! +875 points." in text
