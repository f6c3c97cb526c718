"""A quiz night kept in the shared database: the host's steps, the players' answers, the state.

Every step is one short transaction, so any number of processes can play one night: the host's
terminal moves the night from question to question, each player's terminal writes that player's
answers, and all of them poll `state()`. Nothing lives only in a process: a player whose terminal
dies joins again under the same name and finds their score; a host restarted with the room code
carries on where the night stood (a question whose time ran out meanwhile is closed).

The process that submits an answer grades it (the question travels with the night, as JSON) and
works out its points; the night row is locked while it does, so an answer and the host closing
the question cannot cross.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from studybuddy.banks.grading import grade
from studybuddy.banks.models import AnyQuestion, Question
from studybuddy.night import scoring
from studybuddy.night.errors import NightError
from studybuddy.night.records import AnswerResult, NightSettings, NightState, Player, PlayerLine
from studybuddy.night.tables import (
    NightAnswerRow,
    NightPlayerRow,
    NightQuestionRow,
    NightRow,
    create_tables,
)
from studybuddy.store import Store, StoreError
from studybuddy.store.db import writer
from studybuddy.store.errors import translated_errors
from studybuddy.store.tables import table
from studybuddy.study.catalog import QuestionRef

# no I, L, O or U: on a projector they pass for 1, 0 or V
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 5
MAX_NAME = 24
MAX_QUESTIONS = 100
# a terminal that has not checked in for this long is shown as away
CONNECTED_WITHIN = timedelta(seconds=10)
CHECK_IN_EVERY = 3.0  # seconds between a process's "still here" writes
# an answer sent as the countdown hits zero still counts (at half points): polling lags a little
LATE_GRACE = 0.5
MAX_TALK_SECONDS = 120

_N = table(NightRow).c
_Q = table(NightQuestionRow).c
_P = table(NightPlayerRow).c
_A = table(NightAnswerRow).c
_QUESTION = TypeAdapter(Question)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_code() -> str:
    """A room code from the OS's CSPRNG: with `random`, a player who saw a few codes could
    predict the next ones and walk into another group's night."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    code = text.strip().upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        raise NightError(
            f"a room code is {CODE_LENGTH} letters as the host's screen shows it, "
            f"e.g. KXBPT (got {text!r})"
        )
    return code


def clean_player_name(name: str, what: str = "a player's name") -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME or not cleaned.isprintable():
        raise NightError(f"{what} is 1-{MAX_NAME} printable characters (got {name!r})")
    return cleaned


def check_talk_time(settings: NightSettings) -> None:
    talk = settings.talk_seconds
    if not (math.isfinite(talk) and 0 <= talk <= MAX_TALK_SECONDS):
        raise NightError(f"team talk time is 0-{MAX_TALK_SECONDS} seconds (got {talk:g})")
    if talk and not settings.teams:
        raise NightError("team talk time is for team nights (turn teams on, or set it to 0)")
    if talk and settings.answering == "in-turn":
        raise NightError(
            "team talk time is for nights answered together; in turn, each team talks before "
            "pressing Enter at the hand-over"
        )


def load_question(body: str) -> AnyQuestion:
    return _QUESTION.validate_json(body)


