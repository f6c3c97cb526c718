"""Plain, frozen views of a night that screens and commands receive; never a table row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from studybuddy.night.scoring import Rules

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
    # the host's rules; the defaults are the classroom-quiz ones
    speed_points: bool = True  # off: every right answer earns all the points (accuracy only)
    streak_bonus: bool = True
    warm_up: bool = False  # the first question is a warm-up that scores nothing
    talk_seconds: float = 0.0  # team nights: time to talk before answers open

    @property
    def scoring(self) -> Rules:
        return Rules(speed=self.speed_points, streak=self.streak_bonus, warm_up=self.warm_up)

    def rules(self) -> tuple[str, ...]:
        """The rules played, in words, for the results and reports."""
        rules = [
            f"{self.timer:g} s per question",
            "speed points" if self.speed_points else "accuracy only (no speed points)",
            "streak bonus" if self.streak_bonus else "no streak bonus",
        ]
        if self.warm_up:
            rules.append("warm-up first question (no points)")
        if self.talk_seconds:
            rules.append(f"{self.talk_seconds:g} s team talk before answers open")
        return tuple(rules)


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
    talk_seconds: float = 0.0
    warm_up: bool = False

    @property
    def _since_opened(self) -> float:
        assert self.opened_at is not None
        return (self.now - self.opened_at).total_seconds()

    @property
    def talk_remaining(self) -> float:
        """Seconds of team talk left before answers open (0 once they are open)."""
        if self.phase != "question" or self.opened_at is None:
            return 0.0
        return max(0.0, self.talk_seconds - self._since_opened)

    @property
    def remaining(self) -> float:
        """Seconds left to answer the question on screen (0 once it is closed); the whole
        timer while the teams still talk."""
        if self.phase != "question" or self.opened_at is None:
            return 0.0
        answering = self._since_opened - self.talk_seconds
        return max(0.0, self.timer - max(answering, 0.0))

    @property
    def is_warm_up(self) -> bool:
        """The question on screen is the night's warm-up, which scores nothing."""
        return self.warm_up and self.current == 0

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
