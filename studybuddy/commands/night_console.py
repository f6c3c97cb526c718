"""`studybuddy night join … --plain`: a room in plain lines of text.

For terminals where a full-screen app is unwelcome (a screen reader, a log, a script): questions
are printed, answers typed on a line. Input and output are passed in, so tests drive it.
"""

from __future__ import annotations

import math
import select
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from studybuddy.banks.models import AnyQuestion
from studybuddy.banks.trial import NotAnAnswer, response_from_text
from studybuddy.errors import StudyBuddyError
from studybuddy.night.records import AnswerResult, NightState, Player
from studybuddy.night.scoring import standings

if TYPE_CHECKING:
    from studybuddy.night.room import Night


ReadLine = Callable[[float], "str | None"]  # a line, None after `timeout` s; EOFError at the end


def stdin_line(timeout: float) -> str | None:
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    if not ready:
        return None
    line = sys.stdin.readline()
    if line == "":
        raise EOFError
    return line


def question_lines(question: AnyQuestion, number: int, total: int) -> list[str]:
    """The question in plain lines: the prompt, its text to fill in, its choices numbered as
    the typed answer counts them, and how to type that answer."""
    lines = [f"== Question {number} of {total} ==", question.prompt]
    if (text := question.shown_text()) is not None:
        lines.append("  " + text)
    lines += [f"  {n}. {choice}" for n, choice in enumerate(question.choices(), 1)]
    lines.append(question.how_to_type())
    return lines


class ConsolePlayer:
    def __init__(
        self,
        night: Night,
        player: Player,
        *,
        write: Callable[[str], None],
        read_line: ReadLine = stdin_line,
        poll: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.night = night
        self.player = player
        self.write = write
        self.read_line = read_line
        self.poll = poll
        self.sleep = sleep
        self.results: dict[int, AnswerResult] = {}

    def run(self) -> int:
        state = self.night.state()
        me = state.player(self.player.name)
        if self.player.rejoined and me is not None:
            self.write(
                f"Welcome back to room {state.code}, {me.name}: your score is kept "
                f"({me.score} points)."
            )
        else:
            self.write(f"Joined room {state.code} as {self.player.name}.")
        drawn: tuple[str, int] | None = None
        awaiting: int | None = None
        input_closed = False
        while True:
            self.night.check_in(self.player)
            state = self.night.state()
            key = (state.phase, state.current)
            if key != drawn:
                drawn = key
                awaiting = self.show(state)
            if state.phase == "finished":
                return 0
            if awaiting is not None and state.phase == "question" and state.remaining <= 0:
                self.write("Time is up.")
                awaiting = None
            if awaiting is None or input_closed:
                self.sleep(self.poll)
                continue
            try:
                line = self.read_line(self.poll)
            except EOFError:
                input_closed = True  # keep watching the night without answering
                continue
            if line is not None:
                awaiting = self.submit(awaiting, line)

    def show(self, state: NightState) -> int | None:
        """Print the phase just reached; the question position if an answer is awaited."""
        me = state.player(self.player.name)
        if state.phase == "lobby":
            self.write("Waiting for the host to start…")
            return None
        if state.phase == "question":
            question = self.night.question(state.current)
            for line in question_lines(question, state.current + 1, state.question_count):
                self.write(line)
            if me is not None and me.answered:
                self.write("Your answer is in. Waiting for the others…")
                return None
            if state.talk_remaining > 0:
                self.write(f"Team talk: answers open in {math.ceil(state.talk_remaining)} s.")
            self.write(f"Answer within {state.remaining:.0f} s:")
            return state.current
        if state.phase == "reveal":
            question = self.night.question(state.current)
            if me is None or not me.answered:
                self.write("No answer this time: 0 points.")
            elif me.last_correct:
                result = self.results.get(state.current)
                bonus = f" (streak bonus +{result.bonus})" if result and result.bonus else ""
                self.write(f"Right! +{me.last_points} points{bonus}.")
            else:
                self.write("Not this time: 0 points.")
            self.write(f"Answer: {question.answer_text()}")
            self._standings(state, "Leaderboard")
            return None
        self._standings(state, "Final standings")
        place = next(
            (
                s.rank
                for s in standings({p.name: p.score for p in state.players})
                if s.name == self.player.name
            ),
            None,
        )
        if place is not None:
            self.write(f"You finished #{place} of {len(state.players)}. Thanks for playing!")
        return None

    def _standings(self, state: NightState, title: str) -> None:
        self.write(f"-- {title} --")
        for standing in standings({p.name: p.score for p in state.players}):
            self.write(f"  {standing.rank}. {standing.name}  {standing.score:,}")
        if state.teams:
            for standing in standings(state.team_scores):
                self.write(f"  team {standing.rank}. {standing.name}  {standing.score:,.0f}")

    def submit(self, position: int, line: str) -> int | None:
        """Send a typed answer; the position again if the player should try typing again."""
        question = self.night.question(position)
        try:
            response = response_from_text(question, line, as_shown=True)
        except NotAnAnswer as exc:
            self.write(f"{exc}. Try again:")
            return position
        talk = self.night.state().talk_remaining
        if talk > 0:  # still the teams' talk: the answer may be sent again once answers open
            self.write(f"Answers open in {math.ceil(talk)} s: talk it over, then type it again:")
            return position
        try:
            result = self.night.answer(self.player, position, response)
        except StudyBuddyError as exc:
            self.write(f"{str(exc).capitalize()}.")
            return None
        self.results[position] = result
        if result.progress_note:
            self.write(f"(not saved in your profile's history: {result.progress_note})")
        self.write("Locked in. Waiting for the others…")
        return None
