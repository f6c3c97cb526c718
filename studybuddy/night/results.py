"""A night's results for reports: final standings and every question's answers.

`load_night_results(store, night_id)` takes the room code or the night's number and returns the
reports' `NightResults` (None when no night has that id). A player who was in the room when a
question was asked but did not answer it in time counts as wrong, with 0 points and the whole
timer as their time; a player who joined later is not counted for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, inspect, select

from studybuddy.night import scoring
from studybuddy.night.errors import NightError
from studybuddy.night.records import NightSettings
from studybuddy.night.room import load_question
from studybuddy.night.tables import NightAnswerRow, NightPlayerRow, NightQuestionRow, NightRow
from studybuddy.reports.build import show_me_command
from studybuddy.reports.night import NightAnswer, NightPlayer, NightQuestion, NightResults
from studybuddy.store import Store
from studybuddy.store.errors import translated_errors
from studybuddy.store.tables import table

_N = table(NightRow).c
_Q = table(NightQuestionRow).c
_P = table(NightPlayerRow).c
_A = table(NightAnswerRow).c


@dataclass(frozen=True)
class NightSummary:
    """One line of `studybuddy night list`."""

    id: int
    code: str
    title: str
    kind: str
    phase: str
    created_at: datetime
    players: int
    questions: int


def _night_row(connection: Connection, night_id: str | int) -> Row[Any] | None:
    text = str(night_id).strip()
    if text.isdigit():
        condition = _N.id == int(text)
    else:
        condition = _N.code == text.upper()
    return connection.execute(select(table(NightRow)).where(condition)).first()


def load_night(store: Store, night_id: str | int) -> NightResults:
    """A night's results for a report; NightError when no night has that code or number."""
    results = load_night_results(store, night_id)
    if results is None:
        raise NightError(f"no quiz night with id {str(night_id)!r} in this database")
    return results


def load_night_results(store: Store, night_id: str | int) -> NightResults | None:
    with translated_errors(store.location), store.engine.connect() as connection:
        if not inspect(connection).has_table(NightRow.__tablename__):
            return None
        found = _night_row(connection, night_id)
        if found is None:
            return None
        night = found
        players = connection.execute(
            select(table(NightPlayerRow)).where(_P.night_id == night.id).order_by(_P.seat)
        ).all()
        questions = connection.execute(
            select(table(NightQuestionRow))
            .where(_Q.night_id == night.id, _Q.opened_at.is_not(None))
            .order_by(_Q.position)
        ).all()
        answers = connection.execute(
            select(table(NightAnswerRow)).where(_A.night_id == night.id)
        ).all()
    name_of = {p.id: p.name for p in players}
    given = {(a.player_id, a.position): a for a in answers}
    totals = {p.name: 0 for p in players}
    for row in answers:
        totals[name_of[row.player_id]] += row.base + row.bonus
    ranks = {s.name: s.rank for s in scoring.standings(totals)}
    asked = []
    for question in questions:
        rows = []
        for player in players:
            answer = given.get((player.id, question.position))
            if answer is not None:
                rows.append(
                    NightAnswer(
                        player.name, answer.correct, answer.base + answer.bonus, answer.seconds
                    )
                )
            elif player.joined_at <= question.opened_at:
                rows.append(NightAnswer(player.name, False, 0, night.timer))
        body = load_question(question.body)
        asked.append(
            NightQuestion(
                question.question_id,
                body.prompt,
                tuple(rows),
                show_me=show_me_command(body.show_me),
                warm_up=night.warm_up and question.position == 0,
            )
        )
    settings = NightSettings(
        timer=night.timer,
        points=night.points,
        teams=night.teams,
        speed_points=night.speed_points,
        streak_bonus=night.streak_bonus,
        warm_up=night.warm_up,
        talk_seconds=night.talk_seconds,
    )
    return NightResults(
        night_id=night.code,
        played_on=night.created_at.astimezone().date(),
        players=tuple(NightPlayer(p.name, totals[p.name], ranks[p.name]) for p in players),
        questions=tuple(asked),
        rules=settings.rules(),
    )


def recent_nights(store: Store, limit: int = 20) -> list[NightSummary]:
    """The latest nights in the database, newest first."""
    with translated_errors(store.location), store.engine.connect() as connection:
        if not inspect(connection).has_table(NightRow.__tablename__):
            return []
        players = (
            select(_P.night_id, func.count().label("players")).group_by(_P.night_id).subquery()
        )
        rows = connection.execute(
            select(table(NightRow), players.c.players)
            .outerjoin(players, players.c.night_id == _N.id)
            .order_by(_N.created_at.desc(), _N.id.desc())
            .limit(limit)
        ).all()
    return [
        NightSummary(
            r.id, r.code, r.title, r.kind, r.phase, r.created_at, r.players or 0, r.question_count
        )
        for r in rows
    ]
