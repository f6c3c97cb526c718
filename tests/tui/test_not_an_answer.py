"""A reply that is not an answer (not a number) keeps the question open and records nothing."""

from __future__ import annotations

from textual.widgets import Input

from studybuddy.store import Store
from studybuddy.tui.screens.quiz import QuizScreen

SIZE = (120, 40)


async def test_text_that_is_not_a_number_is_asked_again_not_recorded(app_factory, database):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, QuizScreen)
        await pilot.press("2", "n", "1", "3", "4", "enter", "n", "f", "n")  # to the numeric one
        await pilot.pause()
        assert screen.question.id == "tui-numeric"

        await pilot.press(*"one point two five", "enter")
        await pilot.pause()
        assert not screen.answered and screen.last_grade is None
        shown = [n.message for n in pilot.app._notifications]
        assert any("is not a number" in message for message in shown), shown
        number = screen.query_one("#number", Input)
        assert not number.disabled
        assert len(Store(database).attempts("ada")) == 3  # the three before it, nothing more

        number.value = ""
        await pilot.press(*"1.25", "enter")
        await pilot.pause()
        assert screen.answered and screen.last_grade.correct
    attempts = Store(database).attempts("ada")
    assert [(a.question_id, a.correct) for a in attempts][-1] == ("tui-numeric", True)
    assert len(attempts) == 4
