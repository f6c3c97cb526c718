"""The host's screen of a quiz night: lobby, question and countdown, reveal, podium.

`NightStageScreen` draws whatever phase the night in the database is in and polls it a few
times a second; the host's keys move the night on. The room host uses it as it is; the
one-screen game (night_hotseat.py) adds the players' answering to it.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from studybuddy.errors import StudyBuddyError
from studybuddy.night.records import NightState, Phase
from studybuddy.tui.screens.base import StudyScreen
from studybuddy.tui.widgets.feedback import correct_answer_text
from studybuddy.tui.widgets.night_board import Countdown, Podium, Scoreboard, question_markup

if TYPE_CHECKING:
    from studybuddy.banks.models import AnyQuestion
    from studybuddy.night.room import Night


TICK_SECONDS = 0.25
# what the scoreboard under the question shows in each phase
BOARD_TITLES: dict[Phase, str] = {
    "lobby": "Players",
    "question": "Who has answered",
    "reveal": "Leaderboard",
    "finished": "Final standings",
}
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


def reveal_markup(question: AnyQuestion, *, show_me_key: bool = True) -> str:
    lines = [f"[b]Answer:[/] {escape(correct_answer_text(question))}", escape(question.explanation)]
    if question.source:
        lines.append(f"[dim]Source: {escape(question.source)}[/]")
    if show_me_key and question.show_me is not None:
        lines.append(
            f"[b]s[/] shows the computation behind it ([i]{escape(question.show_me.demo)}[/])"
        )
    return "\n\n".join(lines)


class NightPolled(Message):
    """A read of the night's state, made in a worker: the state, or why it could not be read."""

    def __init__(self, number: int, state: NightState | None, error: Exception | None) -> None:
        super().__init__()
        self.number = number
        self.state = state
        self.error = error


class PolledNightScreen(StudyScreen[None]):
    """A screen that reads the night's state from the database a few times a second.

    The regular reads run in a worker thread, since SQLite may wait seconds on another
    program's lock; `tick()` reads at once, after a key that changed the night. Every read is
    numbered, so a slow one never draws over a newer one. A database error (a lock, a dropped
    PostgreSQL connection) usually passes, so it is said once and polling goes on; the next
    good read clears it.
    """

    POLL_SECONDS = TICK_SECONDS

    def __init__(self) -> None:
        super().__init__()
        self._error_shown = False
        self._reads = 0  # reads started
        self._shown = 0  # number of the read now on screen
        self._reading = False  # a worker's read is under way

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
        """Where answers are given: a player's input, the one-screen game's rows of keys."""
        yield from ()

    def title_board(self, state: NightState) -> None:
        self.query_one("#night-board-title", Static).update(f"[b]{BOARD_TITLES[state.phase]}[/]")

    def poll(self) -> NightState:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def draw(self, state: NightState) -> None:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def start_polling(self) -> None:
        self.tick()
        self.set_interval(self.POLL_SECONDS, self._poll_in_background)

    def _read(self) -> tuple[NightState | None, Exception | None]:
        try:
            return self.poll(), None
        except StudyBuddyError as exc:
            return None, exc

    def tick(self) -> None:
        """Read the night now, on this thread, and draw it."""
        self._reads += 1
        self._settle(self._reads, *self._read())

    def _poll_in_background(self) -> None:
        if self._reading:  # the last read still waits on the database: no pile-up behind it
            return
        self._reading = True
        self._reads += 1
        self._read_in_worker(self._reads)

    @work(thread=True, group="night-poll", description="reading the night")
    def _read_in_worker(self, number: int) -> None:
        self.post_message(NightPolled(number, *self._read()))

    @on(NightPolled)
    def _polled(self, message: NightPolled) -> None:
        self._reading = False
        self._settle(message.number, message.state, message.error)

    def _settle(self, number: int, state: NightState | None, error: Exception | None) -> None:
        if number < self._shown:
            return  # a read older than the one on screen
        if error is not None:
            if not self._error_shown:
                self.notify(str(error), severity="error", timeout=8)
                self._error_shown = True
            return
        assert state is not None
        self._shown = number
        self._error_shown = False
        self.draw(state)


class NightStageScreen(PolledNightScreen):
    CSS_PATH = NIGHT_CSS
    BINDINGS = [
        Binding("escape", "leave", "Leave", id="night.leave"),
        Binding("n", "next", "Next", id="night.next"),
        Binding("s", "show_me", "Show me", id="night.show_me"),
    ]

    def __init__(self, night: Night) -> None:
        super().__init__()
        self.night = night
        self.state: NightState | None = None
        self.drawn: tuple[str, int] | None = None  # (phase, question) now on screen

    @property
    def question(self) -> AnyQuestion:
        assert self.state is not None and self.state.current >= 0
        return self.night.question(self.state.current)

    def on_mount(self) -> None:
        self.start_polling()

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
        now = ""
        if state.is_warm_up and state.phase in ("question", "reveal"):
            now += " · [b]warm-up: no points[/]"
        if state.talk_remaining > 0:
            now += f" · [b]team talk: answers open in {math.ceil(state.talk_remaining)} s[/]"
        return f"[b]{escape(state.title)}[/] · {where} · {players}{teams}{now}"

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
            rules = ", ".join(self.night.settings.rules())
            question.update(
                f"[b]The night is over.[/] Well played, everyone!\n[dim]Rules: {escape(rules)}.[/]"
            )
            podium.show(state)
        self.query_one("#night-body", VerticalScroll).scroll_home(animate=False)

    def draw_board(self, state: NightState) -> None:
        live = state.phase in ("lobby", "question")
        self.title_board(state)
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
        if self.state is not None and self.state.phase == "lobby" and not self.state.players:
            self.notify("Wait for at least one player to join.", timeout=3)
            return
        try:
            self.night.advance()
        except StudyBuddyError as exc:
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
        if state is None or state.phase == "finished":
            leave_night_screen(self)
            return
        from studybuddy.tui.screens.confirm import ConfirmScreen

        if state.kind == "room":
            detail = (
                f"Room {state.code} stays open: `studybuddy night host --resume {state.code}` "
                "carries on."
            )
        else:  # nothing else can pick a one-screen night up again
            detail = "This one-screen night ends here; the scores so far are kept."
        self.app.push_screen(
            ConfirmScreen("Leave the night while it is running?", detail), self._leave_if
        )

    def _leave_if(self, yes: bool | None) -> None:
        if not yes:
            return
        state = self.state
        if state is not None and state.kind == "room":
            self.notify(
                f"Room {state.code} stays open: `studybuddy night host --resume {state.code}` "
                "carries on.",
                timeout=6,
            )
        leave_night_screen(self)


class NightHostScreen(NightStageScreen):
    """A room: players answer from their own terminals; this screen is the projector's."""
