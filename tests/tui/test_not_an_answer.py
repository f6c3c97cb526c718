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


def test_the_feedback_panel_names_a_contradicted_point_and_why():
    from rich.text import Text as RichText

    from studybuddy.banks.grading import grade
    from studybuddy.banks.models import KeyPoint, Misconception, ShortAnswer
    from studybuddy.tui.widgets.feedback import feedback_markup

    question = ShortAnswer(
        id="q",
        prompt="Why does nn.Dropout scale up the values it keeps?",
        explanation="e",
        model_answer="They are divided by (1 - p) [sic: 1/(1-p)].",
        key_points=[KeyPoint(point="divided by (1 - p)", accept=["divid* ... 1 p"])],
        misconceptions=[
            Misconception(
                point="divided by (1 - p)",
                match=["multipl* by 1 p"],
                why="multiplying by (1 - p) shrinks the values [it does not scale them up]",
            )
        ],
    )
    result = grade(question, "They are multiplied by (1 - p)")
    shown = RichText.from_markup(feedback_markup(question, result, "again")).plain
    assert (
        "Contradicted: divided by (1 - p): you wrote “multiplied by (1 - p)”, but multiplying by "
        "(1 - p) shrinks the values [it does not scale them up]"
    ) in shown
    assert "Key points to add: divided by (1 - p)" not in shown
