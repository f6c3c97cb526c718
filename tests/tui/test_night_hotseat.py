"""Whole one-screen quiz nights driven by Pilot, on a clock that moves only when told."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rich.console import Console
from textual import events

from studybuddy.banks.models import MultipleChoice, TrueFalse
from studybuddy.night.results import load_night_results
from studybuddy.night.scoring import speed_points
from studybuddy.store import Store
from studybuddy.tui.app import make_app
from studybuddy.tui.screens.night import NightSetupScreen
from studybuddy.tui.screens.night_hotseat import HANDOVER_GUARD, KEY_ROWS, HotSeatScreen
from studybuddy.tui.screens.show_me import ShowMeScreen
from studybuddy.tui.widgets.night_board import Podium, Scoreboard

NIGHT_BANKS = Path(__file__).parents[1] / "night" / "fixtures" / "banks"
SIZE = (120, 48)


class FakeClock:
    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.now = datetime(2025, 3, 14, 19, 0, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)


def plain(widget) -> str:
    console = Console(width=SIZE[0], record=True, color_system=None, file=open("/dev/null", "w"))
    console.print(widget.content)
    return console.export_text()


async def set_up(
    pilot, clock, *, mode: str, chapters: list[str], players: list[str], count: int, seed: int = 4
):
    await pilot.pause()
    await pilot.press("g")  # from the home screen
    await pilot.pause()
    setup = pilot.app.screen
    assert isinstance(setup, NightSetupScreen)
    setup.clock, setup.rng = clock, random.Random(seed)
    setup.query_one("#night-mode").value = mode
    await pilot.pause()
    chooser = setup.query_one("#night-chapters")
    for key in chapters:
        chooser.select(key)
    setup.query_one("#night-count").value = str(count)
    setup.query_one("#night-player").focus()
    for name in players:
        await pilot.press(*name, "enter")
    await pilot.pause()
    assert [name for name, _ in setup.seats] == players
    await pilot.press("ctrl+s")
    await pilot.pause()
    game = pilot.app.screen
    assert isinstance(game, HotSeatScreen), plain(setup.query_one("#night-setup-error"))
    return game


async def ready(pilot) -> None:
    """The next player takes the keyboard, reads the hand-over and presses Enter."""
    assert "when ready" in plain(pilot.app.screen.query_one(".night-handover"))
    await pilot.pause(HANDOVER_GUARD + 0.05)
    await pilot.press("enter")
    await pilot.pause()


async def answer_in_turn(pilot, question, right: bool) -> None:
    if isinstance(question, TrueFalse):
        await pilot.press("t" if question.answer == right else "f")
    elif question.several_correct:
        wanted = (
            question.answer
            if right
            else [i for i in range(len(question.options)) if i not in question.answer][:1]
        )
        await pilot.press(*[str(i + 1) for i in wanted], "enter")
    else:
        index = question.answer[0] if right else (question.answer[0] + 1) % len(question.options)
        await pilot.press(str(index + 1))
    await pilot.pause()


async def test_a_whole_night_in_turn(database):
    Store(database).add_learner("Ada")
    clock = FakeClock()
    app = make_app(database=database, profile="ada", banks_dir=NIGHT_BANKS)
    async with app.run_test(size=SIZE) as pilot:
        game = await set_up(
            pilot,
            clock,
            mode="mode-in-turn",
            chapters=["night-sample/training"],
            players=["Ada", "Bo"],
            count=3,
        )
        night = game.night
        assert night.settings.answering == "in-turn" and night.question_count == 3
        await pilot.press("n")  # the first question
        await pilot.pause()
        expected = {"Ada": 0, "Bo": 0}
        for number in range(3):
            question = night.question(number)
            assert game.state.phase == "question"
            assert "Ada" in plain(game.query_one(".night-turn"))
            await ready(pilot)
            clock.advance(4)
            await answer_in_turn(pilot, question, right=True)
            expected["Ada"] += speed_points(1000, 4, 20) + [0, 100, 200][number]
            # Bo's turn starts at his Enter, with the whole timer; on the last question he lets
            # it run out
            assert "Bo" in plain(game.query_one(".night-turn"))
            await ready(pilot)
            if number < 2:
                clock.advance(10)
                await answer_in_turn(pilot, question, right=number == 0)
                expected["Bo"] += speed_points(1000, 10, 20) if number == 0 else 0
            else:
                clock.advance(20.5)
                game.tick()
                await pilot.pause()
            assert game.state.phase == "reveal"
            board = plain(game.query_one(Scoreboard))
            assert f"{expected['Ada']:,}" in board
            assert {p.name: p.score for p in game.state.players} == expected
            await pilot.press("n")
            await pilot.pause()

        assert game.state.phase == "finished"
        podium = plain(game.query_one(Podium))
        assert podium.index("Ada") < podium.index("Bo") and "🥇 Ada" in podium
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, NightSetupScreen)

    store = Store(database)
    results = load_night_results(store, night.code)
    assert [(p.name, p.score, p.rank) for p in results.standings] == [
        ("Ada", expected["Ada"], 1),
        ("Bo", expected["Bo"], 2),
    ]
    # Ada has a profile: her three answers count in her own history too; Bo has none
    assert [a.mode for a in store.attempts("Ada")] == ["quiz-night"] * 3
    assert [learner.name for learner in store.learners()] == ["Ada"]
    store.close()


@pytest.mark.slow  # the show me loads torch
async def test_a_night_on_assigned_keys_with_show_me(database):
    clock = FakeClock()
    app = make_app(database=database, profile="ada", banks_dir=NIGHT_BANKS)
    async with app.run_test(size=SIZE) as pilot:
        game = await set_up(
            pilot,
            clock,
            mode="mode-keys",
            chapters=["night-sample/attention", "night-sample/training"],
            players=["Ada", "Bo", "Cy"],
            count=5,
        )
        night = game.night
        # only one-key questions play: the single-answer MC of four options and the two T/F
        asked = sorted(night.question(n).id for n in range(night.question_count))
        assert asked == ["night-mc", "night-tf", "night-tf-2"]
        await pilot.press("n")
        await pilot.pause()
        showed_me = False
        for number in range(3):
            question = night.question(number)
            right = (
                (0 if question.answer else 1)
                if isinstance(question, TrueFalse)
                else question.answer[0]
            )
            legend = plain(game.query_one(".night-keys"))
            assert "Ada" in legend and "Cy" in legend
            clock.advance(2)
            await pilot.press(KEY_ROWS[0][right])  # Ada: right, at 2 s
            await pilot.press(KEY_ROWS[1][1 - right if right < 2 else 0])  # Bo: wrong
            await pilot.press(KEY_ROWS[0][1 - right if right < 2 else 0])  # Ada again: ignored
            await pilot.pause()
            assert "✓" in plain(game.query_one(".night-keys"))
            assert game.state.phase == "question"  # Cy has not answered
            clock.advance(18)
            game.tick()
            await pilot.pause()
            assert game.state.phase == "reveal"
            if isinstance(question, MultipleChoice):  # it has a show me
                await pilot.press("s")
                await pilot.pause()
                assert isinstance(app.screen, ShowMeScreen)
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert app.screen.result is not None
                await pilot.press("escape")
                await pilot.pause()
                showed_me = True
            await pilot.press("n")
            await pilot.pause()
        assert showed_me
        scores = {p.name: p.score for p in game.state.players}
        assert scores == {"Ada": 3 * 950 + 100 + 200, "Bo": 0, "Cy": 0}
        assert "🥇 Ada" in plain(game.query_one(Podium))


async def test_the_hand_over_drops_the_last_players_keys_and_starts_the_clock(database):
    clock = FakeClock()
    app = make_app(database=database, profile="ada", banks_dir=NIGHT_BANKS)
    async with app.run_test(size=SIZE) as pilot:
        game = await set_up(
            pilot,
            clock,
            mode="mode-in-turn",
            chapters=["night-sample/training"],
            players=["Ann", "Ben", "Cat"],
            count=1,
            seed=2,  # picks night-tf, whose answer is False: key 2
        )
        await pilot.press("n")
        await pilot.pause()
        question = game.night.question(0)
        assert isinstance(question, TrueFalse) and question.answer is False
        # the options are drawn once, by the answer input, not also above it
        assert "1. " not in plain(game.query_one("#night-question"))
        # before Ann's Enter there is nothing to answer with: keys do nothing
        await pilot.press("1", "t")
        assert not game.query("#answer") and game.turn.name == "Ann"
        await ready(pilot)
        assert game.query_one("#answer")
        clock.advance(2)
        # Ann answers and, too quickly for anyone to have swapped seats, presses again and Enter:
        # the three keys are in the queue before the first is handled, as a terminal buffers them
        stale = events.Key("enter", "\r")  # typed while Ann answered, read by the app later
        for key, character in (("2", "2"), ("2", "2"), ("enter", "\r")):
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await pilot.pause()
        app.post_message(stale)
        await pilot.pause()
        assert game.state.player("Ann").answered
        assert not game.state.player("Ben").answered  # Ann's second press never reached Ben
        assert game.handing_over and game.turn.name == "Ben"
        assert "Ben" in plain(game.query_one(".night-handover"))
        clock.advance(7)  # Ben takes his time to sit down: not counted
        await ready(pilot)
        clock.advance(3)
        await answer_in_turn(pilot, question, right=question.answer)
        assert game.handing_over and game.turn.name == "Cat"
        await ready(pilot)
        clock.advance(1)
        await answer_in_turn(pilot, question, right=not question.answer)
        assert game.state.phase == "reveal"
    results = load_night_results(Store(database), game.night.code)
    seconds = {a.player: a.seconds for a in results.questions[0].answers}
    assert seconds == {"Ann": 2.0, "Ben": 3.0, "Cat": 1.0}
