"""Quiz-night tables, on the store's SQLModel metadata and in the store's database.

Everything a night needs lives here, so any process sharing the database (a host, players on
other terminals, a host restarted after a crash) sees the same game. The questions are copied in
as JSON: players need not have the host's banks, and the record outlives bank edits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, UniqueConstraint, inspect, text
from sqlmodel import Field, SQLModel

from studybuddy.store.db import AdvisoryLock, hold_advisory_lock, writer
from studybuddy.store.tables import UTCDateTime, table, utcnow


class NightRow(SQLModel, table=True):
    __tablename__ = "quiz_night"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True)
    title: str
    kind: str  # room | hot-seat
    answering: str  # together | in-turn | keys
    teams: bool = False
    timer: float
    points: int
    speed_points: bool = True
    streak_bonus: bool = True
    warm_up: bool = False
    talk_seconds: float = 0.0
    question_count: int
    phase: str = "lobby"  # lobby | question | reveal | finished
    current: int = -1  # the question on screen (0-based); -1 in the lobby
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    host_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NightQuestionRow(SQLModel, table=True):
    __tablename__ = "quiz_night_question"

    night_id: int = Field(foreign_key="quiz_night.id", primary_key=True)
    position: int = Field(primary_key=True)
    question_id: str
    bank_id: str
    bank_version: int
    chapter: str  # bank/chapter key
    body: str  # the question as JSON, as the bank had it that night
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # None: never asked


class NightPlayerRow(SQLModel, table=True):
    __tablename__ = "quiz_night_player"
    __table_args__ = (UniqueConstraint("night_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    night_id: int = Field(foreign_key="quiz_night.id", index=True)
    name: str
    name_key: str  # casefolded: "bo" rejoining as "Bo" is the same player
    team: str | None = None
    learner: str | None = None  # the profile whose progress the answers also count in
    seat: int  # joining order; hot-seat turns and key rows follow it
    token_hash: str | None = None  # sha256 of the secret a rejoin must present
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NightAnswerRow(SQLModel, table=True):
    __tablename__ = "quiz_night_answer"
    __table_args__ = (UniqueConstraint("player_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    night_id: int = Field(foreign_key="quiz_night.id", index=True)
    player_id: int = Field(foreign_key="quiz_night_player.id")
    position: int
    question_id: str
    answer: str  # the response as JSON
    correct: bool
    seconds: float
    base: int
    bonus: int
    streak: int
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


TABLES = [
    table(NightRow),
    table(NightQuestionRow),
    table(NightPlayerRow),
    table(NightAnswerRow),
]


# the rule columns added after the first night tables, with the defaults old nights played by
RULE_COLUMNS = {
    "speed_points": "BOOLEAN NOT NULL DEFAULT TRUE",
    "streak_bonus": "BOOLEAN NOT NULL DEFAULT TRUE",
    "warm_up": "BOOLEAN NOT NULL DEFAULT FALSE",
    "talk_seconds": "FLOAT NOT NULL DEFAULT 0",
}


def create_tables(engine: Engine) -> None:
    """Add the night tables to a store's database if they are missing (existing rows stay).

    A host and its players often start together: the write transaction (BEGIN IMMEDIATE on
    SQLite, an advisory lock on PostgreSQL) makes the second one find the tables made.
    """
    with writer(engine).begin() as connection:
        hold_advisory_lock(connection, AdvisoryLock.NIGHT_TABLES)
        SQLModel.metadata.create_all(connection, tables=TABLES, checkfirst=True)
        # Night tables made before player tokens existed gain the column; old rows keep NULL,
        # and the next rejoin under such a name is handed a token.
        player_columns = {c["name"] for c in inspect(connection).get_columns("quiz_night_player")}
        if "token_hash" not in player_columns:
            connection.execute(text("ALTER TABLE quiz_night_player ADD COLUMN token_hash VARCHAR"))
        # Nights from before the host's options were played by the default rules.
        night_columns = {c["name"] for c in inspect(connection).get_columns("quiz_night")}
        for column, declaration in RULE_COLUMNS.items():
            if column not in night_columns:
                added = f"ALTER TABLE quiz_night ADD COLUMN {column} {declaration}"
                connection.execute(text(added))
