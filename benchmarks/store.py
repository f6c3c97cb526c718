"""Progress store at scale: 100,000 attempts by 20 learners, then the queries the app makes.

    .venv/bin/python benchmarks/store.py            # a temporary SQLite file
    .venv/bin/python benchmarks/store.py --db URL   # e.g. postgresql+psycopg://… (empty database)

Targets: due queue and mastery summary under 100 ms each, a full report's statistics under 1 s.
Each query is timed for every learner; the median and the slowest are printed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studybuddy.store import QuestionInfo, Store

LEARNERS = 20
ATTEMPTS = 100_000
CHAPTERS = 12
QUESTIONS_PER_CHAPTER = 40
TYPES = ["mc", "tf", "numeric", "short", "cloze", "order"]
TAGS = [f"tag-{i}" for i in range(24)]
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def catalog(rng: random.Random) -> dict[str, QuestionInfo]:
    questions = {}
    for chapter in range(1, CHAPTERS + 1):
        for number in range(QUESTIONS_PER_CHAPTER):
            tags = tuple(rng.sample(TAGS, rng.choice([1, 2])))
            questions[f"ch{chapter:02d}-q{number:02d}"] = QuestionInfo(
                f"ch{chapter:02d}", rng.choice(TYPES), tags
            )
    return questions


def history(rng: random.Random, question_ids: list[str]) -> dict:
    """An export object: each learner studies on ~60 % of 180 days, in one or two sittings."""
    per_learner = ATTEMPTS // LEARNERS
    learners = []
    for index in range(LEARNERS):
        skill = rng.uniform(0.5, 0.9)
        days = sorted(rng.sample(range(180), 108))
        attempts = []
        for n in range(per_learner):
            day = days[n * len(days) // per_learner]
            at = NOW - timedelta(days=180 - day, hours=rng.choice([-3, 2]), seconds=n % 997)
            correct = rng.random() < skill
            attempts.append(
                {
                    "question_id": rng.choice(question_ids),
                    "bank_id": "bench",
                    "bank_version": 1,
                    "answer": [rng.randrange(4)],
                    "correct": correct,
                    "score": float(correct),
                    "seconds": round(rng.lognormvariate(3.0, 0.6), 2),
                    "mode": rng.choice(["study", "review", "quiz-night"]),
                    "answered_at": at.isoformat(),
                    "rating": None,
                }
            )
        attempts.sort(key=lambda a: a["answered_at"])
        learners.append(
            {
                "name": f"learner-{index:02d}",
                "created_at": (NOW - timedelta(days=200)).isoformat(),
                "attempts": attempts,
            }
        )
    return {"format": "studybuddy-export", "version": 1, "schema_version": 2, "learners": learners}


def timed(label: str, query: Callable[[str], object], names: list[str], target_ms: float) -> None:
    query(names[0])  # warm caches and the connection pool
    times = []
    for name in names:
        start = time.perf_counter()
        query(name)
        times.append((time.perf_counter() - start) * 1000)
    verdict = "ok" if max(times) < target_ms else "OVER TARGET"
    print(
        f"{label:34} median {statistics.median(times):7.1f} ms   slowest {max(times):7.1f} ms"
        f"   (target < {target_ms:.0f} ms: {verdict})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an empty database URL or path (default: a temp file)")
    args = parser.parse_args()
    rng = random.Random(20260601)
    questions = catalog(rng)
    ids = list(questions)
    chapters: dict[str, list[str]] = {}
    for question_id, info in questions.items():
        chapters.setdefault(info.chapter, []).append(question_id)

    with tempfile.TemporaryDirectory() as folder:
        target = args.db or str(Path(folder) / "bench.sqlite3")
        store = Store(target)
        data = history(rng, ids)
        start = time.perf_counter()
        summary = store.import_data(data)
        seeding = time.perf_counter() - start
        print(f"database: {store.location} ({store.backend})")
        print(
            f"seeded {summary.attempts:,} attempts for {summary.learners} learners, "
            f"{summary.review_states:,} fsrs cards rebuilt, in {seeding:.1f} s "
            f"({len(ids)} questions in {CHAPTERS} chapters)"
        )
        names = [learner["name"] for learner in data["learners"]]
        queries: list[tuple[str, Callable[[str], object], float]] = [
            ("due queue", lambda n: store.due_queue(n, now=NOW, among=questions), 100),
            (
                "mastery summary (12 chapters)",
                lambda n: store.chapter_mastery(n, chapters, now=NOW),
                100,
            ),
            ("accuracy by tag", lambda n: store.accuracy_by(n, questions, "tag"), 100),
            ("streak", lambda n: store.streak(n, now=NOW, tz=UTC), 100),
            ("recent sessions", lambda n: store.recent_sessions(n), 100),
            (
                "14-day forecast",
                lambda n: store.review_forecast(n, now=NOW, tz=UTC, among=questions),
                100,
            ),
            (
                "full report statistics",
                lambda n: store.learner_stats(n, questions, now=NOW, tz=UTC),
                1000,
            ),
        ]
        for label, query, target_ms in queries:
            timed(label, query, names, target_ms)
        timed("group leaderboard", lambda _n: store.leaderboard(), names[:5], 100)
        timed("group most-missed questions", lambda _n: store.question_results(), names[:5], 100)

        def answer(name: str) -> None:
            store.record_attempt(name, question_id=rng.choice(ids), bank_id="bench",
                                 bank_version=1, answer=[0], correct=True, score=1.0,
                                 seconds=14.0, at=NOW)  # fmt: skip

        timed("record one attempt (committed)", answer, names, 100)
        start = time.perf_counter()
        exported = store.export()
        print(f"{'export all rows':34} {(time.perf_counter() - start) * 1000:7.0f} ms")
        assert sum(len(learner["attempts"]) for learner in exported["learners"]) == (
            store.attempt_count()
        )
        store.close()


if __name__ == "__main__":
    main()
