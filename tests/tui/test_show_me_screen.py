"""The show-me screen: the code pane, the parameter inputs, scrolling, remembered edits."""

from __future__ import annotations

import inspect
import io

from textual.containers import VerticalScroll
from textual.widgets import Input

from studybuddy.tui.screens.show_me import ShowMeScreen

SIZE = (100, 32)


def _text(widget) -> str:
    """What a Static shows, as plain text (its content may be any Rich renderable)."""
    from rich.console import Console

    console = Console(width=160, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def _open(app, pilot, demo_id, params=None):
    app.push_screen(ShowMeScreen(demo_id, params))
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen


async def test_the_code_pane_shows_the_engine_source_and_ctrl_o_toggles_it(app_factory):
    from studybuddy.engine.attention import CausalAttention

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await _open(app, pilot, "causal-mask")
        pane = screen.query_one("#demo-code")
        shown = _text(pane)
        for line in inspect.getsource(CausalAttention.weights).strip().splitlines():
            assert line.strip() in shown
        assert pane.display
        await pilot.press("ctrl+o")  # an Input has focus: the key still reaches the screen
        assert not pane.display
        await pilot.press("ctrl+o")
        assert pane.display


async def test_seed_is_offered_only_where_it_changes_the_numbers(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await _open(app, pilot, "self-attention-simple")
        assert not screen.query("#param-seed") and screen.query("#param-query_index")
        assert screen.result is not None
        await pilot.press("escape")
        screen = await _open(app, pilot, "causal-mask")
        assert screen.query("#param-seed")


async def test_edited_values_are_kept_when_the_demo_is_opened_again(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await _open(app, pilot, "causal-mask")
        field = screen.query_one("#param-n_tokens", Input)
        field.value = "4"
        field.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.result.params["n_tokens"] == 4
        await pilot.press("escape")
        again = await _open(app, pilot, "causal-mask")
        assert again.query_one("#param-n_tokens", Input).value == "4"
        assert again.result.params["n_tokens"] == 4
        await pilot.press("escape")
        # what a question asks for wins over the learner's last edit
        asked = await _open(app, pilot, "causal-mask", {"n_tokens": 8})
        assert asked.query_one("#param-n_tokens", Input).value == "8"


async def test_page_down_scrolls_the_result_while_an_input_has_focus(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await _open(app, pilot, "causal-mask")
        scroll = screen.query_one("#demo-scroll", VerticalScroll)
        assert isinstance(app.focused, Input) and scroll.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause(0.3)
        assert scroll.scroll_y > 0
        assert isinstance(app.focused, Input)
        await pilot.press("pageup")
        await pilot.pause(0.3)
        assert scroll.scroll_y == 0
