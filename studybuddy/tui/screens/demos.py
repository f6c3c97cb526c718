"""Demo browser: every live computation, one line each; Enter opens it."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from studybuddy.tui.screens.base import StudyScreen


class DemoBrowserScreen(StudyScreen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="demos.back")]

    def compose(self) -> ComposeResult:
        from studybuddy.demos import all_demos

        yield Header()
        yield Static(
            "Every live computation. Enter opens one; you can change its parameters.",
            id="demos-title",
        )
        yield OptionList(
            *[
                Option(f"[b]{escape(d.id)}[/]  {escape(d.summary)}", id=d.id)
                for d in all_demos().values()
            ],
            id="demo-list",
        )
        yield Footer()

    def on_mount(self) -> None:
        demo_list = self.query_one(OptionList)
        if demo_list.option_count:
            demo_list.highlighted = 0
        demo_list.focus()

    @on(OptionList.OptionSelected, "#demo-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        from studybuddy.tui.screens.show_me import ShowMeScreen

        if event.option.id:
            self.app.push_screen(ShowMeScreen(event.option.id))
