"""A locked database must not crash the quiz or lose the answer given meanwhile."""

from __future__ import annotations

import sqlite3

from studybuddy.store import Store
from studybuddy.tui.screens.quiz import QuizScreen


async def test_answers_given_while_locked_are_saved_later(app_factory, database):
    app = app_factory()
    app._store = Store(database, busy_timeout=0.2)  # fail fast instead of the 5 s default
    app._store.learner_id("ada")
    async with app.run_test(size=(100, 32)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)

        blocker = sqlite3.connect(database, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        await pilot.press("2")  # graded while another program holds the write lock
        await pilot.pause()
        assert quiz.answered and app.store.unsaved == 1

        await pilot.press("ctrl+q")  # refused: quitting now would lose the answer
        await pilot.pause()
        assert app.is_running

        blocker.execute("ROLLBACK")
        blocker.close()
        await pilot.press("n", "1", "3", "4", "enter")  # the next answer saves both
        await pilot.pause()
        assert app.store.unsaved == 0

    attempts = Store(database).attempts("ada")
    assert [(a.question_id, a.correct) for a in attempts] == [
        ("tui-mc", True),
        ("tui-mc-multi", True),
    ]
