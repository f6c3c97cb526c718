"""The learner is remembered: never an invented "me", never an empty picker."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from studybuddy.cli import app as cli
from studybuddy.store import Store
from studybuddy.tui.app import make_app
from studybuddy.tui.screens.home import HomeScreen
from studybuddy.tui.screens.settings import LearnerScreen

FIXTURE_BANKS = Path(__file__).parent / "fixtures" / "banks"
SIZE = (100, 30)


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _status(app) -> str:
    return str(app.screen.query_one("#home-status").render())


async def test_first_launch_asks_a_name_then_the_next_launch_remembers_it(database):
    app = make_app(database=database, banks_dir=FIXTURE_BANKS)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, LearnerScreen)
        assert not dialog.query_one("#learners").display  # no empty list
        assert "What is your name" in str(dialog.query_one("#learner-question").render())
        await pilot.press("escape")  # a first launch cannot skip the name
        await pilot.pause()
        assert app.screen is dialog
        await pilot.press(*"Dana", "enter")
        await _settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.profile == "Dana"
        assert "Dana" in _status(app)
        # one answer, so Dana has a history to come back to
        await pilot.press("enter", "2")
        await _settle(pilot)

    store = Store(database)
    assert [learner.name for learner in store.learners()] == ["Dana"]
    assert len(store.attempts("Dana")) == 1
    store.close()

    again = make_app(database=database, banks_dir=FIXTURE_BANKS)
    async with again.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert isinstance(again.screen, HomeScreen)  # nobody asked
        assert again.profile == "Dana"
        assert "Learner Dana" in _status(again)
        assert "me" not in [learner for learner in again.session.learner_names()]


async def test_the_only_learner_is_chosen_and_switching_is_remembered(database):
    store = Store(database)
    store.add_learner("Bo")
    store.close()
    app = make_app(database=database, banks_dir=FIXTURE_BANKS)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.profile == "Bo"
        await pilot.press("l")
        await _settle(pilot)
        picker = app.screen
        assert isinstance(picker, LearnerScreen)
        assert picker.query_one("#learners").display
        picker.query_one("#new-learner").focus()
        await pilot.press(*"Cy", "enter")
        await _settle(pilot)
        assert app.profile == "Cy"

    # two learners now: the one chosen last wins
    again = make_app(database=database, banks_dir=FIXTURE_BANKS)
    async with again.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert again.profile == "Cy"
        assert isinstance(again.screen, HomeScreen)


async def test_several_learners_and_none_remembered_shows_the_picker(database):
    store = Store(database)
    store.add_learner("Bo")
    store.add_learner("Cy")
    store.close()
    app = make_app(database=database, banks_dir=FIXTURE_BANKS)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, LearnerScreen)
        assert app.screen.query_one("#learners").option_count == 2


def _record(store: Store, learner: str) -> None:
    store.record_attempt(
        learner,
        question_id="tui-mc",
        bank_id="tui-sample",
        bank_version=1,
        answer=[1],
        correct=True,
        score=1.0,
        seconds=3.0,
    )


def test_report_without_profile_uses_the_only_learner(database, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = Store(database)
    _record(store, "Dana")
    store.close()
    result = CliRunner().invoke(cli, ["--db", database, "report", "-f", "md", "-o", "r.md"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# Progress report: Dana")


def test_report_follows_the_remembered_learner_and_asks_when_unsure(
    database, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    store = Store(database)
    _record(store, "Dana")
    _record(store, "Eli")
    store.close()
    result = CliRunner().invoke(cli, ["--db", database, "report", "-f", "md", "-o", "r.md"])
    assert result.exit_code == 2
    assert "--profile" in result.output and "Dana" in result.output

    from studybuddy.study.learners import LastLearner

    LastLearner().remember(database, "Eli")
    result = CliRunner().invoke(cli, ["--db", database, "report", "-f", "md", "-o", "r.md"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# Progress report: Eli")


def test_profile_rename_moves_the_remembered_learner(database):
    from studybuddy.study.learners import LastLearner

    store = Store(database)
    store.add_learner("Dana")
    store.close()
    LastLearner().remember(database, "Dana")
    result = CliRunner().invoke(cli, ["--db", database, "profile", "rename", "Dana", "Dee"])
    assert result.exit_code == 0, result.output
    assert LastLearner().get(database) == "Dee"


async def test_help_and_progress_follow_the_retention_the_learner_set(app_factory):
    from studybuddy.tui.screens.help import HelpScreen
    from studybuddy.tui.screens.settings import SettingsScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert "at least 90 %" in str(app.screen.query_one("#help-text").render())
        await pilot.press("escape", "o")
        await _settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        field = app.screen.query_one("#retention")
        field.value = "0.85"
        field.focus()
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "at least 85 %" in str(app.screen.query_one("#help-text").render())
        await pilot.press("escape", "p")
        await _settle(pilot)
        assert "≥ 85 %" in str(app.screen.query_one("#mastery-heading").render())
