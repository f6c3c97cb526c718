"""A player's screen in a room: the host's question with an answer input, then the reveal.

It polls the night in the shared database twice a second. Leaving (or losing the terminal)
costs nothing: joining again under the same name finds the same score.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from studybuddy.errors import StudyBuddyError
from studybuddy.night.records import AnswerResult, NightState, Player, PlayerLine
from studybuddy.tui.screens.night_host import (
    NIGHT_CSS,
    PolledNightScreen,
    focus_when_mounted,
    leave_night_screen,
    reveal_markup,
)
from studybuddy.tui.widgets.answers import (
    AnswerSubmitted,
    AnswerWidget,
    IncompleteAnswer,
    answer_widget_for,
)
from studybuddy.tui.widgets.night_board import (
    Countdown,
    Podium,
    Scoreboard,
    prompt_markup,
    question_markup,
)

if TYPE_CHECKING:
    from studybuddy.banks.models import AnyQuestion
    from studybuddy.night.room import Night


POLL_SECONDS = 0.5


def talk_notice(state: NightState) -> str:
    return f"Team talk: answers open in {math.ceil(state.talk_remaining)} s"


class NightPlayerScreen(PolledNightScreen):
    POLL_SECONDS = POLL_SECONDS
    CSS_PATH = NIGHT_CSS
    BINDINGS = [Binding("escape", "leave", "Leave", id="night.leave")]

    def __init__(self, night: Night, player: Player) -> None:
        super().__init__()
        self.night = night
        self.player = player
        self.state: NightState | None = None
        self.drawn: tuple[str, int] | None = None
        self.results: dict[int, AnswerResult] = {}  # this terminal's answers, by question

    def compose_answering(self) -> ComposeResult:
        yield Vertical(id="night-answering")
        yield Static(id="night-status", classes="section")

    def on_mount(self) -> None:
        if self.player.rejoined:
            self.notify(f"Welcome back, {self.player.name}: your score is kept.", timeout=5)
        self.start_polling()

    @property
    def question(self) -> AnyQuestion:
        assert self.state is not None
        return self.night.question(self.state.current)

    def poll(self) -> NightState:
        self.night.check_in(self.player)  # tells the host this player is still here
        return self.night.state()

    def draw(self, state: NightState) -> None:
        self.state = state
        key = (state.phase, state.current)
        me = state.player(self.player.name)
        host = "" if state.host_connected else " · [yellow]the host is away[/]"
        self.query_one("#night-banner", Static).update(
            f"[b]{escape(state.title)}[/] · room [b reverse] {state.code} [/] · "
            f"you are [b]{escape(self.player.name)}[/]"
            + (f" ({escape(self.player.team)})" if self.player.team else "")
            + (f" · {me.score:,} points" if me else "")
            + host
            + (f" · [b]{talk_notice(state)}[/]" if state.talk_remaining > 0 else "")
        )
        if key != self.drawn:
            self.drawn = key
            self.draw_phase(state, me)
        countdown = self.query_one(Countdown)
        countdown.display = state.phase == "question"
        if state.phase == "question":
            countdown.show(state.remaining, state.timer)
            if state.remaining <= 0 and not (me and me.answered) and self._answer_widget():
                self._close_input("Time is up.")
        live = state.phase in ("lobby", "question")
        self.query_one(Scoreboard).show(state, live=live)

    def draw_phase(self, state: NightState, me: PlayerLine | None) -> None:
        question = self.query_one("#night-question", Static)
        status = self.query_one("#night-status", Static)
        reveal = self.query_one("#night-reveal", Static)
        podium = self.query_one(Podium)
        answering = self.query_one("#night-answering", Vertical)
        answering.remove_children()
        reveal.display = state.phase == "reveal"
        podium.display = state.phase == "finished"
        status.update("")
        self.title_board(state)
        if state.phase == "lobby":
            question.update("Waiting for the host to start the night…")
        elif state.phase == "question":
            question.update(question_markup(self.question, state.current + 1, state.question_count))
            if me is not None and me.answered:
                status.update("[b]Your answer is in.[/] Waiting for the others…")
            else:
                # the answer input lists the choices itself: once is enough
                question.update(
                    prompt_markup(self.question, state.current + 1, state.question_count)
                )
                widget = answer_widget_for(self.question)
                # in a fresh box: the last question's input (same id) may still be on its way out
                mounted = answering.mount(Vertical(widget, classes="night-turn-box"))
                self.call_later(focus_when_mounted, mounted, widget)
        elif state.phase == "reveal":
            question.update(question_markup(self.question, state.current + 1, state.question_count))
            status.update(self._verdict(state, me))
            reveal.update(reveal_markup(self.question, show_me_key=False))
        else:
            question.update("[b]The night is over.[/]")
            ranked = sorted(state.players, key=lambda p: -p.score)
            place = next((i for i, p in enumerate(ranked, 1) if p.name == self.player.name), None)
            status.update(f"You finished [b]#{place}[/] of {len(ranked)}." if place else "")
            podium.show(state)
        self.query_one("#night-body", VerticalScroll).scroll_home(animate=False)

    def _verdict(self, state: NightState, me: PlayerLine | None) -> str:
        if me is None or not me.answered:
            return "[b yellow]No answer this time.[/] Your streak starts again."
        if not me.last_correct:
            return "[b red]Not this time.[/] 0 points; your streak starts again."
        result = self.results.get(state.current)
        bonus = f" (streak bonus +{result.bonus})" if result and result.bonus else ""
        return f"[b green]Right![/] +{me.last_points} points{bonus}."

    def _answer_widget(self) -> AnswerWidget | None:
        found = self.query_one("#night-answering", Vertical).query(AnswerWidget)
        return found.first() if found else None

    def _close_input(self, message: str) -> None:
        widget = self._answer_widget()
        if widget is not None:
            widget.freeze()
        self.query_one("#night-status", Static).update(f"[b]{message}[/]")

    @on(AnswerSubmitted)
    def _submitted(self, event: AnswerSubmitted) -> None:
        event.stop()
        widget = self._answer_widget()
        if widget is None or self.state is None or self.state.phase != "question":
            return
        try:
            response = widget.response()
        except IncompleteAnswer as reason:
            self.notify(str(reason).capitalize(), severity="warning", timeout=3)
            return
        if self.state.talk_remaining > 0:  # the input stays open for when answers open
            self.notify(talk_notice(self.state), severity="warning", timeout=3)
            return
        position = self.state.current
        try:
            result = self.night.answer(self.player, position, response)
        except StudyBuddyError as exc:
            self._close_input(str(exc).capitalize())
            return
        self.results[position] = result
        if result.progress_note:
            self.notify(result.progress_note, severity="warning", timeout=6)
        self._close_input("Your answer is in. Waiting for the others…")

    def action_leave(self) -> None:
        state = self.state
        if state is not None and state.phase != "finished":
            self.notify(
                f"You can come back: `studybuddy night join {state.code} --name "
                f"{self.player.name}` keeps your score.",
                timeout=5,
            )
        leave_night_screen(self)
