"""Enter on a long chapter offers its sections as bite-size sets; unfinished sets all resume."""

from __future__ import annotations

from studybuddy.locations import question_banks_dir
from studybuddy.tui.app import make_app
from studybuddy.tui.screens.home import HomeScreen
from studybuddy.tui.screens.quiz import QuizScreen
from studybuddy.tui.screens.sets import ChapterSetsScreen, OpenSetsScreen

CH3 = "raschka-reading-notes/raschka-ch3"
SIZE = (120, 40)


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _highlight(pilot, key: str) -> None:
    home = pilot.app.screen
    assert isinstance(home, HomeScreen)
    home.table.move_cursor(row=list(home.rows).index(key))
    await pilot.pause()


async def test_sections_sizes_and_two_open_sets(database):
    app = make_app(database=database, profile="ada", banks_dir=question_banks_dir())
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await _highlight(pilot, CH3)
        await pilot.press("enter")
        await _settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChapterSetsScreen)
        options = dialog.query_one("#sections")
        assert options.option_count == len(dialog.sections) + 1  # and the whole chapter
        assert "12 of 16, 16 new" in str(options.get_option_at_index(0).prompt)
        await pilot.press("minus")  # 12 -> 6
        assert dialog.set_size == 6
        await pilot.press("plus")
        assert dialog.set_size == 12
        await pilot.press("enter")  # section 1
        await _settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        assert len(quiz.study.question_ids) <= 12
        assert quiz.study.question_ids[0] == "ch3-word-by-word-mc"  # the variant before its open
        await pilot.press("2")  # answer it, right or wrong
        await _settle(pilot)
        await pilot.press("escape")
        await _settle(pilot)

        # the whole chapter, left half done too: the first set is kept
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("end", "enter")
        await _settle(pilot)
        second = app.screen
        assert isinstance(second, QuizScreen) and second.study.key == f"study:{CH3}"
        assert len(second.study.question_ids) <= 12
        # the variant tried in the first set is not asked again after its open question
        assert second.study.question_ids[0] == "ch3-word-by-word"
        assert "ch3-word-by-word-mc" not in second.study.question_ids
        await pilot.press(*"context", "ctrl+s")
        await _settle(pilot)
        await pilot.press("3")  # rate it
        await _settle(pilot)
        await pilot.press("escape")
        await _settle(pilot)

        home = app.screen
        assert isinstance(home, HomeScreen) and home.open_sets == 2
        assert "one of 2 unfinished sets" in str(home.query_one("#home-status").render())
        await pilot.press("c")
        await _settle(pilot)
        picker = app.screen
        assert isinstance(picker, OpenSetsScreen)
        assert [s.key for s in picker.sets] == [f"study:{CH3}", f"study:{CH3}#1"]
        await pilot.press("down", "enter")
        await _settle(pilot)
        resumed = app.screen
        assert isinstance(resumed, QuizScreen) and resumed.study.key == f"study:{CH3}#1"
        assert resumed.study.position == 1


async def test_a_short_chapter_starts_at_once(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, QuizScreen)
