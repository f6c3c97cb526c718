"""Known data for the report tests: a reading group's history and a quiz night's results.

Every attempt is planned here (learner, question, correct, seconds, time) and recorded through
the store's public API by conftest.py, so the tests recompute what a report must show from the
plan itself, not from the code under test.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from studybuddy.reports.night import NightAnswer, NightPlayer, NightQuestion, NightResults

NOW = datetime(2025, 3, 21, 20, 0, tzinfo=UTC)
EVIL = "<script>alert(1)</script>"
STARRED = "*star* _under_ [link](x) `tick` | pipe #1"


@dataclass(frozen=True)
class Planned:
    learner: str
    question_id: str
    correct: bool
    seconds: float
    at: datetime


def _weak_pair(catalog) -> tuple[str, str, str]:
    """A tag shared by two questions that both have a show_me demo: (tag, q1, q2)."""
    by_tag: dict[str, list[str]] = {}
    for ref in catalog.refs():
        if ref.question.show_me is not None:
            for tag in ref.question.tags:
                by_tag.setdefault(tag, []).append(ref.question.id)
    tag = min(t for t, ids in by_tag.items() if len(ids) >= 2)
    first, second = sorted(by_tag[tag])[:2]
    return tag, first, second


@dataclass(frozen=True)
class Seeded:
    database: str
    plan: list[Planned]
    weak_tag: str
    weak: tuple[str, str]
    steady: tuple[str, ...]

    def of(self, learner: str) -> list[Planned]:
        return [p for p in self.plan if p.learner == learner]


def make_plan(catalog) -> tuple[list[Planned], str, tuple[str, str], tuple[str, ...]]:
    tag, weak_1, weak_2 = _weak_pair(catalog)
    others = [
        ref.question.id
        for ref in catalog.refs()
        if tag not in ref.question.tags and ref.question.id not in (weak_1, weak_2)
    ]
    steady = tuple(others[:4])
    plan: list[Planned] = []
    # ada studies Mar 10-14 and Mar 19-21 (UTC): streak 3 now, longest 5
    days = [10, 11, 12, 13, 14, 19, 20, 21]
    for number, day in enumerate(days):
        at = datetime(2025, 3, day, 18, 0, tzinfo=UTC)
        for question in (weak_1, weak_2):
            plan.append(Planned("ada", question, False, 30.0 + number, at))
            at += timedelta(minutes=2)
        for question in steady:
            plan.append(Planned("ada", question, True, 12.0, at))
            at += timedelta(minutes=1)
    # a second session on the last day, well after the 30-minute gap
    plan.append(Planned("ada", steady[0], True, 8.0, datetime(2025, 3, 21, 19, 30, tzinfo=UTC)))
    for number, question in enumerate((weak_1, *steady)):
        at = datetime(2025, 3, 18, 7, 0, tzinfo=UTC) + timedelta(minutes=number)
        plan.append(Planned("bob", question, number % 2 == 0, 20.0, at))
    for number, question in enumerate((weak_2, steady[1], steady[2])):
        at = datetime(2025, 3, 20, 9, 0, tzinfo=UTC) + timedelta(minutes=number)
        plan.append(Planned(EVIL, question, number == 1, 15.0, at))
    plan.append(Planned(STARRED, steady[3], False, 9.0, datetime(2025, 3, 16, 9, tzinfo=UTC)))
    return plan, tag, (weak_1, weak_2), steady


def per_day(items: list[Planned]) -> Counter:
    return Counter(p.at.date() for p in items)


def sample_night() -> NightResults:
    def answers(*given):
        return tuple(NightAnswer(*a) for a in given)

    return NightResults(
        night_id="LLM7",
        played_on=date(2025, 3, 14),
        players=(
            NightPlayer("bob", 1500, 2),
            NightPlayer(EVIL, 2300, 1),
            NightPlayer("ada", 1500, 2),
        ),
        questions=(
            NightQuestion(
                "q-easy",
                "What does the softmax of equal scores give?",
                answers((EVIL, True, 900, 3.0), ("ada", True, 800, 5.0), ("bob", True, 700, 8.0)),
            ),
            # two of three right in both, but this one took longer: the room found it harder
            NightQuestion(
                "q-slow",
                "Why divide the scores by sqrt(d_k)?",
                answers((EVIL, True, 600, 12.0), ("ada", True, 700, 9.0), ("bob", False, 0, 20.0)),
            ),
            NightQuestion(
                "q-hard",
                "How many parameters does GPT-2 small have?",
                answers((EVIL, True, 800, 6.0), ("ada", False, 0, 10.0), ("bob", False, 0, 4.0)),
            ),
            NightQuestion(
                "q-mid",
                "Which mask stops a token attending to later tokens?",
                answers((EVIL, False, 0, 7.0), ("ada", True, 0, 9.0), ("bob", True, 800, 6.0)),
            ),
        ),
    )
