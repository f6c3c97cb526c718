"""Drive the app as a learner would: open a chapter, answer, show me, and check the store."""

from __future__ import annotations

from studybuddy.banks import load_bundled_banks
from studybuddy.store import Store
from studybuddy.tui.app import make_app
from studybuddy.tui.screens.quiz import QuizScreen
from studybuddy.tui.screens.show_me import ShowMeScreen


def _sample_chapter():
    bank = next(b for b in load_bundled_banks().banks if b.id == "raschka-reading-notes")
    return bank, bank.chapter("raschka-ch3")


async def test_answer_every_sample_question_and_find_it_in_the_store(tmp_path):
    db = str(tmp_path / "quiz.sqlite3")
    bank, chapter = _sample_chapter()
    app = make_app(database=db, profile="ada")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # first chapter in the list
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        screen = app.screen
        picks = []
        for number, question in enumerate(screen.questions):
            # answer the first wrongly (when possible) and the rest rightly
            choice = (
                question.answer[0] if number else (question.answer[0] + 1) % len(question.options)
            )
            picks.append((question.id, choice in question.answer))
            await pilot.press(str(choice + 1))
            await pilot.pause()
            assert screen.answered
            await pilot.press("n")
            await pilot.pause()
    store = Store(db)
    attempts = store.attempts("ada")
    assert [(a.question_id, a.correct) for a in attempts] == picks
    assert len(picks) == len(chapter.questions)
    assert store.correctly_answered("ada", [q.id for q in chapter.questions]) == {
        qid for qid, ok in picks if ok
    }


async def test_show_me_runs_the_softmax_demo(tmp_path):
    app = make_app(database=str(tmp_path / "s.sqlite3"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        while screen.question.show_me is None:
            await pilot.press("1", "n")
        await pilot.press("s")  # not yet answered: nothing happens
        assert isinstance(app.screen, QuizScreen)
        await pilot.press("1")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ShowMeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.result is not None
        assert app.screen.result.demo_id == "softmax-scaling"


async def test_progress_survives_a_restart(tmp_path):
    db = str(tmp_path / "again.sqlite3")
    _, chapter = _sample_chapter()
    first = chapter.questions[0]
    app = make_app(database=db, profile="bo")
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.press(str(first.answer[0] + 1))
        await pilot.pause()
    app = make_app(database=db, profile="bo")
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        option = app.screen.query_one("#chapters").get_option_at_index(0)
        assert f"1/{len(chapter.questions)} answered correctly" in str(option.prompt)
