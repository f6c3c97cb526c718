"""Quiz-night results as a report reads them.

Quiz nights are recorded by `studybuddy.night`; this module only fixes the shape a night's
results take for a report, and `studybuddy.night.results.load_night` fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import fmean


@dataclass(frozen=True)
class NightAnswer:
    player: str
    correct: bool
    points: int
    seconds: float


@dataclass(frozen=True)
class NightQuestion:
    question_id: str
    prompt: str
    answers: tuple[NightAnswer, ...]
    show_me: str | None = None  # the command that runs its demo, e.g. "studybuddy show top-k"
    warm_up: bool = False  # played for no points

    @property
    def missed(self) -> int:
        return len(self.answers) - self.correct

    @property
    def correct(self) -> int:
        return sum(answer.correct for answer in self.answers)

    @property
    def correct_share(self) -> float:
        return self.correct / len(self.answers) if self.answers else 0.0

    @property
    def mean_seconds(self) -> float:
        return fmean(a.seconds for a in self.answers) if self.answers else 0.0

    def answer_of(self, player: str) -> NightAnswer | None:
        return next((a for a in self.answers if a.player == player), None)


@dataclass(frozen=True)
class NightPlayer:
    name: str
    score: int
    rank: int  # 1 is the winner; tied players share a rank


@dataclass(frozen=True)
class NightResults:
    night_id: str
    played_on: date
    players: tuple[NightPlayer, ...]
    questions: tuple[NightQuestion, ...]
    rules: tuple[str, ...] = ()  # the rules played, in words (NightSettings.rules)

    def misses_of(self, player: str) -> list[NightQuestion]:
        """The questions `player` got wrong or left unanswered, in the order asked."""
        return [
            q for q in self.questions if (a := q.answer_of(player)) is not None and not a.correct
        ]

    def most_missed(self, limit: int = 3) -> list[NightQuestion]:
        """The questions most players missed (at least one), most first, then the slowest."""
        missed = [q for q in self.questions if q.missed]
        return sorted(missed, key=lambda q: (-q.missed, -q.mean_seconds))[:limit]

    @property
    def standings(self) -> list[NightPlayer]:
        return sorted(self.players, key=lambda p: (p.rank, -p.score, p.name))

    @property
    def hardest(self) -> NightQuestion | None:
        """The question the room found hardest: fewest right answers, then the slowest."""
        answered = [q for q in self.questions if q.answers]
        if not answered:
            return None
        return min(answered, key=lambda q: (q.correct_share, -q.mean_seconds))
