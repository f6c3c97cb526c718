"""Drive the app as a learner would and check what reached the store."""

from __future__ import annotations

from pathlib import Path

from studybuddy.store import Store
from studybuddy.tui.screens.home import HomeScreen
from studybuddy.tui.screens.quiz import QuizScreen
from studybuddy.tui.screens.show_me import ShowMeScreen
from studybuddy.tui.widgets.answers import OrderingAnswer

SIZE = (120, 40)
FIXTURE_BANKS = Path(__file__).parent / "fixtures" / "banks"


async def _open_first_chapter(pilot) -> QuizScreen:
    await pilot.app.workers.wait_for_complete()  # banks load in a worker after the first frame
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, QuizScreen)
    return pilot.app.screen


async def _put_in_order(pilot, screen: QuizScreen) -> None:
    widget = screen.query_one(OrderingAnswer)
    for target in range(len(widget.order)):
        index = widget.order.index(target)
        steps = widget.query_one("#steps")
        steps.index = index
        for _ in range(index - target):
            await pilot.press("u")
    assert widget.order == sorted(widget.order)


async def test_a_whole_study_session_with_every_question_type(app_factory, database):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_first_chapter(pilot)
        assert [q.id for q in screen.questions][:2] == ["tui-mc", "tui-mc-multi"]

        await pilot.press("2")  # softmax
        await pilot.pause()
        assert screen.answered and screen.last_grade.correct

        # show me, with a parameter changed in place
        await pilot.press("s")
        await pilot.pause()
        show = app.screen
        assert isinstance(show, ShowMeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert show.result.params["d_k"] == 16
        field = show.query_one("#param-d_k")
        field.value = "256"
        field.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert show.result.params["d_k"] == 256
        assert show.runs == 2
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("n")  # several correct: toggle 1, 3, 4 then submit
        await pilot.pause()
        await pilot.press("1", "3", "4", "enter")
        await pilot.pause()
        assert screen.last_grade.correct

        await pilot.press("n", "f")  # true/false
        await pilot.pause()
        assert screen.last_grade.correct

        await pilot.press("n")  # numeric
        await pilot.pause()
        await pilot.press(*"1.25", "enter")
        await pilot.pause()
        assert screen.last_grade.correct

        await pilot.press("n")  # cloze: case and variants do not matter
        await pilot.pause()
        await pilot.press(*"Future", "enter", *"tril", "enter")
        await pilot.pause()
        assert screen.last_grade.correct

        await pilot.press("n")  # ordering
        await pilot.pause()
        await _put_in_order(pilot, screen)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.last_grade.correct

        await pilot.press("n")  # short answer, self-rated
        await pilot.pause()
        await pilot.press(*"it saturates the softmax so gradients vanish", "ctrl+s")
        await pilot.pause()
        assert screen.pending is not None
        await pilot.press("n")  # cannot move on before rating
        assert screen.pending is not None
        await pilot.press("3")  # Good
        await pilot.pause()
        assert screen.pending is None
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

    attempts = Store(database).attempts("ada")
    assert [a.question_id for a in attempts] == [
        "tui-mc",
        "tui-mc-multi",
        "tui-tf",
        "tui-numeric",
        "tui-cloze",
        "tui-ordering",
        "tui-short",
    ]
    assert all(a.correct for a in attempts)
    assert {a.mode for a in attempts} == {"study"}


async def test_wrong_answers_are_recorded_as_wrong(app_factory, database):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_first_chapter(pilot)
        await pilot.press("1")  # ReLU
        await pilot.pause()
        assert not screen.last_grade.correct
        await pilot.press("n", "2", "enter")  # only one of three
        await pilot.pause()
        assert not screen.last_grade.correct
    attempts = Store(database).attempts("ada")
    assert [(a.question_id, a.correct) for a in attempts] == [
        ("tui-mc", False),
        ("tui-mc-multi", False),
    ]


async def test_an_empty_answer_is_not_graded(app_factory, database):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_first_chapter(pilot)
        await pilot.press("2", "n")
        await pilot.pause()
        await pilot.press("enter")  # several-correct question, nothing ticked
        await pilot.pause()
        assert not screen.answered
    assert len(Store(database).attempts("ada")) == 1


async def test_quitting_mid_set_offers_to_resume_where_it_stopped(app_factory, database):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _open_first_chapter(pilot)
        await pilot.press("2", "n", "1", "3", "4", "enter")
        await pilot.pause()
    # a new process: the home screen offers to resume at the third question
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen) and home.has_open_set
        await pilot.press("c")
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        assert quiz.question.id == "tui-tf"
        await pilot.press("t")
        await pilot.pause()
    assert [a.question_id for a in Store(database).attempts("ada")] == [
        "tui-mc",
        "tui-mc-multi",
        "tui-tf",
    ]


async def test_home_shows_progress_after_a_restart(app_factory):
    app = app_factory(profile="bo")
    async with app.run_test(size=SIZE) as pilot:
        await _open_first_chapter(pilot)
        await pilot.press("2")
        await pilot.pause()
    app = app_factory(profile="bo")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        row = app.screen.rows["tui-sample/every-type"]
        assert row.right == 1 and row.total == 7


async def test_a_review_session_asks_the_due_questions(app_factory, database):
    from datetime import UTC, datetime, timedelta

    store = Store(database)
    long_ago = datetime.now(UTC) - timedelta(days=30)
    for question_id in ("tui-tf", "tui-numeric"):  # answered wrongly a month ago: due now
        store.record_attempt(
            "ada",
            question_id=question_id,
            bank_id="tui-sample",
            bank_version=1,
            answer=None,
            correct=False,
            score=0.0,
            seconds=20.0,
            at=long_ago,
        )
    store.close()

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sorted(app.screen.due_ids) == ["tui-numeric", "tui-tf"]
        await pilot.press("r")
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.study.mode == "review"
        assert sorted(quiz.study.question_ids) == ["tui-numeric", "tui-tf"]
        for _ in range(2):
            if quiz.question.id == "tui-tf":
                await pilot.press("f")
            else:
                await pilot.press(*"1.25", "enter")
            await pilot.pause()
            assert quiz.last_grade.correct
            await pilot.press("n")
            await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.due_ids == []  # answered right: no longer due today

    reviews = [a for a in Store(database).attempts("ada") if a.mode == "review"]
    assert sorted(a.question_id for a in reviews) == ["tui-numeric", "tui-tf"]


async def test_arrow_keys_pick_the_chapter_on_the_home_screen(app_factory, tmp_path):
    import shutil

    banks = tmp_path / "banks"
    shutil.copytree(FIXTURE_BANKS, banks)
    second = (FIXTURE_BANKS / "tui-sample.yaml").read_text()
    second = second.replace("id: tui-sample", "id: tui-second").replace("id: tui-", "id: two-")
    second = second.replace("title: TUI sample bank", "title: Zweite Bank")
    (banks / "second.yaml").write_text(second)
    app = app_factory(banks_dir=banks)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert app.screen.question.id.startswith("two-")
