"""Show me: run a demo in a worker (torch loads there on first use) and show its numbers."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, LoadingIndicator, Static

from studybuddy.demos.base import DemoResult


class ShowMeScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, demo_id: str, params: dict[str, Any]) -> None:
        super().__init__()
        self.demo_id = demo_id
        self.params = params
        self.result: DemoResult | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield LoadingIndicator(id="demo-loading")
        with VerticalScroll():
            yield Static(id="demo-body")
        yield Footer()

    def on_mount(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True, group="demo")
    def compute(self) -> None:
        from studybuddy.demos import DemoError, run_demo

        try:
            result = run_demo(self.demo_id, self.params)
        except DemoError as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        self.app.call_from_thread(self._show, result)

    def _show(self, result: DemoResult) -> None:
        from studybuddy.demos.render import render_result

        self.result = result
        self.query_one("#demo-loading").display = False
        self.query_one("#demo-body", Static).update(render_result(result))

    def _show_error(self, message: str) -> None:
        self.query_one("#demo-loading").display = False
        body = self.query_one("#demo-body", Static)
        body.add_class("error")
        body.update(f"[red]{escape(message)}[/]")
