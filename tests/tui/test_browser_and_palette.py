"""The demo browser by chapter and section with a search box; the palette's own commands."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from studybuddy.demos import all_demos
from studybuddy.tui.screens.demos import DemoBrowserScreen
from studybuddy.tui.screens.home import HomeScreen
from studybuddy.tui.screens.show_me import ShowMeScreen

SIZE = (100, 32)


def _options(screen) -> list[tuple[str | None, str, bool]]:
    demo_list = screen.query_one("#demo-list", OptionList)
    return [
        (o.id, str(o.prompt), o.disabled)
        for o in (demo_list.get_option_at_index(i) for i in range(demo_list.option_count))
    ]


async def test_browser_lists_every_demo_once_under_its_chapter_heading(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        options = _options(app.screen)
        ids = [i for i, _, disabled in options if not disabled]
        assert sorted(ids) == sorted(all_demos())
        headings = [text for i, text, disabled in options if disabled]
        assert headings[:3] == [
            "[b $accent]Chapter 1: Understanding large language models[/]",
            "[b $accent]Chapter 2: Working with text data[/]",
            "[b $accent]Chapter 3: Coding attention mechanisms[/]",
        ]
        # causal-mask sits under chapter 3, section 3.5
        position = [i for i, _, _ in options].index("causal-mask")
        above = [text for _, text, disabled in options[:position] if disabled]
        assert "Chapter 3" in above[-1]
        assert "3.5 causal attention" in options[position][1]  # the first demo of 3.5


async def test_typing_searches_and_enter_opens_the_first_match(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(DemoBrowserScreen())
        await pilot.pause()
        await pilot.press(*"causal")  # typed on the list: lands in the search box
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#demo-search", Input).value == "causal"
        ids = [i for i, _, disabled in _options(screen) if not disabled]
        assert "causal-mask" in ids and "softmax-naive" not in ids
        assert all(
            "causal" in (i + all_demos()[i].summary + all_demos()[i].title).lower()
            or all_demos()[i].section == "3.5"
            for i in ids
        )
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ShowMeScreen)
        assert app.screen.demo_id == ids[0]


async def test_a_search_with_no_match_says_so(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(DemoBrowserScreen())
        await pilot.pause()
        await pilot.press(*"zzzq")
        await pilot.pause()
        (only,) = _options(app.screen)
        assert only[0] is None and "No demo matches" in only[1]


async def _palette(app, pilot, query: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    await pilot.pause(0.6)
    await pilot.press("enter")
    await pilot.pause(0.3)


async def test_palette_opens_a_demo(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        await _palette(app, pilot, "open demo causal-mask")
        assert isinstance(app.screen, ShowMeScreen) and app.screen.demo_id == "causal-mask"


async def test_palette_studies_a_chapter_from_any_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen) and home.rows
        key, row = list(home.rows.items())[-1]
        app.push_screen(DemoBrowserScreen())
        await pilot.pause()
        studied: list[str | None] = []
        home.action_study = lambda: studied.append(home._highlighted_key())  # type: ignore[method-assign]
        await _palette(app, pilot, f"study {row.title}")
        assert app.screen is home and studied == [key]
