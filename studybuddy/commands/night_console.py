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
from typing import TYPE_CHECKING, Any

from studybuddy.banks.models import AnyQuestion, Cloze, MultipleChoice, Numeric, Ordering, TrueFalse
from studybuddy.banks.numbers import NotANumber, readings
from studybuddy.errors import StudyBuddyError
from studybuddy.night.errors import NightError
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
    lines = [f"== Question {number} of {total} ==", question.prompt]
    if isinstance(question, MultipleChoice):
        lines += [f"  {n}. {text}" for n, text in enumerate(question.options, 1)]
        if question.several_correct:
            lines.append("Several are right: type all their numbers, e.g. 1,3")
        else:
            lines.append(f"Type the number of your answer (1-{len(question.options)}).")
    elif isinstance(question, TrueFalse):
        lines.append("Type t (true) or f (false).")
    elif isinstance(question, Numeric):
        unit = f" (in {question.unit})" if question.unit else ""
        lines.append(f"Type a number{unit}.")
    elif isinstance(question, Cloze):
        lines.append("  " + question.text)
        if len(question.blanks) > 1:
            lines.append(f"Fill the {len(question.blanks)} blanks, separated by |")
        else:
            lines.append("Fill the blank.")
    elif isinstance(question, Ordering):
        lines += [f"  {n}. {question.steps[i]}" for n, i in enumerate(question.shown_order(), 1)]
        lines.append("Type the numbers in the right order, e.g. 2 3 1")
    return lines


def typed_response(question: AnyQuestion, text: str) -> Any:
    """What the player typed, as the grader's response; NightError says how to type it."""
    text = text.strip()
    if isinstance(question, MultipleChoice):
        numbers = _numbers(text, len(question.options), "an option number")
        if not numbers or len(set(numbers)) != len(numbers):
            raise NightError(f"type option numbers 1-{len(question.options)}, each once")
        if not question.several_correct and len(numbers) != 1:
            raise NightError("type one option number")
        return sorted(n - 1 for n in numbers)
    if isinstance(question, TrueFalse):
        # the words the grader takes, or the option numbers other question types use
        answer = {"1": True, "2": False}.get(text, TrueFalse.read(text))
        if answer is None:
            raise NightError("type t (true) or f (false)")
        return answer
    if isinstance(question, Numeric):
        try:
            readings(text, question.unit)
        except NotANumber as exc:
            raise NightError(str(exc)) from None
        return text
    if isinstance(question, Cloze):
        fills = [part.strip() for part in text.split("|")] if len(question.blanks) > 1 else [text]
        if len(fills) != len(question.blanks) or not any(fills):
            raise NightError(f"fill the {len(question.blanks)} blanks, separated by |")
        return fills
    if isinstance(question, Ordering):
        count = len(question.steps)
        numbers = _numbers(text, count, "a step number")
        if sorted(numbers) != list(range(1, count + 1)):
            raise NightError(f"type each step number 1-{count} once, in the right order")
        order = question.shown_order()
        return [order[n - 1] for n in numbers]
    raise NightError(f"questions of type {question.type} do not play on a quiz night")


def _numbers(text: str, high: int, what: str) -> list[int]:
    parts = text.replace(",", " ").split()
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        raise NightError(f"type {what} from 1 to {high} (got {text!r})") from None
    if any(not 1 <= n <= high for n in numbers):
        raise NightError(f"type {what} from 1 to {high} (got {text!r})")
    return numbers


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
            from studybuddy.tui.widgets.feedback import correct_answer_text

            question = self.night.question(state.current)
            if me is None or not me.answered:
                self.write("No answer this time: 0 points.")
            elif me.last_correct:
                result = self.results.get(state.current)
                bonus = f" (streak bonus +{result.bonus})" if result and result.bonus else ""
                self.write(f"Right! +{me.last_points} points{bonus}.")
            else:
                self.write("Not this time: 0 points.")
            self.write(f"Answer: {correct_answer_text(question)}")
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
            response = typed_response(question, line)
        except NightError as exc:
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
