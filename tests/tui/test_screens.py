"""The secondary screens: help, demo browser, settings, learner switching, progress."""

from __future__ import annotations

from textual.widgets import Input

from studybuddy.store import Store
from studybuddy.tui.screens.demos import DemoBrowserScreen
from studybuddy.tui.screens.help import HelpScreen
from studybuddy.tui.screens.home import HomeScreen
from studybuddy.tui.screens.progress import ProgressScreen
from studybuddy.tui.screens.settings import LearnerScreen, SettingsScreen
from studybuddy.tui.screens.show_me import ShowMeScreen

SIZE = (100, 32)


async def test_help_lists_the_keys_of_the_screen_below(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "Review due" in text and "Progress" in text
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_demo_browser_opens_a_demo(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DemoBrowserScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ShowMeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.result is not None


async def test_show_me_refuses_an_out_of_range_parameter_with_the_range(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ShowMeScreen("softmax-scaling", {"d_k": 8}))
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen = app.screen
        field = screen.query_one("#param-d_k", Input)
        field.value = "999999"
        field.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        error = str(screen.query_one("#demo-error").render())
        assert "allowed: 1 to 4096" in error
        assert screen.result.params["d_k"] == 8  # the last good result stays


async def test_settings_saves_desired_retention(app_factory, database):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        field = app.screen.query_one("#retention", Input)
        assert field.value == "0.90"
        field.value = "1.5"
        field.focus()
        await pilot.press("enter")
        assert "outside" in str(app.screen.query_one("#retention-status").render())
        field.value = "0.85"
        await pilot.press("enter")
    assert Store(database).settings("ada").desired_retention == 0.85


async def test_switching_to_a_new_learner(app_factory, database):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LearnerScreen)
        await app.workers.wait_for_complete()
        app.screen.query_one("#new-learner", Input).focus()
        await pilot.press(*"grace", "enter")
        await pilot.pause()
        assert app.profile == "grace"
        await app.workers.wait_for_complete()
        await pilot.press("enter", "2")  # answer as grace
        await pilot.pause()
    assert [a.question_id for a in Store(database).attempts("grace")] == ["tui-mc"]
    assert Store(database).attempts("ada") == []


async def test_progress_screen_shows_the_store_numbers(app_factory, database):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter", "2", "n", "2", "enter", "escape")  # one right, one wrong
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProgressScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        stats = app.screen.stats
        assert stats.attempts == 2 and stats.correct == 1
        assert stats.questions_seen == 2 and stats.questions_total == 7
        summary = str(app.screen.query_one("#progress-summary").render())
        assert "2 of 7 questions seen" in summary and "accuracy 50%" in summary


async def test_training_steps_stream_progress_into_the_show_me_screen(app_factory, monkeypatch):
    seen = []
    original = ShowMeScreen._show_progress

    def spy(self, done, total, message):
        seen.append((done, total))
        original(self, done, total, message)

    monkeypatch.setattr(ShowMeScreen, "_show_progress", spy)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ShowMeScreen("train-steps", {"steps": 3}))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.result.params["steps"] == 3
    assert seen[-1] == (3, 3)


async def test_an_unknown_demo_says_so_instead_of_crashing(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ShowMeScreen("no-such-demo", {}))
        await pilot.pause()
        assert "no demo called 'no-such-demo'" in str(app.screen.query_one("#demo-error").render())


async def test_recent_sessions_are_the_newest_newest_first(app_factory, database):
    from datetime import UTC, datetime, timedelta

    from studybuddy.tui.screens.progress import SESSIONS_SHOWN

    first = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    starts = [first + timedelta(days=day) for day in range(SESSIONS_SHOWN + 2)]
    store = Store(database)
    for number, start in enumerate(starts, start=1):
        # session n: n answers a minute apart, so each row of the table says which it is
        for answer in range(number):
            store.record_attempt(
                "ada",
                question_id="tui-mc",
                bank_id="tui-sample",
                bank_version=1,
                answer=[0],
                correct=True,
                score=1.0,
                seconds=5.0,
                at=start + timedelta(minutes=answer),
            )
    store.close()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#sessions")
        shown = [table.get_row_at(i) for i in range(table.row_count)]
    assert len(starts) > SESSIONS_SHOWN == len(shown)
    newest_first = starts[::-1][:SESSIONS_SHOWN]
    # a session starts when its first answer's timer started: 5 s before it was saved
    assert [row[0] for row in shown] == [
        (s - timedelta(seconds=5)).astimezone().strftime("%Y-%m-%d %H:%M") for s in newest_first
    ]
    assert [row[1] for row in shown] == [str(n) for n in range(len(starts), 2, -1)]
