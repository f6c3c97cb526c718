"""One screen, several players: they answer in turn, or all at once on their own keys.

In turn, each player gets the question's full timer and answers with the usual answer inputs (any
auto-graded question). Between turns a hand-over ("Ben's turn — Enter when ready") waits for the
next player: keys typed before it appeared (the last player's second press, a buffered Enter) are
dropped, and the clock starts only at that Enter. On keys, everyone answers the same
question against one countdown with their own row of keys, so only one-key questions play
(true/false, single-answer multiple choice with up to four options).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import events, on
from textual._time import get_time  # the clock Textual stamps key events with
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from studybuddy.errors import StudyBuddyError
from studybuddy.night.records import NightState, Player
from studybuddy.night.selection import option_count
from studybuddy.tui.screens.night_host import NightStageScreen, focus_when_mounted
from studybuddy.tui.widgets.answers import (
    AnswerSubmitted,
    AnswerWidget,
    IncompleteAnswer,
    answer_widget_for,
)
from studybuddy.tui.widgets.night_board import Countdown, prompt_markup

if TYPE_CHECKING:
    from studybuddy.night.room import Night

# One row of keys per player, left to right for options 1-4. No row holds n or s, the host's
# keys, and rows sit far enough apart for several people at one keyboard.
KEY_ROWS = ("1234", "qwer", "zxcv", "7890", "uiop", "hjkl")
# Keys stamped within this long after the hand-over appeared are the last player's (a double
# press, a key still in the terminal's buffer): nobody reads "Ben's turn" and presses Enter faster.
HANDOVER_GUARD = 0.3


class HotSeatScreen(NightStageScreen):
    def __init__(self, night: Night) -> None:
        super().__init__(night)
        self.seats: list[Player] = []
        self.keys: dict[str, tuple[Player, int]] = {}
        self.turn: Player | None = None
        self.turn_started: datetime | None = None  # None while the hand-over waits for Enter
        self.handed_over_at = 0.0  # when the hand-over appeared, on Textual's event clock
        self.passed: set[int] = set()  # players whose turn ran out on this question

    @property
    def in_turn(self) -> bool:
        return self.night.settings.answering == "in-turn"

    def compose_answering(self) -> ComposeResult:
        with Vertical(id="night-answering"):
            yield from ()

    def on_mount(self) -> None:
        # runs before NightStageScreen.on_mount (Textual calls both), so the first draw knows
        # the seats
        self.seats = self.night.players()
        if not self.in_turn:
            for player, row in zip(self.seats, KEY_ROWS, strict=False):
                for index, key in enumerate(row):
                    self.keys[key] = (player, index)

    @property
    def answering(self) -> Vertical:
        return self.query_one("#night-answering", Vertical)

    # -- drawing ---------------------------------------------------------------------------------
    def draw_phase(self, state: NightState) -> None:
        super().draw_phase(state)
        self.answering.remove_children()
        self.turn = None
        if state.phase != "question":
            return
        self.passed = set()
        if self.in_turn:
            # the answer input lists the options (and the ordering's steps): once is enough
            self.query_one("#night-question", Static).update(
                prompt_markup(self.question, state.current + 1, state.question_count)
            )
            self.next_turn(state)
        else:
            self.answering.mount(Static(self._key_legend(state), classes="night-keys"))

    def _key_legend(self, state: NightState) -> str:
        options = option_count(self.question)
        answered = {p.name for p in state.players if p.answered}
        lines = ["[b]Your keys[/] (option 1, 2, …):"]
        for player, row in zip(self.seats, KEY_ROWS, strict=False):
            mark = "  [green]✓[/]" if player.name in answered else ""
            keys = "  ".join(f"[b reverse] {key} [/]" for key in row[:options])
            lines.append(f"  {escape(player.name):<16} {keys}{mark}")
        return "\n".join(lines)

    @property
    def handing_over(self) -> bool:
        return self.turn is not None and self.turn_started is None

    def countdown(self, state: NightState) -> tuple[float, float]:
        if self.in_turn:
            if self.turn_started is None:  # the next player's whole timer waits for them
                return state.timer, state.timer
            spent = (self.night.clock() - self.turn_started).total_seconds()
            return max(0.0, state.timer - spent), state.timer
        return super().countdown(state)

    def draw(self, state: NightState) -> None:
        super().draw(state)
        if state.phase != "question":
            return
        if self.in_turn:
            turn = self.turn
            if turn is not None and self.turn_started is not None and self.countdown(state)[0] <= 0:
                self.notify(f"Time is up for {turn.name}.", timeout=3)
                self.passed.add(turn.id)
                self.next_turn(state)
        else:
            for legend in self.answering.query(".night-keys").results(Static):
                legend.update(self._key_legend(state))

    # -- turns -----------------------------------------------------------------------------------
    def next_turn(self, state: NightState) -> None:
        answered = {p.name for p in state.players if p.answered}
        waiting = [p for p in self.seats if p.name not in answered and p.id not in self.passed]
        self.answering.remove_children()
        if not waiting:
            self.turn = None
            self.night.close_question()
            self.call_later(self.tick)
            return
        self.turn = waiting[0]
        self.turn_started = None
        self.set_focus(None)  # nothing takes the keys until the next player says they are ready
        self.handed_over_at = get_time()
        self.answering.mount(
            Static(
                f"[b reverse] {escape(self.turn.name)}'s turn [/] — hand over, then press "
                "[b]Enter[/] when ready",
                classes="night-turn night-handover",
            )
        )

    def start_turn(self) -> None:
        """The player at the keyboard pressed Enter: their input appears and their clock starts."""
        assert self.turn is not None
        self.answering.remove_children()
        self.turn_started = self.night.clock()
        widget = answer_widget_for(self.question)
        # a fresh box per turn: the last turn's input (same id) may still be on its way out
        mounted = self.answering.mount(
            Vertical(
                Static(f"[b reverse] {escape(self.turn.name)} [/] your turn", classes="night-turn"),
                widget,
                classes="night-turn-box",
            )
        )
        self.call_later(focus_when_mounted, mounted, widget)
        if self.state is not None:
            self.query_one(Countdown).show(*self.countdown(self.state))

    @on(AnswerSubmitted)
    def _turn_answered(self, event: AnswerSubmitted) -> None:
        event.stop()
        state, player, started = self.state, self.turn, self.turn_started
        if state is None or player is None or started is None or state.phase != "question":
            return
        widget = self.answering.query(AnswerWidget).first()
        try:
            response = widget.response()
        except IncompleteAnswer as reason:
            self.notify(str(reason).capitalize(), severity="warning", timeout=3)
            return
        spent = (self.night.clock() - started).total_seconds()
        self._answer(player, state.current, response, seconds=spent)
        self.turn = None
        self.tick()
        if self.state is not None and self.state.phase == "question":
            self.next_turn(self.state)

    # -- keys ------------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        state = self.state
        if state is None or state.phase != "question":
            return
        if self.in_turn:
            if self.handing_over and event.key not in ("escape", "ctrl+q", "ctrl+c"):
                event.stop()
                event.prevent_default()
                if event.key == "enter" and event.time - self.handed_over_at >= HANDOVER_GUARD:
                    self.start_turn()
            return
        if event.key not in self.keys:
            return
        event.stop()
        player, index = self.keys[event.key]
        question = self.question
        if index >= option_count(question):
            return
        line = state.player(player.name)
        if line is not None and line.answered:
            return  # first key press counts
        response = question.read_typed(str(index + 1), as_shown=True)  # the choice's number
        self._answer(player, state.current, response)
        self.tick()

    def _answer(self, player: Player, position: int, response: Any, **kwargs: Any) -> None:
        try:
            self.night.answer(player, position, response, **kwargs)
        except StudyBuddyError as exc:
            self.notify(str(exc), severity="warning", timeout=4)

    # -- keys of the host --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.state
        # typing an answer must not close the question: in turn, the countdown moves things on
        if action == "next" and self.in_turn and state is not None and state.phase == "question":
            return False
        return super().check_action(action, parameters)

    def lobby_markup(self, state: NightState) -> str:
        return "Press [b]n[/] to ask the first question."
