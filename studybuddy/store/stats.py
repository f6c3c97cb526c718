"""Statistics over a learner's history, as pure functions of plain rows (no database here).

Days are the learner's local days (`tz`), because a streak or a "studied today" follows the
learner's evening, not UTC midnight.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import NamedTuple

from fsrs import Card

from studybuddy.store import scheduling
from studybuddy.store.records import (
    Accuracy,
    ChapterMastery,
    DayActivity,
    ForecastDay,
    QuestionInfo,
    Streak,
    StudySession,
    TopicKind,
    WeakTopic,
)

SESSION_GAP = timedelta(minutes=30)


class AttemptRow(NamedTuple):
    question_id: str
    correct: bool
    seconds: float
    mode: str
    answered_at: datetime


# the sessions a learner report and the Progress screen list, newest first
RECENT_SESSIONS = 10


def local_tz() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def _topics(info: QuestionInfo, by: TopicKind) -> tuple[str, ...]:
    if by == "chapter":
        return (info.chapter,)
    if by == "type":
        return (info.type,)
    return info.tags


def accuracy_by(
    rows: Iterable[AttemptRow], catalog: Mapping[str, QuestionInfo], by: TopicKind
) -> list[Accuracy]:
    """Attempts and correct answers per chapter, type or tag, in key order.

    Attempts at questions missing from `catalog` (removed from their bank) are left out here;
    they still count in the learner's totals.
    """
    attempts: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for row in rows:
        info = catalog.get(row.question_id)
        if info is None:
            continue
        for key in _topics(info, by):
            attempts[key] += 1
            correct[key] += row.correct
    return [Accuracy(key, attempts[key], correct[key]) for key in sorted(attempts)]


def activity_by_day(rows: Iterable[AttemptRow], tz: tzinfo) -> list[DayActivity]:
    """One entry per local day with at least one attempt, oldest first."""
    attempts: Counter[date] = Counter()
    correct: Counter[date] = Counter()
    seconds: defaultdict[date, float] = defaultdict(float)
    for row in rows:
        day = row.answered_at.astimezone(tz).date()
        attempts[day] += 1
        correct[day] += row.correct
        seconds[day] += row.seconds
    return [DayActivity(day, attempts[day], correct[day], seconds[day]) for day in sorted(attempts)]


def streak(study_days: Iterable[date], today: date) -> Streak:
    days = set(study_days)
    if not days:
        return Streak(current=0, longest=0, last_day=None)
    longest = run = 0
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    one_day = timedelta(days=1)
    cursor = today if today in days else today - one_day
    current = 0
    while cursor in days:
        current += 1
        cursor -= one_day
    return Streak(current=current, longest=longest, last_day=max(days))


def sessions(rows: Sequence[AttemptRow], gap: timedelta = SESSION_GAP) -> list[StudySession]:
    """Sessions in time order; a session starts when its first answer's timer started."""
    found: list[StudySession] = []
    group: list[AttemptRow] = []

    def close() -> None:
        if group:
            first = group[0]
            found.append(
                StudySession(
                    started_at=first.answered_at - timedelta(seconds=first.seconds),
                    ended_at=group[-1].answered_at,
                    attempts=len(group),
                    correct=sum(r.correct for r in group),
                    seconds=sum(r.seconds for r in group),
                    modes=tuple(sorted({r.mode for r in group})),
                )
            )

    for row in sorted(rows, key=lambda r: r.answered_at):
        if group and row.answered_at - group[-1].answered_at > gap:
            close()
            group = []
        group.append(row)
    close()
    return found


def chapter_mastery(
    chapters: Mapping[str, Iterable[str]],
    cards: Mapping[str, Card],
    now: datetime,
    threshold: float = scheduling.MASTERY_RETRIEVABILITY,
    parameters: Sequence[float] | None = None,
) -> list[ChapterMastery]:
    """Per chapter: its questions, how many were ever answered, how many are mastered now
    (recalled with at least `threshold`, the learner's desired retention, under their fitted
    `parameters`; None: fsrs's defaults)."""
    result = []
    for chapter, question_ids in chapters.items():
        ids = list(dict.fromkeys(question_ids))
        seen = [cards[q] for q in ids if q in cards]
        mastered = sum(scheduling.is_mastered(card, now, threshold, parameters) for card in seen)
        result.append(ChapterMastery(chapter, len(ids), len(seen), mastered))
    return result


def weakest_topics(
    rows: Iterable[AttemptRow],
    catalog: Mapping[str, QuestionInfo],
    cards: Mapping[str, Card],
    now: datetime,
    *,
    by: TopicKind = "tag",
    min_attempts: int = 3,
    limit: int = 5,
    threshold: float = scheduling.MASTERY_RETRIEVABILITY,
    parameters: Sequence[float] | None = None,
) -> list[WeakTopic]:
    """Topics by lowest accuracy, each with its questions worth revisiting.

    A question is worth revisiting when its latest answer was wrong or it is not mastered now;
    a topic with nothing to revisit, or fewer than `min_attempts` attempts, is not listed.
    """
    attempts: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    members: defaultdict[str, set[str]] = defaultdict(set)
    latest: dict[str, AttemptRow] = {}
    for row in rows:
        info = catalog.get(row.question_id)
        if info is None:
            continue
        if row.question_id not in latest or row.answered_at >= latest[row.question_id].answered_at:
            latest[row.question_id] = row
        for topic in _topics(info, by):
            attempts[topic] += 1
            correct[topic] += row.correct
            members[topic].add(row.question_id)

    def recall(question_id: str) -> float:
        card = cards.get(question_id)
        return scheduling.retrievability(card, now, parameters) if card is not None else 0.0

    weak = []
    for topic, count in attempts.items():
        if count < min_attempts:
            continue
        revisit = [
            q
            for q in members[topic]
            if not latest[q].correct
            or q not in cards
            or not scheduling.is_mastered(cards[q], now, threshold, parameters)
        ]
        if revisit:
            revisit.sort(key=lambda q: (recall(q), q))
            weak.append(WeakTopic(topic, count, correct[topic], tuple(revisit)))
    weak.sort(key=lambda t: (t.accuracy, -t.attempts, t.topic))
    return weak[:limit]


def forecast(dues: Iterable[datetime], now: datetime, tz: tzinfo, days: int) -> list[ForecastDay]:
    """Reviews falling due on each of the next `days` local days, today first."""
    today = now.astimezone(tz).date()
    counts: Counter[int] = Counter()
    for due in dues:
        offset = max(0, (due.astimezone(tz).date() - today).days)
        if offset < days:
            counts[offset] += 1
    return [ForecastDay(today + timedelta(days=i), counts[i]) for i in range(days)]
