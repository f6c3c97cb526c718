"""An older database opens migrated, with every row kept."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating, Scheduler
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    inspect,
    text,
)

from studybuddy.store import Store, StoreError, database_url
from studybuddy.store.migrations import SCHEMA_VERSION
from studybuddy.store.scheduling import new_card

# The walking skeleton's schema (version 1), as its SQLModel classes created it.
V1 = MetaData()
Table(
    "learner",
    V1,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True, index=True),
    Column("created_at", DateTime, nullable=False),
)
Table(
    "attempt",
    V1,
    Column("id", Integer, primary_key=True),
    Column("learner_id", Integer, ForeignKey("learner.id"), nullable=False, index=True),
    Column("question_id", String, nullable=False, index=True),
    Column("bank_id", String, nullable=False),
    Column("bank_version", Integer, nullable=False),
    Column("answer", String, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("score", Float, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("mode", String, nullable=False),
    Column("answered_at", DateTime, nullable=False, index=True),
)

T0 = datetime(2026, 1, 5, 18, 0)  # naive UTC, as the skeleton stored it
LEARNERS = [(1, "ada", T0 - timedelta(days=1)), (2, "bob", T0)]
# (id, learner, question, bank, version, answer JSON, correct, score, seconds, mode, answered_at)
ATTEMPTS = [
    (1, 1, "q1", "ch3", 1, "[0]", True, 1.0, 30.0, "study", T0),
    (2, 1, "q2", "ch3", 1, "[2]", False, 0.0, 8.5, "study", T0 + timedelta(minutes=1)),
    (3, 2, "q1", "ch3", 1, "[1]", False, 0.0, 70.0, "study", T0 + timedelta(minutes=2)),
    (4, 1, "q1", "ch3", 2, "[0]", True, 1.0, 75.0, "review", T0 + timedelta(days=3)),
    (5, 1, "gone", "old", 1, '"text"', True, 0.5, 4.0, "study", T0 + timedelta(days=3, hours=1)),
]


def build_v1(target: str) -> None:
    engine = create_engine(database_url(target))
    V1.create_all(engine)
    with engine.begin() as connection:
        for row in LEARNERS:
            connection.execute(
                text("INSERT INTO learner (id, name, created_at) VALUES (:i, :n, :c)"),
                dict(zip("inc", row, strict=True)),
            )
        for row in ATTEMPTS:
            connection.execute(
                text(
                    "INSERT INTO attempt VALUES (:id, :learner, :q, :bank, :version, :answer,"
                    " :correct, :score, :seconds, :mode, :at)"
                ),
                dict(
                    zip(
                        [
                            "id",
                            "learner",
                            "q",
                            "bank",
                            "version",
                            "answer",
                            "correct",
                            "score",
                            "seconds",
                            "mode",
                            "at",
                        ],
                        row,
                        strict=True,
                    )
                ),  # fmt: skip
            )
        if connection.dialect.name == "postgresql":
            # explicit ids above leave the sequences behind, as restoring a dump would not
            for table in ("learner", "attempt"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)")
                )
    engine.dispose()


def columns(target: str) -> dict[str, set[tuple[str, bool]]]:
    engine = create_engine(database_url(target))
    inspector = inspect(engine)
    found = {
        table: {(c["name"], c["nullable"]) for c in inspector.get_columns(table)}
        | {("index:" + i["name"], bool(i["unique"])) for i in inspector.get_indexes(table)}
        for table in inspector.get_table_names()
    }
    engine.dispose()
    return found


def test_a_version_1_database_is_migrated_keeping_every_row(database, tmp_path):
    build_v1(database)
    store = Store(database)
    assert store.check().schema_version == SCHEMA_VERSION
    kept = {
        name: [
            (a.question_id, a.bank_id, a.bank_version, a.answer, a.correct, a.score, a.seconds,
             a.mode, a.answered_at)
            for a in store.attempts(name)
        ]
        for _, name, _ in LEARNERS
    }  # fmt: skip
    import json

    expected = {
        name: [
            (q, bank, v, json.loads(ans), ok, score, secs, mode, at.replace(tzinfo=UTC))
            for (_, lid, q, bank, v, ans, ok, score, secs, mode, at) in ATTEMPTS
            if lid == learner_id
        ]
        for learner_id, name, _ in LEARNERS
    }
    assert kept == expected
    assert {(r.name, r.created_at) for r in store.learners()} == {
        (name, created.replace(tzinfo=UTC)) for _, name, created in LEARNERS
    }
    # ratings filled in by the rule, then the cards rebuilt from them
    assert [a.rating for a in store.attempts("ada")] == [3, 1, 2, 4]
    scheduler = Scheduler(enable_fuzzing=False)
    card = new_card(T0.replace(tzinfo=UTC))
    for rating, at in [(Rating.Good, T0), (Rating.Hard, T0 + timedelta(days=3))]:
        card, _ = scheduler.review_card(card, rating, at.replace(tzinfo=UTC))
    due = {
        item.question_id: item.due
        for item in store.due_queue("ada", now=T0.replace(tzinfo=UTC) + timedelta(days=3650))
    }
    assert due["q1"] == card.due
    # new attempts work after migration
    store.record_attempt("ada", question_id="q3", bank_id="ch3", bank_version=2, answer=[1],
                         correct=True, score=1.0, seconds=20)  # fmt: skip
    store.close()
    fresh = str(tmp_path / "fresh.sqlite3") if "://" not in database else None
    if fresh:
        Store(fresh).close()
        assert columns(database) == columns(fresh)


def test_a_migrated_sqlite_file_leaves_its_old_self_beside_it(tmp_path):
    path = tmp_path / "progress.sqlite3"
    build_v1(str(path))
    Store(str(path)).close()
    backup = tmp_path / "progress.sqlite3.schema-v1.bak"
    copy = sqlite3.connect(backup)
    tables = {name for (name,) in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    count = copy.execute("SELECT count(*) FROM attempt").fetchone()[0]
    copy.close()
    assert tables == {"learner", "attempt"}
    assert count == len(ATTEMPTS)
    Store(str(path)).close()  # already current: no second backup
    assert sorted(p.name for p in tmp_path.glob("*.bak")) == [backup.name]


def test_a_database_from_a_newer_studybuddy_is_refused(database):
    Store(database).close()
    engine = create_engine(database_url(database))
    with engine.begin() as connection:
        connection.execute(text("UPDATE schema_version SET version = 99"))
    engine.dispose()
    with pytest.raises(StoreError, match="schema version 99.*upgrade StudyBuddy"):
        Store(database)


def test_two_processes_opening_an_old_database_migrate_it_once(database, tmp_path):
    import threading

    build_v1(database)
    errors, stores = [], []

    def open_it() -> None:
        try:
            stores.append(Store(database))
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stores[0].check().review_states == 4  # ada: q1, q2, gone; bob: q1
    for store in stores:
        store.close()
    if "://" not in database:
        assert len(list(tmp_path.glob("*.bak"))) == 1
