"""Never lose data: killed processes, concurrent writers, locks, damaged files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from studybuddy.store import Store, StoreError

RECORD = dict(bank_id="b", bank_version=1, answer=[0], correct=True, score=1.0, seconds=12.0)

CHILD = textwrap.dedent(
    """
    import sys
    from studybuddy.store import Store
    target, learner, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store(target)
    i = 0
    while count < 0 or i < count:
        store.record_attempt(learner, question_id=f"q{i % 5}", bank_id="b", bank_version=1,
                             answer=[i], correct=i % 3 != 0, score=1.0, seconds=12.0)
        print(i, flush=True)  # acknowledged: the answer is committed
        i += 1
    """
)


def _child(target: str, learner: str, count: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, target, learner, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_session_loses_no_acknowledged_attempt(database):
    child = _child(database, "ada", -1)  # records until killed
    acknowledged = [int(child.stdout.readline()) for _ in range(25)]
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    store = Store(database)
    answers = [a.answer[0] for a in store.attempts("ada")]
    store.close()
    assert set(acknowledged) <= set(answers)
    assert answers == list(range(len(answers)))  # in order, none torn or duplicated


def test_two_processes_writing_at_once_lose_nothing(database):
    Store(database).close()  # create the schema first so both children only write
    children = [_child(database, "ada", 40), _child(database, "ada", 40)]
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    store = Store(database)
    attempts = store.attempts("ada")
    assert len(attempts) == 80
    assert all(a.rating is not None for a in attempts)
    # every attempt updated the same five cards; all five exist once
    assert store.check().review_states == 5
    store.close()


def test_threads_sharing_one_store_lose_nothing(store):
    def work(name: str) -> None:
        for i in range(25):
            store.record_attempt(name, question_id=f"q{i % 4}", **RECORD)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("ada", "ada", "bob", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.attempt_count() == 100
    assert len(store.attempts("ada")) == len(store.attempts("bob")) == 50


def _hold_lock(database: str):
    """Another program's open write transaction on the database; returns its release."""
    if "://" not in database:
        other = sqlite3.connect(database, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        return lambda: (other.execute("ROLLBACK"), other.close())
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    connection = engine.connect()
    connection.execute(text("LOCK TABLE attempt IN EXCLUSIVE MODE"))
    return lambda: (connection.rollback(), connection.close(), engine.dispose())


def test_a_locked_database_is_a_clear_error_and_the_answer_is_kept(database):
    store = Store(database, busy_timeout=0.3)
    store.record_attempt("ada", question_id="before", **RECORD)
    release = _hold_lock(database)
    try:
        with pytest.raises(StoreError, match="busy.*kept and will be saved") as caught:
            store.record_attempt("ada", question_id="during", **RECORD)
        assert caught.value.locked
        assert store.unsaved == 1
    finally:
        release()
    store.record_attempt("ada", question_id="after", **RECORD)
    assert [a.question_id for a in store.attempts("ada")] == ["before", "during", "after"]
    assert store.unsaved == 0
    store.close()


def _assert_refused_untouched(path: Path, match: str) -> None:
    before = path.read_bytes()
    with pytest.raises(StoreError, match=match):
        Store(str(path))
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my reading notes\n" * 100)
    _assert_refused_untouched(path, "is not an SQLite database; it was left untouched")


def test_a_damaged_header_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4080))
    _assert_refused_untouched(path, "damaged SQLite file")


def test_another_programs_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "places.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    other.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    other.commit()
    other.close()
    _assert_refused_untouched(path, "another program's SQLite database")


def test_damaged_pages_give_a_store_error_and_change_nothing(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = Store(str(path))
    attempts = [
        {**RECORD, "question_id": f"q{i}", "answer": "x" * 200, "mode": "study",
         "answered_at": f"2026-03-02T09:{i % 60:02d}:00+00:00"}
        for i in range(400)
    ]  # fmt: skip
    learner = {"name": "ada", "created_at": "2026-03-01T00:00:00+00:00", "attempts": attempts}
    store.import_data({"format": "studybuddy-export", "version": 1, "schema_version": 2,
                       "learners": [learner]})  # fmt: skip
    store.close()
    # everything into the main file, so the damage below cannot be read around via the WAL
    checkpoint = sqlite3.connect(path)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 10 * page
    # keep page 1 (the header and the list of tables) readable, wreck every page after it
    data[page:] = b"\xff" * (len(data) - page)
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(StoreError, match="damaged|malformed") as caught:
        damaged = Store(str(path))
        try:
            damaged.attempts("ada")
            damaged.learner_stats("ada", {})
        finally:
            damaged.close()
    assert path.read_bytes() == before
    assert "\n" not in str(caught.value)
