"""The quiz-night set-up screen as a host meets it: marks, focus, order, fit; and leaving a
running night."""

from __future__ import annotations

import pytest
from rich.console import Console
from test_night_hotseat import NIGHT_BANKS, FakeClock, ready

from studybuddy.night.results import load_night_results
from studybuddy.store import Store
from studybuddy.study.catalog import shelf_order
from studybuddy.tui.app import make_app
from studybuddy.tui.screens.confirm import ConfirmScreen
from studybuddy.tui.screens.night import NightSetupScreen
from studybuddy.tui.screens.night_hotseat import HotSeatScreen
from studybuddy.tui.widgets.night_board import Scoreboard
from studybuddy.tui.widgets.toggles import TickBox, TickList

SIZES = [(80, 24), (120, 40)]


def rows_of(widget) -> list[str]:
    """The widget's lines as drawn (after its render_line)."""
    return ["".join(seg.text for seg in widget.render_line(y)) for y in range(widget.size.height)]


async def open_setup(pilot) -> NightSetupScreen:
    await pilot.pause()
    await pilot.press("g")
    await pilot.pause()
    setup = pilot.app.screen
    assert isinstance(setup, NightSetupScreen)
    return setup


async def test_only_ticked_rows_and_boxes_show_a_mark(database):
    app = make_app(database=database, profile="ada", banks_dir=NIGHT_BANKS)
    async with app.run_test(size=(120, 40)) as pilot:
        setup = await open_setup(pilot)
        chapters = setup.query_one("#night-chapters", TickList)
        chapters.select("night-sample/training")
        await pilot.pause()
        marks = {}
        for row in rows_of(chapters):
            if "▌" in row:
                button, label = row.split("▌", 1)
                marks[label.strip()] = button.strip("▐ ")
        assert marks == {
            "★ The group's weakest topics": "",
            "Night sample bank · Attention (4)": "",
            "Night sample bank · Training (4)": "X",
        }
        teams, speed = (
            setup.query_one("#night-teams", TickBox),
            setup.query_one("#night-speed", TickBox),
        )
        assert (teams.value, speed.value) == (False, True)
        assert teams._button.plain == "▐ ▌" and speed._button.plain == "▐X▌"
        teams.value = True
        assert teams._button.plain == "▐X▌"


async def test_focus_starts_on_the_questions_and_tab_cannot_change_the_mode(database):
    app = make_app(database=database, profile="ada", banks_dir=NIGHT_BANKS)
    async with app.run_test(size=(80, 24)) as pilot:
        setup = await open_setup(pilot)
        assert app.focused is setup.query_one("#night-chapters")
        # a host tabbing and pressing arrows and Space through the form keeps the mode
        for key in ("tab", "down", "space", "tab", "up", "space", "shift+tab", "shift+tab"):
            await pilot.press(key)
        await pilot.pause()
        assert setup.mode == "mode-in-turn"
        assert setup.query_one("#night-mode").value == "mode-in-turn"
        # past Start, Tab comes round to a control, never to the form itself (typing lost)
        setup.query_one("#night-start").focus()
        await pilot.press("tab")
        assert app.focused is setup.query_one("#night-mode")


async def test_banks_are_listed_in_the_home_screens_order(database):
    app = make_app(database=database, profile="ada", banks_dir=NIGHT_BANKS)
    async with app.run_test(size=(120, 40)) as pilot:
        setup = await open_setup(pilot)
        chapters = setup.query_one("#night-chapters", TickList)
        listed = [chapters.get_option_at_index(i).value for i in range(chapters.option_count)]
        banks = shelf_order(app.session.banks.banks)
        expected = [f"{b.id}/{c.id}" for b in banks for c in b.chapters]
        assert [key for key in listed if key != "@weakest"] == [
            key for key in expected if key in listed
        ]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_start_is_in_sight_at_every_size(database, size):
    app = make_app(database=database, profile="ada", banks_dir=NIGHT_BANKS)
    async with app.run_test(size=size) as pilot:
        setup = await open_setup(pilot)
        start = setup.query_one("#night-start").region
        width, height = size
        assert start.height == 3 and start.bottom <= height - 1  # above the footer
        assert start.right <= width


async def test_esc_on_a_running_night_asks_first(database):
    clock = FakeClock()
    app = make_app(database=database, profile="ada", banks_dir=NIGHT_BANKS)
    async with app.run_test(size=(120, 40)) as pilot:
        setup = await open_setup(pilot)
        setup.clock = clock
        setup.query_one("#night-chapters", TickList).select("night-sample/training")
        setup.query_one("#night-count").value = "2"
        setup.query_one("#night-player").focus()
        for name in ("Ann", "Ben"):
            await pilot.press(*name, "enter")
        await pilot.press("ctrl+s")
        await pilot.pause()
        game = app.screen
        assert isinstance(game, HotSeatScreen)
        board = Console(width=120, record=True, color_system=None, file=open("/dev/null", "w"))
        board.print(game.query_one(Scoreboard).content)
        lobby = board.export_text()
        assert "Here" in lobby and "Streak" not in lobby  # nothing to streak before question 1
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: the night goes on
        await pilot.pause()
        assert app.screen is game and game.state.phase == "question"
        await ready(pilot)
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, NightSetupScreen)
    results = load_night_results(Store(database), game.night.code)
    assert [p.name for p in results.players] == ["Ann", "Ben"]
