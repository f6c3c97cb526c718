"""JSON reports in the versioned format described by SCHEMA.md and report.schema.json.

Bump SCHEMA_VERSION when a field changes meaning or disappears; adding a field keeps it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from studybuddy import __version__
from studybuddy.reports.models import AttemptLine, GroupReport, LearnerReport, QuestionLine
from studybuddy.reports.night import NightResults

FORMAT = "studybuddy-report"
SCHEMA_VERSION = 1


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _envelope(kind: str, generated: datetime, since: date | None) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
        "generated_at": _iso(generated),
        "generator": f"studybuddy {__version__}",
        "since": _iso(since),
    }


def _question(q: QuestionLine) -> dict[str, Any]:
    return {"id": q.question_id, "prompt": q.prompt, "chapter": q.chapter, "show_me": q.show_me}


def _attempt(a: AttemptLine) -> dict[str, Any]:
    return {
        "learner": a.learner,
        "answered_at": _iso(a.answered_at),
        "question_id": a.question_id,
        "chapter": a.chapter,
        "bank_id": a.bank_id,
        "bank_version": a.bank_version,
        "mode": a.mode,
        "correct": a.correct,
        "score": a.score,
        "seconds": a.seconds,
        "rating": a.rating,
        "answer": a.answer,
    }


def learner_document(report: LearnerReport, attempts: Iterable[AttemptLine]) -> dict[str, Any]:
    s = report.stats
    return _envelope("learner", report.generated_at, report.since) | {
        "learner": {
            "name": s.learner,
            "questions_total": s.questions_total,
            "questions_seen": s.questions_seen,
            "attempts": s.attempts,
            "correct": s.correct,
            "accuracy": s.accuracy,
            "seconds_studied": s.seconds_studied,
            "due_now": s.due_now,
            "streak": {
                "current": s.streak.current,
                "longest": s.streak.longest,
                "last_day": _iso(s.streak.last_day),
            },
            "chapters": [
                {
                    "key": c.key,
                    "title": c.title,
                    "questions": c.questions,
                    "seen": c.seen,
                    "mastered": c.mastered,
                    "attempts": c.attempts,
                    "correct": c.correct,
                }
                for c in report.chapters
            ],
            "days": [
                {
                    "day": _iso(d.day),
                    "attempts": d.attempts,
                    "correct": d.correct,
                    "seconds": d.seconds,
                }
                for d in s.by_day
            ],
            "forecast": [{"day": _iso(d.day), "due": d.due} for d in s.forecast],
            "weakest_topics": [
                {
                    "topic": t.topic,
                    "attempts": t.attempts,
                    "correct": t.correct,
                    "revisit": [_question(q) for q in t.questions],
                }
                for t in report.weakest
            ],
            "sessions": [
                {
                    "started_at": _iso(x.started_at),
                    "ended_at": _iso(x.ended_at),
                    "attempts": x.attempts,
                    "correct": x.correct,
                    "seconds": x.seconds,
                    "modes": list(x.modes),
                }
                for x in s.sessions
            ],
        },
        "attempts": [_attempt(a) for a in attempts],
    }


def group_document(report: GroupReport, attempts: Iterable[AttemptLine]) -> dict[str, Any]:
    return _envelope("group", report.generated_at, report.since) | {
        "group": {
            "leaderboard": [
                {
                    "rank": rank,
                    "name": r.name,
                    "attempts": r.attempts,
                    "correct": r.correct,
                    "seconds": r.seconds,
                    "last_studied_at": _iso(r.last_studied_at),
                }
                for rank, r in enumerate(report.leaderboard, start=1)
            ],
            "chapters": [{"key": key, "title": title} for key, title in report.chapters],
            "mastery": [
                {
                    "name": m.name,
                    "chapters": [
                        {
                            "key": c.chapter,
                            "questions": c.questions,
                            "seen": c.seen,
                            "mastered": c.mastered,
                        }
                        for c in m.chapters
                    ],
                }
                for m in report.members
            ],
            "most_missed": [
                _question(item.question)
                | {
                    "attempts": item.result.attempts,
                    "correct": item.result.correct,
                    "learners": item.result.learners,
                }
                for item in report.most_missed
            ],
        },
        "attempts": [_attempt(a) for a in attempts],
    }


def night_document(night: NightResults, generated: datetime) -> dict[str, Any]:
    hardest = night.hardest
    return _envelope("night", generated, None) | {
        "night": {
            "id": night.night_id,
            "played_on": _iso(night.played_on),
            "players": [
                {"name": p.name, "score": p.score, "rank": p.rank} for p in night.standings
            ],
            "questions": [
                {
                    "id": q.question_id,
                    "prompt": q.prompt,
                    "answers": [
                        {
                            "player": a.player,
                            "correct": a.correct,
                            "points": a.points,
                            "seconds": a.seconds,
                        }
                        for a in q.answers
                    ],
                    "show_me": q.show_me,
                    "warm_up": q.warm_up,
                }
                for q in night.questions
            ],
            "hardest": None if hardest is None else hardest.question_id,
            "rules": list(night.rules),
            "misses": {
                p.name: [q.question_id for q in night.misses_of(p.name)] for p in night.standings
            },
            "most_missed": [q.question_id for q in night.most_missed()],
        }
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
