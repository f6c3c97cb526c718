"""Every screen at 80x24 and at 120x40, compared with approved SVG snapshots.

Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the SVGs before committing them.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studybuddy.store import Store
from studybuddy.tui.app import make_app
from studybuddy.tui.screens.help import HelpScreen
from studybuddy.tui.screens.show_me import ShowMeScreen

FIXTURE_BANKS = Path(__file__).parent / "fixtures" / "banks"

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


@pytest.fixture
def snapshot_app(tmp_path, monkeypatch):
    """The app on the fixture bank with a fixed clock and a database path that prints the same."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "UTC")
    # relative paths, so the settings screen prints the same wherever the checkout lives
    shutil.copytree(FIXTURE_BANKS, tmp_path / "banks")

    def build(with_history: bool = False):
        if with_history:
            store = Store("progress.sqlite3")
            answers = [
                ("tui-mc", True),
                ("tui-tf", False),
                ("tui-numeric", True),
                ("tui-mc", True),
                ("tui-cloze", False),
            ]
            for day, (question_id, correct) in enumerate(answers):
                store.record_attempt(
                    "ada",
                    question_id=question_id,
                    bank_id="tui-sample",
                    bank_version=1,
                    answer=None,
                    correct=correct,
                    score=float(correct),
                    seconds=12.0,
                    at=NOW - timedelta(days=4 - day, hours=1),
                )
            store.close()
        app = make_app(database="progress.sqlite3", profile="ada", banks_dir=Path("banks"))
        app.clock = lambda: 0.0
        app.now = NOW
        return app

    return build


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _after(*keys: str):
    """A run_before that presses keys and waits for the workers they start."""

    async def run(pilot) -> None:
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare, snapshot_app, size):
    assert snap_compare(snapshot_app(with_history=True), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_quiz_question(snap_compare, snapshot_app, size):
    assert snap_compare(snapshot_app(), terminal_size=size, run_before=_after("enter"))


@pytest.mark.parametrize("size", SIZES)
def test_quiz_feedback(snap_compare, snapshot_app, size):
    assert snap_compare(snapshot_app(), terminal_size=size, run_before=_after("enter", "1"))


@pytest.mark.parametrize("size", SIZES)
def test_quiz_short_answer_rating(snap_compare, snapshot_app, size):
    async def answer_short(pilot):
        await _settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        quiz = pilot.app.screen
        quiz.study.position = quiz.study.question_ids.index("tui-short")
        quiz.current_id = "tui-short"
        await quiz.show_question()
        await _settle(pilot)  # the text box has the focus: "s" is typed, not Show me
        await pilot.press(*"softmax saturates", "ctrl+s")
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=answer_short)


@pytest.mark.parametrize("size", SIZES)
def test_show_me(snap_compare, snapshot_app, size):
    async def open_demo(pilot):
        pilot.app.push_screen(ShowMeScreen("softmax-scaling", {"d_k": 64, "n_keys": 4}))
        await _settle(pilot)
        pilot.app.screen.set_focus(None)  # a blinking cursor would make the picture flaky
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=open_demo)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, snapshot_app, size):
    async def open_help(pilot):
        await _settle(pilot)
        pilot.app.push_screen(HelpScreen(pilot.app.screen))
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=open_help)


@pytest.mark.parametrize("size", SIZES)
def test_progress(snap_compare, snapshot_app, size):
    assert snap_compare(snapshot_app(with_history=True), terminal_size=size, run_before=_after("p"))


@pytest.mark.parametrize("size", SIZES)
def test_progress_memory_model(snap_compare, snapshot_app, size):
    """The end of the progress screen: true retention, calibration, the year's heatmap."""

    async def scroll_to_memory(pilot):
        await _after("p")(pilot)
        body = pilot.app.screen.query_one("#progress-body")
        body.scroll_to_widget(
            pilot.app.screen.query_one("#retention-heading"), animate=False, top=True
        )
        await pilot.pause()

    assert snap_compare(
        snapshot_app(with_history=True), terminal_size=size, run_before=scroll_to_memory
    )


@pytest.mark.parametrize("size", SIZES)
def test_demo_browser(snap_compare, snapshot_app, size):
    assert snap_compare(snapshot_app(), terminal_size=size, run_before=_after("d"))


@pytest.mark.parametrize("size", SIZES)
def test_settings(snap_compare, snapshot_app, size):
    async def open_settings(pilot):
        await _after("o")(pilot)
        pilot.app.screen.set_focus(None)  # no blinking cursor in the picture
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=open_settings)


@pytest.mark.parametrize("size", SIZES)
def test_learner_picker(snap_compare, snapshot_app, size):
    async def open_picker(pilot):
        await _after("l")(pilot)
        pilot.app.screen.set_focus(None)  # no blinking cursor in the picture
        await pilot.pause()

    assert snap_compare(snapshot_app(with_history=True), terminal_size=size, run_before=open_picker)


@pytest.mark.parametrize("size", SIZES)
def test_first_launch_asks_a_name(snap_compare, snapshot_app, size):
    async def welcome(pilot):
        from studybuddy.tui.screens.settings import LearnerScreen

        await _settle(pilot)
        pilot.app.push_screen(LearnerScreen(first_launch=True))  # no learner in this database
        await _settle(pilot)
        pilot.app.screen.set_focus(None)
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=welcome)


@pytest.mark.parametrize("size", SIZES)
def test_chapter_sets(snap_compare, snapshot_app, size):
    async def open_sets(pilot):
        from studybuddy.study.sections import Section, families
        from studybuddy.tui.screens.sets import ChapterSetsScreen

        await _settle(pilot)
        _, chapter = pilot.app.session.catalog.find_chapter("tui-sample/every-type")
        found = families(chapter.questions)  # the layout of two sections, cut by hand
        sections = [
            Section(1, "softmax, attention", "pp. 59-60", tuple(found[:4])),
            Section(2, "causal mask, dropout", "", tuple(found[4:])),
        ]
        pilot.app.push_screen(ChapterSetsScreen(chapter.title, sections, {"tui-mc"}, 3))
        await _settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=open_sets)
