"""The scoring rules of a quiz night, as pure functions.

A correct answer earns `points × (1 − (t / timer) / 2)`, rounded half up: all the points for an
instant answer, half of them on the buzzer. A streak bonus follows the classroom-quiz convention:
the first correct answer of a run earns no bonus, the second in a row +100, the third +200, and
so on up to +500. A wrong answer, or none before time runs out, earns nothing and ends the run.
A team's score is the mean of its members' scores, so a team of three does not beat a team of two
just by being bigger.

The host may switch speed points off (every right answer earns all the points: accuracy only),
switch the streak bonus off (runs are still counted, for the scoreboard), and make the first
question a warm-up that earns nothing and starts no run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

POINTS = 1000
STREAK_STEP = 100
STREAK_CAP = 500


def round_half_up(value: float) -> int:
    """Python's round() sends 937.5 to 938 but 812.5 to 812; players expect .5 to go up."""
    return math.floor(value + 0.5)


def speed_points(points: int, seconds: float, timer: float) -> int:
    """Points for a correct answer after `seconds` of a `timer`-second question."""
    if timer <= 0:
        raise ValueError(f"a timer of more than 0 seconds (got {timer})")
    elapsed = min(max(seconds, 0.0), timer)
    # 0.001 s is a little more than 1/1000 as a float; without the rounding to 1e-9 points,
    # 5000 × (1 − 0.001 / 5 / 2) would land just under its tie of 4999.5 and round down
    return round_half_up(round(points * (1 - (elapsed / timer) / 2), 9))


def streak_bonus(streak: int) -> int:
    """The bonus for an answer that makes a run of `streak` correct answers (this one included)."""
    if streak <= 1:
        return 0
    return min(STREAK_STEP * (streak - 1), STREAK_CAP)


@dataclass(frozen=True)
class Scored:
    """What one answer (or its absence) earned."""

    correct: bool
    base: int  # the speed points
    bonus: int  # the streak bonus
    streak: int  # correct answers in a row, this one included; 0 after a miss

    @property
    def points(self) -> int:
        return self.base + self.bonus


MISSED = Scored(correct=False, base=0, bonus=0, streak=0)


@dataclass(frozen=True)
class Rules:
    """The host's choices that change what an answer earns."""

    speed: bool = True  # speed points; off, a right answer in time earns all the points
    streak: bool = True  # the streak bonus
    warm_up: bool = False  # the first question earns nothing


def score_answer(
    *,
    correct: bool,
    seconds: float,
    timer: float,
    streak_before: int,
    points: int = POINTS,
    rules: Rules = Rules(),
    warm_up: bool = False,
) -> Scored:
    """What one answer earns; `warm_up` says this is the night's warm-up question."""
    if warm_up:  # played for practice: no points, and no run starts here
        return Scored(correct, 0, 0, 0)
    if not correct:
        return MISSED
    streak = streak_before + 1
    base = speed_points(points, seconds, timer) if rules.speed else points
    return Scored(True, base, streak_bonus(streak) if rules.streak else 0, streak)


def replay(
    answers: Sequence[tuple[bool, float] | None],
    *,
    timer: float,
    points: int = POINTS,
    rules: Rules = Rules(),
) -> list[Scored]:
    """One player's night, question by question: (correct, seconds), or None for no answer."""
    scored: list[Scored] = []
    streak = 0
    for position, answer in enumerate(answers):
        warm_up = rules.warm_up and position == 0
        if answer is None:
            result = MISSED
        else:
            correct, seconds = answer
            result = score_answer(
                correct=correct,
                seconds=seconds,
                timer=timer,
                streak_before=streak,
                points=points,
                rules=rules,
                warm_up=warm_up,
            )
        streak = result.streak
        scored.append(result)
    return scored


def team_scores(scores: Mapping[str, float], teams: Mapping[str, str | None]) -> dict[str, float]:
    """team -> the mean of its members' scores; players without a team are left out."""
    members: dict[str, list[float]] = {}
    for player, team in teams.items():
        if team:
            members.setdefault(team, []).append(scores.get(player, 0))
    return {team: sum(values) / len(values) for team, values in members.items()}


@dataclass(frozen=True)
class Standing:
    rank: int
    name: str
    score: float


def standings(scores: Mapping[str, float] | Iterable[tuple[str, float]]) -> list[Standing]:
    """Highest score first; equal scores share a rank and the next rank skips (1, 1, 3)."""
    items = scores.items() if isinstance(scores, Mapping) else scores
    ordered = sorted(items, key=lambda item: (-item[1], item[0].casefold()))
    result: list[Standing] = []
    for position, (name, score) in enumerate(ordered, start=1):
        rank = result[-1].rank if result and result[-1].score == score else position
        result.append(Standing(rank, name, score))
    return result
