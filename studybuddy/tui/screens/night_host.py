"""The host's screen of a quiz night: lobby, question and countdown, reveal, podium.

`NightStageScreen` draws whatever phase the night in the database is in and polls it a few
times a second; the host's keys move the night on. The room host uses it as it is; the
one-screen game (night_hotseat.py) adds the players' answering to it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from studybuddy.night.errors import NightError
from studybuddy.night.records import NightState
from studybuddy.tui.widgets.feedback import correct_answer_text
from studybuddy.tui.widgets.night_board import Countdown, Podium, Scoreboard, question_markup

TICK_SECONDS = 0.25
NIGHT_CSS = Path(__file__).parent.parent / "night.tcss"


def leave_night_screen(screen: Screen) -> None:
    """Back to where the night was started from; `studybuddy night …` has nowhere to go back
    to, so there leaving the first screen ends the program."""
    app = screen.app
    if getattr(app, "night_entry", None) is screen:
        app.exit()
    else:
        screen.dismiss()


async def focus_when_mounted(mounted: Awaitable[Any], widget: Any) -> None:
    """Focus an answer input once it is mounted (and only if it is still there)."""
    await mounted
    if widget.is_attached:
        widget.focus_input()


def reveal_markup(question: Any, *, show_me_key: bool = True) -> str:
    lines = [f"[b]Answer:[/] {escape(correct_answer_text(question))}", escape(question.explanation)]
    if question.source:
        lines.append(f"[dim]Source: {escape(question.source)}[/]")
    if show_me_key and question.show_me is not None:
        lines.append(
            f"[b]s[/] shows the computation behind it ([i]{escape(question.show_me.demo)}[/])"
        )
    return "\n\n".join(lines)


class PolledNightScreen(Screen[None]):
    """A screen that reads the night's state from the database a few times a second.

    A database error (a lock, a dropped PostgreSQL connection) usually passes, so it is said
    once and polling goes on; the next good read clears it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._error_shown = False

    def poll(self) -> NightState:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def draw(self, state: NightState) -> None:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def tick(self) -> None:
        from studybuddy.store import StoreError

        try:
            state = self.poll()
        except (StoreError, NightError) as exc:
            if not self._error_shown:
                self.notify(str(exc), severity="error", timeout=8)
                self._error_shown = True
            return
        self._error_shown = False
        self.draw(state)


class NightStageScreen(PolledNightScreen):
    CSS_PATH = NIGHT_CSS
    BINDINGS = [
        Binding("escape", "leave", "Leave", id="night.leave"),
        Binding("n", "next", "Next", id="night.next"),
        Binding("s", "show_me", "Show me", id="night.show_me"),
    ]

    def __init__(self, night: Any) -> None:
        super().__init__()
        self.night = night
        self.state: NightState | None = None
        self.drawn: tuple[str, int] | None = None  # (phase, question) now on screen

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="night-banner")
        with VerticalScroll(id="night-body"):
            yield Static(id="night-question")
            yield Countdown(id="night-countdown")
            yield from self.compose_answering()
            yield Static(id="night-reveal")
            yield Podium(id="night-podium")
            yield Static(id="night-board-title", classes="section")
            yield Scoreboard(id="night-board")
        yield Footer()

    def compose_answering(self) -> ComposeResult:
        """The one-screen game puts the players' answer inputs here."""
        yield from ()

    @property
    def question(self) -> Any:
        assert self.state is not None and self.state.current >= 0
        return self.night.question(self.state.current)

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(TICK_SECONDS, self.tick)

    # -- polling ---------------------------------------------------------------------------------
    def poll(self) -> NightState:
        return self.night.host_tick()

    def draw(self, state: NightState) -> None:
        self.state = state
        key = (state.phase, state.current)
        fresh = key != self.drawn
        self.drawn = key
        self.query_one("#night-banner", Static).update(self.banner(state))
        if fresh:
            self.draw_phase(state)
            self.refresh_bindings()
        countdown = self.query_one(Countdown)
        countdown.display = state.phase == "question"
        if state.phase == "question":
            countdown.show(*self.countdown(state))
        self.draw_board(state)

    def countdown(self, state: NightState) -> tuple[float, float]:
        return state.remaining, state.timer

    def banner(self, state: NightState) -> str:
        where = "one screen" if state.kind == "hot-seat" else f"room [b reverse] {state.code} [/]"
        teams = " · teams" if state.teams else ""
        players = f"{len(state.players)} player{'s' if len(state.players) != 1 else ''}"
        return f"[b]{escape(state.title)}[/] · {where} · {players}{teams}"

    def draw_phase(self, state: NightState) -> None:
        question = self.query_one("#night-question", Static)
        reveal = self.query_one("#night-reveal", Static)
        podium = self.query_one(Podium)
        reveal.display = state.phase == "reveal"
        podium.display = state.phase == "finished"
        if state.phase == "lobby":
            question.update(self.lobby_markup(state))
        elif state.phase in ("question", "reveal"):
            question.update(question_markup(self.question, state.current + 1, state.question_count))
            if state.phase == "reveal":
                reveal.update(reveal_markup(self.question))
        else:
            question.update("[b]The night is over.[/] Well played, everyone!")
            podium.show(state)
        self.query_one("#night-body", VerticalScroll).scroll_home(animate=False)

    def draw_board(self, state: NightState) -> None:
        live = state.phase in ("lobby", "question")
        titles = {
            "lobby": "Players",
            "question": "Who has answered",
            "reveal": "Leaderboard",
            "finished": "Final standings",
        }
        self.query_one("#night-board-title", Static).update(f"[b]{titles[state.phase]}[/]")
        self.query_one(Scoreboard).show(state, live=live)

    def lobby_markup(self, state: NightState) -> str:
        location = escape(self.night.store.location)
        return (
            f"Players join with\n\n    [b]studybuddy night join {state.code} --name NAME[/]"
            + (" --team TEAM" if state.teams else "")
            + f"\n\non the same database ({location}).\n\nPress [b]n[/] to start."
        )

    # -- keys ------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.state
        if state is None:
            return True
        if action == "show_me":
            return state.phase == "reveal" and self.question.show_me is not None
        if action == "next":
            if state.phase == "lobby":
                return bool(state.players)
            return state.phase != "finished"
        return True

    def action_next(self) -> None:
        from studybuddy.store import StoreError

        if self.state is not None and self.state.phase == "lobby" and not self.state.players:
            self.notify("Wait for at least one player to join.", timeout=3)
            return
        try:
            self.night.advance()
        except (StoreError, NightError) as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return
        self.tick()

    def action_show_me(self) -> None:
        from studybuddy.tui.screens.show_me import ShowMeScreen

        if self.state is None or self.state.phase != "reveal":
            return
        show_me = self.question.show_me
        if show_me is not None:
            self.app.push_screen(ShowMeScreen(show_me.demo, dict(show_me.params)))

    def action_leave(self) -> None:
        state = self.state
        if state is not None and state.phase != "finished" and state.kind == "room":
            self.notify(
                f"Room {state.code} stays open: `studybuddy night host --resume {state.code}` "
                "carries on.",
                timeout=6,
            )
        leave_night_screen(self)


class NightHostScreen(NightStageScreen):
    """A room: players answer from their own terminals; this screen is the projector's."""
