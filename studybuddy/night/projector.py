"""What the host's projector shows once a question closes, computed without any UI.

- `tally`: how the room answered — players per choice (a tile on the projector), or for a
  question answered by typing or arranging, how many were right and wrong — and who did not
  answer in time.
- `rank_changes`: how each player's place moved with the last question (up 2, down 1, new).
- `podium`: the top places at the end; players on equal scores share a step, so a podium of
  three may hold more than three names, and never leaves out someone tied with a medallist.

The screens draw these; `answers_at` reads the picks of one question from the night's tables.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from studybuddy.night.scoring import standings

if TYPE_CHECKING:  # the CLI reads the podium's bounds before any model or table is needed
    from studybuddy.banks.models import AnyQuestion
    from studybuddy.night.room import Night

PODIUM_SIZE = 3
MAX_PODIUM = 20  # a projector shows about this many names at 80×24 before scrolling


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    right: bool  # a right choice (or the "right" bar of a typed question)


@dataclass(frozen=True)
class Tally:
    """The answers to one question. For a choice question `bars` has one bar per choice, in the
    question's order; otherwise a "right" and a "wrong" bar. A player picking several choices
    counts once on each, so the bars may add up to more than `answered`."""

    bars: tuple[Bar, ...]
    answered: int
    unanswered: int
    by_choice: bool

    @property
    def most(self) -> int:
        """The longest bar (at least 1, so bars can be scaled by it)."""
        return max([1, *(bar.count for bar in self.bars)])


@dataclass(frozen=True)
class Answer:
    """One player's stored answer: what they sent and whether it was graded right."""

    response: Any
    correct: bool


def tally(question: AnyQuestion, answers: Iterable[Answer], players: int) -> Tally:
    answers = list(answers)
    unanswered = max(0, players - len(answers))
    # tiles only for a question answered by picking: an ordering lists choices but has no right pick
    choices = question.choices() if question.right_choices() else []
    if choices:
        right = question.right_choices()
        counts = [0] * len(choices)
        for answer in answers:
            for index in question.chosen(answer.response):
                counts[index] += 1
        bars = tuple(Bar(label, counts[i], i in right) for i, label in enumerate(choices))
        return Tally(bars, len(answers), unanswered, by_choice=True)
    right_count = sum(1 for answer in answers if answer.correct)
    bars = (Bar("right", right_count, True), Bar("wrong", len(answers) - right_count, False))
    return Tally(bars, len(answers), unanswered, by_choice=False)


def answers_at(night: Night, position: int) -> list[Answer]:
    """The answers kept for the question at `position` of `night`."""
    from sqlalchemy import select

    from studybuddy.night.tables import NightAnswerRow
    from studybuddy.store.tables import table

    columns = table(NightAnswerRow).c
    with night.store.engine.connect() as connection:
        rows = connection.execute(
            select(columns.answer, columns.correct).where(
                columns.night_id == night.id, columns.position == position
            )
        ).all()
    return [Answer(json.loads(row.answer), bool(row.correct)) for row in rows]


@dataclass(frozen=True)
class RankChange:
    rank: int
    moved: int | None  # places gained (negative: lost); None for a player new to the board

    @property
    def label(self) -> str:
        if self.moved is None:
            return "new"
        if self.moved > 0:
            return f"↑{self.moved}"
        if self.moved < 0:
            return f"↓{-self.moved}"
        return "="


def rank_changes(
    before: Mapping[str, float] | None, after: Mapping[str, float]
) -> dict[str, RankChange]:
    """Each player's rank in `after` and the places moved since `before` (ranks by
    `scoring.standings`: equal scores share a rank). With `before` None — the first question —
    nobody has moved; a player missing from `before` is new."""
    old = {s.name: s.rank for s in standings(before)} if before is not None else {}
    changes = {}
    for standing in standings(after):
        if before is None:
            moved: int | None = 0
        elif standing.name in old:
            moved = old[standing.name] - standing.rank
        else:
            moved = None
        changes[standing.name] = RankChange(standing.rank, moved)
    return changes


@dataclass(frozen=True)
class Step:
    """One place on the podium: the rank, everyone holding it, and their score."""

    rank: int
    names: tuple[str, ...]
    score: float


def podium(scores: Mapping[str, float], size: int = PODIUM_SIZE) -> list[Step]:
    """The places ranked `size` or better, best first; tied players share one step."""
    if not 1 <= size <= MAX_PODIUM:
        raise ValueError(f"a podium of 1 to {MAX_PODIUM} places (got {size})")
    steps: list[Step] = []
    for standing in standings(scores):
        if standing.rank > size:
            break
        if steps and steps[-1].rank == standing.rank:
            last = steps[-1]
            steps[-1] = Step(last.rank, (*last.names, standing.name), last.score)
        else:
            steps.append(Step(standing.rank, (standing.name,), standing.score))
    return steps


def scores_before(players: Sequence[Any]) -> dict[str, float]:
    """Scores as they stood before the question just closed: each `PlayerLine`'s score less
    what that question earned."""
    return {p.name: p.score - (p.last_points or 0) for p in players}
