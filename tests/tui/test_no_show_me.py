"""`s` on an answered question without a demo says so in one line and stays on the quiz."""

from __future__ import annotations

from studybuddy.tui.screens.quiz import NO_SHOW_ME, QuizScreen

SIZE = (120, 40)


async def test_s_without_a_show_me_says_so(app_factory, database):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        await pilot.press("2", "n")  # first question answered, on to the second
        await pilot.pause()
        assert screen.question.id == "tui-mc-multi" and screen.question.show_me is None
        await pilot.press("s")  # not answered yet: nothing happens
        await pilot.pause()
        assert not [n for n in app._notifications if n.message == NO_SHOW_ME]
        await pilot.press("1", "3", "4", "enter")
        await pilot.pause()
        assert screen.answered
        await pilot.press("s")
        await pilot.pause()
        assert app.screen is screen  # no show-me screen opened
        messages = [n.message for n in app._notifications]
        assert messages.count(NO_SHOW_ME) == 1 and "\n" not in NO_SHOW_ME
