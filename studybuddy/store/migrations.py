"""Schema versions and the steps between them, run on open, keeping every row.

Version 1 is the walking skeleton's schema (tables learner and attempt, no version table).
Version 2 adds the schema_version table, per-learner desired retention, the fsrs rating of each
attempt, the review_state table (one fsrs card per learner and question, rebuilt from the
history) and an index for per-learner time queries.

To change the schema: edit tables.py, write `_vN_to_vN1(connection)` with plain DDL that works
on SQLite and PostgreSQL, append it to STEPS and raise SCHEMA_VERSION; add a test that opens a
database of the previous version. A new table needs no step (create_all adds missing tables).

Why not Alembic: the app upgrades a learner's own file silently on open, on two backends, with
no config or script folder to ship; a list of functions in one transaction does that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, bindparam, inspect, select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from studybuddy.store import scheduling
from studybuddy.store.backup import backup_before_migration
from studybuddy.store.db import AdvisoryLock, hold_advisory_lock, writer
from studybuddy.store.errors import StoreError
from studybuddy.store.tables import Attempt, Learner, ReviewState, SchemaVersion, table

SCHEMA_VERSION = 2


def database_version(connection: Connection) -> int:
    """0 for an empty database, 1 for the walking skeleton's, else the recorded version."""
    tables = set(inspect(connection).get_table_names())
    if SchemaVersion.__tablename__ in tables:
        version = connection.execute(select(table(SchemaVersion).c.version)).scalars().all()
        return max(version, default=1)
    if tables & {"learner", "attempt"}:
        return 1
    return 0


def _v1_to_v2(connection: Connection) -> None:
    connection.execute(
        text("ALTER TABLE learner ADD COLUMN desired_retention FLOAT NOT NULL DEFAULT 0.9")
    )
    connection.execute(text("ALTER TABLE attempt ADD COLUMN rating INTEGER"))
    table(SchemaVersion).create(connection)
    table(ReviewState).create(connection)
    for index in table(Attempt).indexes:
        index.create(connection, checkfirst=True)
    rebuild_review_states(connection)


STEPS: list[Callable[[Connection], None]] = [_v1_to_v2]  # STEPS[n - 1] upgrades version n
assert len(STEPS) == SCHEMA_VERSION - 1


def rebuild_review_states(connection: Connection, learner_ids: list[int] | None = None) -> None:
    """Replay attempts through fsrs: store each attempt's rating and each learner's cards."""
    attempts = table(Attempt).c
    query = select(
        attempts.id,
        attempts.learner_id,
        attempts.question_id,
        attempts.correct,
        attempts.seconds,
        attempts.rating,
        attempts.answered_at,
    ).order_by(attempts.learner_id, attempts.answered_at, attempts.id)
    if learner_ids is not None:
        query = query.where(attempts.learner_id.in_(learner_ids))
    by_learner: dict[int, list] = defaultdict(list)
    for row in connection.execute(query):
        by_learner[row.learner_id].append(row)
    learners = table(Learner).c
    retention: dict[int, float] = {
        row.id: row.desired_retention
        for row in connection.execute(select(learners.id, learners.desired_retention))
    }
    rating_updates, states = [], []
    for learner_id, rows in by_learner.items():
        history = [(r.question_id, r.correct, r.seconds, r.rating, r.answered_at) for r in rows]
        cards, ratings = scheduling.replay(history, retention[learner_id])
        rating_updates += [
            {"attempt_id": row.id, "new_rating": rating}
            for row, rating in zip(rows, ratings, strict=True)
            if row.rating is None
        ]
        states += [
            {"learner_id": learner_id, "question_id": qid, **scheduling.card_fields(card)}
            for qid, card in cards.items()
        ]
    if rating_updates:
        connection.execute(
            update(table(Attempt))
            .where(attempts.id == bindparam("attempt_id"))
            .values(rating=bindparam("new_rating")),
            rating_updates,
        )
    if states:
        connection.execute(table(ReviewState).insert(), states)


def _missing_tables(connection: Connection) -> bool:
    return bool(set(SQLModel.metadata.tables) - set(inspect(connection).get_table_names()))


def migrate(engine: Engine, *, backup_path: Path | None = None) -> int:
    """Bring the database to SCHEMA_VERSION; returns the version it had before.

    An SQLite file about to be upgraded is first copied beside itself (…schema-vN.bak) by
    whichever process holds the write lock.
    """
    # most opens find the schema current: a read, no write lock
    with engine.connect() as connection:
        found = database_version(connection)
        needs_tables = _missing_tables(connection)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"this database uses schema version {found}, written by a newer StudyBuddy "
            f"(this one knows up to {SCHEMA_VERSION}); upgrade StudyBuddy to open it"
        )
    if found == SCHEMA_VERSION and not needs_tables:
        return found
    with writer(engine).begin() as connection:
        # PostgreSQL sessions migrating the same database queue on the lock
        hold_advisory_lock(connection, AdvisoryLock.MIGRATION)
        # read again under the lock: another process may have migrated meanwhile
        version = database_version(connection)
        if backup_path is not None and 0 < version < SCHEMA_VERSION:
            # under the write lock: one copy, by whichever process migrates (readers still read)
            backup_before_migration(backup_path, version)
        if version == 0:
            SQLModel.metadata.create_all(connection)
        else:
            for step in STEPS[version - 1 : SCHEMA_VERSION - 1]:
                step(connection)
            SQLModel.metadata.create_all(connection)
        if version != SCHEMA_VERSION:
            connection.execute(table(SchemaVersion).delete())
            connection.execute(table(SchemaVersion).insert(), {"version": SCHEMA_VERSION})
    return found