class Night:
    """One night, seen from one process. Cheap to make; holds no connection between calls."""

    def __init__(self, store: Store, night_id: int, *, clock: Clock | None = None) -> None:
        self.store = store
        self.id = night_id
        # Answers are timed on one clock for everybody. Processes sharing an SQLite file run on
        # one machine and read the same clock; with PostgreSQL, players' machines may run fast or
        # slow, so every process reads the server's clock instead of its own.
        if clock is None and store.engine.dialect.name == "postgresql":
            clock = self._server_clock
        self.clock = clock or utc_now
        self._writer = writer(store.engine)
        self._questions: dict[int, tuple[AnyQuestion, NightQuestionRow]] = {}
        self._checked_in: dict[int | None, float] = {}
        with self._guard(), store.engine.connect() as connection:
            row = connection.execute(select(table(NightRow)).where(_N.id == night_id)).first()
        if row is None:
            raise NightError(f"no quiz night with id {night_id} in {store.location}")
        self.code: str = row.code
        self.settings = NightSettings(
            timer=row.timer,
            points=row.points,
            teams=row.teams,
            kind=row.kind,
            answering=row.answering,
            title=row.title,
            speed_points=row.speed_points,
            streak_bonus=row.streak_bonus,
            warm_up=row.warm_up,
            talk_seconds=row.talk_seconds,
        )
        self.question_count: int = row.question_count

    def _server_clock(self) -> datetime:
        with self._guard(), self.store.engine.connect() as connection:
            now = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
        return now.astimezone(UTC)

    # ---- making and finding nights ------------------------------------------------------------

    @classmethod
    def create(
        cls,
        store: Store,
        questions: Sequence[QuestionRef],
        settings: NightSettings,
        *,
        clock: Clock | None = None,
    ) -> Night:
        if not questions:
            raise NightError("a night needs at least one question")
        if len(questions) > MAX_QUESTIONS:
            raise NightError(
                f"a night has at most {MAX_QUESTIONS} questions (got {len(questions)})"
            )
        if not 5 <= settings.timer <= 600:
            raise NightError(f"a timer of 5-600 seconds per question (got {settings.timer:g})")
        check_talk_time(settings)
        not_playable = [ref.question.id for ref in questions if not ref.question.auto_gradable]
        if not_playable:
            raise NightError(
                "quiz nights ask auto-graded questions only (not: " + ", ".join(not_playable) + ")"
            )
        now = (clock or utc_now)()
        create_tables(store.engine)
        for _ in range(20):
            code = new_code()
            try:
                with translated_errors(store.location), writer(store.engine).begin() as connection:
                    taken = connection.execute(select(_N.id).where(_N.code == code)).first()
                    if taken is not None:
                        continue
                    night_id = connection.execute(
                        insert(table(NightRow)).values(
                            code=code,
                            title=settings.title,
                            kind=settings.kind,
                            answering=settings.answering,
                            teams=settings.teams,
                            timer=settings.timer,
                            points=settings.points,
                            speed_points=settings.speed_points,
                            streak_bonus=settings.streak_bonus,
                            warm_up=settings.warm_up,
                            talk_seconds=settings.talk_seconds,
                            question_count=len(questions),
                            phase="lobby",
                            current=-1,
                            created_at=now,
                            host_seen_at=now,
                        )
                    ).inserted_primary_key[0]  # type: ignore[index]
                    connection.execute(
                        insert(table(NightQuestionRow)),
                        [
                            {
                                "night_id": night_id,
                                "position": position,
                                "question_id": ref.question.id,
                                "bank_id": ref.bank.id,
                                "bank_version": ref.bank.version,
                                "chapter": ref.chapter_key,
                                "body": ref.question.model_dump_json(),
                            }
                            for position, ref in enumerate(questions)
                        ],
                    )
            except StoreError as exc:
                if isinstance(exc.__cause__, IntegrityError):
                    continue  # another host took the same code a moment earlier
                raise
            return cls(store, night_id, clock=clock)
        raise NightError("could not find a free room code; try again")  # pragma: no cover

    @classmethod
    def open(cls, store: Store, code: str, *, clock: Clock | None = None) -> Night:
        code = normalise_code(code)
        create_tables(store.engine)
        with translated_errors(store.location), store.engine.connect() as connection:
            night_id = connection.execute(select(_N.id).where(_N.code == code)).scalar()
        if night_id is None:
            raise NightError(f"no quiz night with code {code} in {store.location}")
        return cls(store, night_id, clock=clock)

    # ---- questions -----------------------------------------------------------------------------

    def question(self, position: int) -> AnyQuestion:
        return self._question_entry(position)[0]

    def _question_entry(self, position: int) -> tuple[AnyQuestion, NightQuestionRow]:
        if position not in self._questions:
            if not 0 <= position < self.question_count:
                raise NightError(
                    f"question {position + 1} of a night of {self.question_count} questions"
                )
            with self._guard(), self.store.engine.connect() as connection:
                found = connection.execute(
                    select(table(NightQuestionRow)).where(
                        _Q.night_id == self.id, _Q.position == position
                    )
                ).first()
            assert found is not None, "every position of a night has its question"
            row = NightQuestionRow.model_validate(found._asdict())
            self._questions[position] = (load_question(row.body), row)
        return self._questions[position]

    # ---- players -------------------------------------------------------------------------------

    def join(
        self,
        name: str,
        team: str | None = None,
        *,
        token: str | None = None,
        learner: str | None = None,
    ) -> Player:
        """Join the night, or come back to it: the same name (any case) is the same player.

        A first join hands out a secret `Player.token`; coming back under that name needs it,
        so nobody can answer as somebody else (`night.tokens` keeps it on the player's machine).
        `learner` is the profile the joining terminal studies as: the night's answers count in
        that learner's own history only when the player joined under that very name.
        """
        name = clean_player_name(name)
        team = clean_player_name(team, "a team's name") if team and team.strip() else None
        claimed = learner is not None and learner.casefold() == name.casefold()
        learner = self._learner_named(name) if claimed else None
        now = self.clock()
        with self._guard(), self._writer.begin() as connection:
            night = self._locked_night(connection)
            existing = connection.execute(
                select(table(NightPlayerRow)).where(
                    _P.night_id == self.id, _P.name_key == name.casefold()
                )
            ).first()
            if existing is not None:
                if existing.token_hash is not None and not _token_matches(
                    token, existing.token_hash
                ):
                    raise NightError(
                        f"{existing.name} is already playing in night {self.code}: choose another "
                        "name (to come back as them, rejoin from the terminal that joined first)"
                    )
                fresh = secrets.token_urlsafe(16) if existing.token_hash is None else token
                connection.execute(
                    update(table(NightPlayerRow))
                    .where(_P.id == existing.id)
                    .values(seen_at=now, token_hash=_token_hash(fresh))
                )
                return Player(
                    existing.id,
                    existing.name,
                    existing.team,
                    existing.seat,
                    existing.learner,
                    rejoined=True,
                    token=fresh,
                )
            if night.phase == "finished":
                raise NightError(f"night {self.code} has finished; ask the host for a new code")
            if night.teams and team is None:
                raise NightError(f"night {self.code} is played in teams: name your team")
            fresh = secrets.token_urlsafe(16)
            seat = connection.execute(
                select(func.count())
                .select_from(table(NightPlayerRow))
                .where(_P.night_id == self.id)
            ).scalar_one()
            player_id = connection.execute(
                insert(table(NightPlayerRow)).values(
                    night_id=self.id,
                    name=name,
                    name_key=name.casefold(),
                    team=team if night.teams else None,
                    learner=learner,
                    seat=seat + 1,
                    joined_at=now,
                    seen_at=now,
                    token_hash=_token_hash(fresh),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return Player(
            player_id, name, team if night.teams else None, seat + 1, learner, token=fresh
        )

    def players(self) -> list[Player]:
        with self._guard(), self.store.engine.connect() as connection:
            rows = connection.execute(
                select(table(NightPlayerRow)).where(_P.night_id == self.id).order_by(_P.seat)
            ).all()
        return [Player(r.id, r.name, r.team, r.seat, r.learner) for r in rows]

    def _check_is_player(self, player: Player) -> None:
        """Refuse an answer for somebody who is not this player of this night.

        In a room each terminal holds its own player's token (from `join`); an answer made with
        another player's seat but not their token is somebody answering for them. One screen
        seats everyone itself, so there the seat is enough.
        """
        with self._guard(), self.store.engine.connect() as connection:
            row = connection.execute(
                select(_P.night_id, _P.token_hash).where(_P.id == player.id)
            ).first()
        if row is None or row.night_id != self.id:
            raise NightError(f"{player.name} is not a player of night {self.code}")
        if self.settings.kind == "room" and not (
            row.token_hash is not None and _token_matches(player.token, row.token_hash)
        ):
            raise NightError(f"only {player.name}'s own terminal can answer for {player.name}")

    def _learner_named(self, name: str) -> str | None:
        """The learner profile this player is, if one has their name (case aside)."""
        names = {learner.name.casefold(): learner.name for learner in self.store.learners()}
        return names.get(name.casefold())

    def check_in(self, player: Player | None = None) -> None:
        """Say this terminal (a player's, or the host's for None) is still here; throttled."""
        key = None if player is None else player.id
        last = self._checked_in.get(key)
        if last is not None and time.monotonic() - last < CHECK_IN_EVERY:
            return
        self._checked_in[key] = time.monotonic()
        now = self.clock()
        with self._guard(), self._writer.begin() as connection:
            if player is None:
                statement = update(table(NightRow)).where(_N.id == self.id)
                connection.execute(statement.values(host_seen_at=now))
            else:
                statement = update(table(NightPlayerRow)).where(_P.id == player.id)
                connection.execute(statement.values(seen_at=now))

    # ---- the host's steps ----------------------------------------------------------------------

    def start(self) -> NightState:
        return self.open_question(0)

    def open_question(self, position: int) -> NightState:
        self.question(position)  # checks the position
        now = self.clock()
        with self._guard(), self._writer.begin() as connection:
            night = self._locked_night(connection)
            if night.phase == "finished":
                raise NightError(f"night {self.code} has finished")
            self._set(connection, phase="question", current=position, opened_at=now)
            connection.execute(
                update(table(NightQuestionRow))
                .where(_Q.night_id == self.id, _Q.position == position)
                .values(opened_at=now)
            )
        return self.state()

    def close_question(self) -> NightState:
        """Stop taking answers to the question on screen; no-op if it is already closed.

        A learner who was in the room and let the time run out missed the question: that goes
        into their history too (no answer, the whole timer), so it comes back in their review.
        """
        now = self.clock()
        with self._guard(), self._writer.begin() as connection:
            night = self._locked_night(connection)
            if night.phase != "question":
                return self.state()
            self._set(connection, phase="reveal")
            silent = connection.execute(
                select(_P.id, _P.name, _P.team, _P.seat, _P.learner).where(
                    _P.night_id == self.id,
                    _P.learner.is_not(None),
                    _P.joined_at <= night.opened_at,
                    _P.id.not_in(
                        select(_A.player_id).where(
                            _A.night_id == self.id, _A.position == night.current
                        )
                    ),
                )
            ).all()
        _, row = self._question_entry(night.current)
        for p in silent:
            player = Player(p.id, p.name, p.team, p.seat, p.learner)
            self._count_in_progress(player, row, None, None, self.settings.timer, now)
        return self.state()

    def advance(self) -> NightState:
        """The host's "next": start, close the open question, open the next one, or finish."""
        state = self.state()
        if state.phase == "lobby":
            return self.start()
        if state.phase == "question":
            return self.close_question()
        if state.phase == "reveal":
            if state.current + 1 < self.question_count:
                return self.open_question(state.current + 1)
            return self.finish()
        return state

    def finish(self) -> NightState:
        now = self.clock()
        with self._guard(), self._writer.begin() as connection:
            night = self._locked_night(connection)
            if night.phase != "finished":
                self._set(connection, phase="finished", finished_at=now)
        return self.state()

    def host_tick(self) -> NightState:
        """The host's poll: check in, and close the question once time is up or all answered.

        In-turn hot seats time each player separately, so only their screen closes a question.
        """
        self.check_in()
        state = self.state()
        if state.phase != "question":
            return state
        timed_out = state.answering != "in-turn" and state.remaining <= 0
        if timed_out or state.everyone_answered:
            return self.close_question()
        return state

    # ---- answers -------------------------------------------------------------------------------

    def answer(
        self, player: Player, position: int, response: Any, *, seconds: float | None = None
    ) -> AnswerResult:
        """Grade and keep a player's answer to the open question at `position`.

        `seconds` is the time the player took, measured by this process: only a one-screen
        (hot-seat) night, where the host's own screen times each turn, may pass it. In a room
        the time is always the host's clock since the question opened, never a player's claim.
        Answers after the countdown are refused.
        """
        if seconds is not None:
            if self.settings.kind != "hot-seat":
                raise NightError("in a room the answer's time is taken by the host's clock")
            if not math.isfinite(seconds) or seconds < 0:
                raise NightError(f"an answer time of 0 seconds or more (got {seconds!r})")
        question, row = self._question_entry(position)
        self._check_is_player(player)
        try:
            result = grade(question, response)
        except (TypeError, ValueError) as exc:
            raise NightError(f"that answer cannot be graded: {exc}") from exc
        if not result.answered:  # not a number or the like: the player types again
            raise NightError(result.feedback)
        now = self.clock()
        timer = self.settings.timer
        with self._guard(), self._writer.begin() as connection:
            night = self._locked_night(connection)
            if night.phase != "question" or night.current != position:
                raise NightError(f"question {position + 1} is closed; wait for the next one")
            if seconds is None:
                # the answer clock starts once the teams' talk time is over
                seconds = (now - night.opened_at).total_seconds() - night.talk_seconds
                if seconds < 0:
                    raise NightError(
                        f"answers open in {math.ceil(-seconds)} s: talk it over with your team"
                    )
            if seconds > timer + LATE_GRACE:
                raise NightError(f"time is up for question {position + 1}")
            # rounded before scoring, as stored: the record must reproduce the points exactly
            seconds = round(min(max(seconds, 0.0), timer), 3)
            streaks = dict(
                connection.execute(
                    select(_A.position, _A.streak).where(
                        _A.player_id == player.id, _A.position.in_((position - 1, position))
                    )
                ).all()
            )
            if position in streaks:
                raise NightError(f"{player.name} has already answered question {position + 1}")
            scored = scoring.score_answer(
                correct=result.correct,
                seconds=seconds,
                timer=timer,
                # the run so far, as the last answer left it; a question left unanswered ends it
                streak_before=streaks.get(position - 1, 0),
                points=self.settings.points,
                rules=self.settings.scoring,
                warm_up=self.settings.warm_up and position == 0,
            )
            connection.execute(
                insert(table(NightAnswerRow)).values(
                    night_id=self.id,
                    player_id=player.id,
                    position=position,
                    question_id=row.question_id,
                    answer=json.dumps(response),
                    correct=scored.correct,
                    seconds=seconds,
                    base=scored.base,
                    bonus=scored.bonus,
                    streak=scored.streak,
                    answered_at=now,
                )
            )
        note = self._count_in_progress(player, row, response, result, seconds, now)
        return AnswerResult(
            correct=scored.correct,
            base=scored.base,
            bonus=scored.bonus,
            streak=scored.streak,
            seconds=seconds,
            feedback=result.feedback,
            progress_note=note,
        )

    def _count_in_progress(self, player, row, response, result, seconds, now) -> str | None:
        """A night's answer also counts in the player's own history, if they have a profile.

        Looked up again at each answer: recording under a profile renamed or removed since the
        player joined would otherwise create it anew.
        """
        if player.learner is None:  # nobody joined as a learner of that name
            return None
        try:
            learner = self._learner_named(player.learner)
            if learner is None:
                return None
            self.store.record_attempt(
                learner,
                question_id=row.question_id,
                bank_id=row.bank_id,
                bank_version=row.bank_version,
                answer=response,  # None: the time ran out before any answer
                correct=result is not None and result.correct,
                score=0.0 if result is None else result.score,
                seconds=seconds,
                mode="quiz-night",
                at=now,
            )
        except StoreError as exc:
            return str(exc)
        return None

    # ---- reading -------------------------------------------------------------------------------

    def state(self) -> NightState:
        now = self.clock()
        with self._guard(), self.store.engine.connect() as connection:
            night = connection.execute(select(table(NightRow)).where(_N.id == self.id)).one()
            players = connection.execute(
                select(table(NightPlayerRow)).where(_P.night_id == self.id).order_by(_P.seat)
            ).all()
            answers = connection.execute(
                select(_A.player_id, _A.position, _A.correct, _A.base, _A.bonus, _A.streak).where(
                    _A.night_id == self.id
                )
            ).all()
        by_player: dict[int, dict[int, Any]] = {}
        for answer in answers:
            by_player.setdefault(answer.player_id, {})[answer.position] = answer
        revealed = night.phase in ("reveal", "finished")
        lines = []
        for player in players:
            mine = by_player.get(player.id, {})
            current = mine.get(night.current)
            previous = mine.get(night.current - 1)
            streak = current.streak if current else (previous.streak if previous else 0)
            lines.append(
                PlayerLine(
                    name=player.name,
                    team=player.team,
                    seat=player.seat,
                    score=sum(a.base + a.bonus for a in mine.values()),
                    streak=streak,
                    answered=current is not None,
                    connected=night.kind == "hot-seat" or now - player.seen_at < CONNECTED_WITHIN,
                    last_points=(current.base + current.bonus if current else 0)
                    if revealed and night.current >= 0
                    else None,
                    last_correct=bool(current and current.correct) if revealed else None,
                )
            )
        teams = (
            scoring.team_scores({p.name: p.score for p in lines}, {p.name: p.team for p in lines})
            if night.teams
            else {}
        )
        return NightState(
            id=night.id,
            code=night.code,
            title=night.title,
            kind=night.kind,
            answering=night.answering,
            teams=night.teams,
            timer=night.timer,
            points=night.points,
            question_count=night.question_count,
            phase=night.phase,
            current=night.current,
            opened_at=night.opened_at,
            now=now,
            host_connected=night.kind == "hot-seat" or now - night.host_seen_at < CONNECTED_WITHIN,
            players=tuple(lines),
            team_scores=teams,
            talk_seconds=night.talk_seconds,
            warm_up=night.warm_up,
        )

    # ---- helpers -------------------------------------------------------------------------------

    def _guard(self):
        return translated_errors(self.store.location)

    def _locked_night(self, connection: Connection):
        # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE has locked the whole file already
        return connection.execute(
            select(table(NightRow)).where(_N.id == self.id).with_for_update()
        ).one()

    def _set(self, connection: Connection, **values: Any) -> None:
        connection.execute(update(table(NightRow)).where(_N.id == self.id).values(**values))


def _token_hash(token: str | None) -> str | None:
    # only a digest is stored: whoever can read the database still cannot rejoin as a player
    return None if token is None else hashlib.sha256(token.encode()).hexdigest()


def _token_matches(token: str | None, stored: str) -> bool:
    digest = _token_hash(token)
    return digest is not None and hmac.compare_digest(digest, stored)
