"""Show me: a demo's parameters as inputs, its result recomputed in a worker on every change.

torch is imported inside the worker the first time a demo runs, so the loading indicator covers
that one-off second and the interface never freezes.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Footer,
    Header,
    Input,
    Label,
    LoadingIndicator,
    ProgressBar,
    Static,
)

from studybuddy.demos.base import DemoResult, parse_value
from studybuddy.demos.code import CodeExcerpt
from studybuddy.tui.screens.base import StudyScreen


def _format(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


class ParamInput(Horizontal):
    # A framed input (its border lights up when focused), its name level with the text inside.
    DEFAULT_CSS = """
    ParamInput { height: 3; }
    ParamInput Label { width: 18; padding: 1 1 0 0; text-align: right; }
    ParamInput Input { width: 1fr; max-width: 60; }
    """

    def __init__(self, name: str, value: Any, description: str) -> None:
        super().__init__()
        self.param_name = name
        self.default = value
        self.description = description

    def compose(self) -> ComposeResult:
        yield Label(escape(self.param_name))
        yield Input(
            _format(self.default),
            id=f"param-{self.param_name}",
            tooltip=self.description or None,
        )

    @property
    def value(self) -> Any:
        return parse_value(self.query_one(Input).value, self.default)


class ShowMeScreen(StudyScreen[None]):
    # Keys an Input does not take, so they work while a parameter is being edited.
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="show.back"),
        Binding("ctrl+r", "recompute", "Recompute", id="show.recompute"),
        Binding("ctrl+o", "toggle_code", "Code", id="show.code"),
        Binding("pagedown,ctrl+down", "scroll_result(1)", "Scroll", id="show.scroll_down"),
        Binding(
            "pageup,ctrl+up", "scroll_result(-1)", "Scroll up", show=False, id="show.scroll_up"
        ),
    ]

    def __init__(self, demo_id: str, params: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.demo_id = demo_id
        self.initial = dict(params or {})
        self.result: DemoResult | None = None
        self.code: list[CodeExcerpt] = []
        self.runs = 0
        self.failed = False  # the last run ended in an error
        self.show_code = True

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="demo-scroll"):
            yield from self._demo_widgets()
        yield Footer()

    def _demo_widgets(self) -> ComposeResult:
        from pydantic import ValidationError

        from studybuddy.demos import DemoError, get_demo

        try:
            demo = get_demo(self.demo_id)
            # What the learner last ran here, under what the question asks for.
            wanted = {**self.app.session.demo_edits.get(self.demo_id, {}), **self.initial}
            known = {k: v for k, v in wanted.items() if k in demo.params_model.model_fields}
            defaults = demo.params_model.model_validate(known).model_dump()
        except (DemoError, ValidationError) as exc:
            yield Static(f"[red]{escape(str(exc))}[/]", id="demo-error")
            return
        yield Static(f"[b]{escape(demo.title)}[/]  [dim]{escape(demo.summary)}[/]", id="demo-title")
        for name, field in demo.params_model.model_fields.items():
            if name == "seed" and not demo.random:
                continue  # the numbers do not depend on it: an input would only mislead
            yield ParamInput(name, defaults[name], field.description or "")
        yield Static(
            "[dim]Edit a value and press Enter to recompute; PgDn/PgUp scroll the result, "
            "Ctrl+O shows or hides the code.[/]",
            id="demo-hint",
        )
        yield Static("", id="demo-error")
        yield Static("", id="model-status")
        yield LoadingIndicator(id="demo-loading")
        yield ProgressBar(id="demo-progress", show_eta=False)
        yield Static(id="demo-body")
        yield Static(id="demo-code")

    def on_mount(self) -> None:
        for bar in self.query("#demo-progress"):
            bar.display = False
        self._show_model_status()
        self.set_interval(0.5, self._show_model_status)
        if self.query("ParamInput"):
            self.action_recompute()
            self.query(Input).first().focus()

    def _show_model_status(self) -> None:
        """While the app loads SmolLM2 in its worker, say so and for how long; a demo on it
        waits for that load (the loading indicator below keeps turning)."""
        # (the quiz-night host app shows demos too, and loads no model ahead)
        text = getattr(self.app, "model_loading_text", lambda: "")()
        for status in self.query("#model-status").results(Static):
            status.display = bool(text)
            status.update(f"[dim]{escape(text)}[/]")

    def current_params(self) -> dict[str, Any]:
        return {p.param_name: p.value for p in self.query(ParamInput)}

    def action_toggle_code(self) -> None:
        self.show_code = not self.show_code
        self.query_one("#demo-code").display = self.show_code

    def action_scroll_result(self, pages: int) -> None:
        scroll = self.query_one("#demo-scroll", VerticalScroll)
        if pages > 0:
            scroll.scroll_page_down()
        else:
            scroll.scroll_page_up()

    @on(Input.Submitted)
    def _param_changed(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_recompute()

    def action_recompute(self) -> None:
        self.query_one("#demo-loading").display = True
        self.compute(self.current_params())

    @work(thread=True, exclusive=True, group="demo", description="running demo")
    def compute(self, params: dict[str, Any]) -> None:
        from studybuddy.demos import DemoError, get_demo, run_demo
        from studybuddy.demos.code import code_excerpts

        def progress(done: int, total: int, message: str) -> None:
            # training steps report as they go; the bar shows how far along they are
            self.app.call_from_thread(self._show_progress, done, total, message)

        try:
            result = run_demo(self.demo_id, params, on_progress=progress)
            code = self.code or code_excerpts(get_demo(self.demo_id))
        except DemoError as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        except Exception as exc:  # a demo bug must not take the app down
            self.app.call_from_thread(self._show_error, f"the computation failed: {exc}")
            return
        self.app.call_from_thread(self._show, result, params, code)

    def _show_progress(self, done: int, total: int, message: str) -> None:
        bar = self.query_one("#demo-progress", ProgressBar)
        bar.display = True
        bar.update(total=total, progress=done)
        self.query_one("#demo-error", Static).update(f"[dim]{escape(message)}[/]")

    def _show(self, result: DemoResult, params: dict[str, Any], code: list[CodeExcerpt]) -> None:
        from studybuddy.demos.render import render_code, render_result

        self.result = result
        self.failed = False
        self.app.session.demo_edits[self.demo_id] = params
        self.runs += 1
        self.query_one("#demo-loading").display = False
        self.query_one("#demo-progress").display = False
        self.query_one("#demo-error", Static).update("")
        width = max(40, min(self.size.width - 4, 110))
        self.query_one("#demo-body", Static).update(render_result(result, width=width))
        if code is not self.code:
            self.code = code
            self.query_one("#demo-code", Static).update(render_code(code))

    def _show_error(self, message: str) -> None:
        self.failed = True
        self.query_one("#demo-loading").display = False
        self.query_one("#demo-error", Static).update(f"[red]{escape(message)}[/]")
