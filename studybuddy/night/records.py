"""Plain, frozen views of a night that screens and commands receive; never a table row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["room", "hot-seat"]
# together: everyone answers the same question at once (a room, or one screen with each player
# on their own keys); in-turn: one screen, players answer one after another
Answering = Literal["together", "in-turn", "keys"]
Phase = Literal["lobby", "question", "reveal", "finished"]


@dataclass(frozen=True)
class NightSettings:
    timer: float = 20.0  # seconds per question
    points: int = 1000  # what an instant correct answer earns
    teams: bool = False
    kind: Kind = "room"
    answering: Answering = "together"
    title: str = "Quiz night"


@dataclass(frozen=True)
class Player:
    id: int
    name: str
    team: str | None
    seat: int
    learner: str | None  # the learner profile that joined as this player, if any
    rejoined: bool = False
    # the secret a rejoin must present; only the process that joined holds it
    token: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class PlayerLine:
    """A player as the scoreboard shows them."""

    name: str
    team: str | None
    seat: int
    score: int
    streak: int
    answered: bool  # has answered the question on screen
    connected: bool  # seen in the last few seconds (players' terminals check in)
    last_points: int | None = None  # what the question on screen earned, once it is closed
    last_correct: bool | None = None


@dataclass(frozen=True)
class NightState:
    """One poll of the night: everything the host and the players draw."""

    id: int
    code: str
    title: str
    kind: Kind
    answering: Answering
    teams: bool
    timer: float
    points: int
    question_count: int
    phase: Phase
    current: int
    opened_at: datetime | None
    now: datetime
    host_connected: bool
    players: tuple[PlayerLine, ...] = ()
    team_scores: dict[str, float] = field(default_factory=dict)

    @property
    def remaining(self) -> float:
        """Seconds left on the question on screen (0 once it is closed)."""
        if self.phase != "question" or self.opened_at is None:
            return 0.0
        return max(0.0, self.timer - (self.now - self.opened_at).total_seconds())

    @property
    def everyone_answered(self) -> bool:
        return bool(self.players) and all(p.answered for p in self.players)

    def player(self, name: str) -> PlayerLine | None:
        key = name.strip().casefold()
        return next((p for p in self.players if p.name.casefold() == key), None)


@dataclass(frozen=True)
class AnswerResult:
    """What a player's answer earned; `feedback` is the grader's sentence."""

    correct: bool
    base: int
    bonus: int
    streak: int
    seconds: float
    feedback: str
    progress_note: str | None = None  # why the answer could not also go to the learner's history

    @property
    def points(self) -> int:
        return self.base + self.bonus
