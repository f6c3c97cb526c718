"""CSV exports: one answer a row, for people who analyse their own data in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from studybuddy.reports.models import AttemptLine
from studybuddy.reports.night import NightResults

ATTEMPT_COLUMNS = [
    "learner",
    "answered_at",
    "question_id",
    "chapter",
    "bank_id",
    "bank_version",
    "mode",
    "correct",
    "score",
    "seconds",
    "rating",
    "answer",
]
NIGHT_COLUMNS = [
    "night_id",
    "played_on",
    "question_number",
    "question_id",
    "player",
    "correct",
    "points",
    "seconds",
]


def _cell(value: str) -> str:
    """User-written text that a spreadsheet would run as a formula is kept as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv(columns: list[str], rows: Iterable[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def attempts_csv(attempts: Iterable[AttemptLine]) -> str:
    return _csv(
        ATTEMPT_COLUMNS,
        (
            [
                _cell(a.learner),
                a.answered_at.isoformat(),
                a.question_id,
                a.chapter,
                a.bank_id,
                a.bank_version,
                a.mode,
                "true" if a.correct else "false",
                a.score,
                a.seconds,
                "" if a.rating is None else a.rating,
                _cell(json.dumps(a.answer, ensure_ascii=False)),
            ]
            for a in attempts
        ),
    )


def night_csv(night: NightResults) -> str:
    return _csv(
        NIGHT_COLUMNS,
        (
            [
                night.night_id,
                night.played_on.isoformat(),
                number,
                question.question_id,
                _cell(answer.player),
                "true" if answer.correct else "false",
                answer.points,
                answer.seconds,
            ]
            for number, question in enumerate(night.questions, start=1)
            for answer in question.answers
        ),
    )
