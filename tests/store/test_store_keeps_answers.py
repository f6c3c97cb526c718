"""No answer is lost to a database error of any kind: it is kept in memory, retried, written to
a recovery file when the app has to close, and saved on the next start. Each test reproduces a
way answers were dropped before: a full disk, a file replaced under the app, a restarted server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from studybuddy.store import Store, StoreError, recovery

ANSWER = dict(bank_id="b", bank_version=1, answer=[1], correct=True, score=1.0, seconds=3.0)


def record(store: Store, question: str) -> None:
    store.record_attempt("ada", question_id=question, **ANSWER)


def saved(store: Store) -> list[str]:
    return [a.question_id for a in store.attempts("ada")]


def test_answers_on_a_full_disk_are_kept_then_saved_on_the_next_start(tmp_path):
    """A child process may not grow any file past the database's size (ulimit -f): SQLite
    reports the disk full. Every answer it acknowledged or kept must reach the database."""
    database = tmp_path / "progress.sqlite3"
    setup = Store(str(database))
    setup.add_learner("ada")
    setup.close()
    code = textwrap.dedent(
        f"""
        import resource, signal
        from studybuddy.store import Store, StoreError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
        store = Store({str(database)!r})
        # no file may grow 8 KB past the database's size now: its log fills up first
        limit = {database.stat().st_size} + 8192
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        answered, kept = 0, 0
        while kept < 20:
            try:
                store.record_attempt("ada", question_id=f"q{{answered}}", bank_id="b",
                                     bank_version=1, answer=[1], correct=True, score=1.0,
                                     seconds=3.0)
            except StoreError as exc:
                assert "kept" in str(exc), exc
                kept += 1
            answered += 1
        print(answered, store.unsaved)
        store.close()
        print(store.recovery_file)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    answered, unsaved, where = out.stdout.split()
    assert int(unsaved) == 20  # every answer the full disk refused is still held
    assert Path(where).is_file()
    after = Store(str(database))  # no limit now: the recovery file is saved
    try:
        assert after.recovered == int(unsaved)
        expected = [f"q{n}" for n in range(int(answered))]
        assert sorted(saved(after), key=lambda q: int(q[1:])) == expected
        assert not Path(where).exists()
    finally:
        after.close()


def test_a_database_file_replaced_under_the_app_is_noticed_and_nothing_is_lost(tmp_path):
    folder = tmp_path / "data"
    database = folder / "progress.sqlite3"
    store = Store(str(database))
    store.add_learner("ada")
    record(store, "q0")
    shutil.rmtree(folder)  # the folder removed (a sync tool, a clean-up script, a user)
    for n in range(1, 11):
        with pytest.raises(StoreError, match="moved, deleted or replaced"):
            record(store, f"q{n}")
    assert store.unsaved == 10
    store.close()
    assert store.recovery_file is not None and store.recovery_file.exists()
    fresh = Store(str(database))  # a new file at the same path takes the ten answers
    try:
        assert fresh.recovered == 10
        assert saved(fresh) == [f"q{n}" for n in range(1, 11)]
    finally:
        fresh.close()
    assert not store.recovery_file.exists()


def test_a_hostile_recovery_file_is_kept_and_never_guessed_at(tmp_path):
    database = tmp_path / "p.sqlite3"
    Store(str(database)).close()
    [beside, *_] = recovery.candidates(str(database))
    beside.write_text(
        '{"format": "studybuddy-unsaved/1", "answers": [{"learner": "ada", "seconds": NaN}]}'
    )
    store = Store(str(database))
    store.close()
    assert store.recovered == 0
    assert "NaN" in beside.read_text()  # still there for a person to look at


@pytest.mark.skipif(
    not os.environ.get("STUDYBUDDY_TEST_POSTGRES_RESTART"),
    reason="needs STUDYBUDDY_TEST_POSTGRES_RESTART, a command restarting the test server "
    "(.ci/run sets it)",
)
def test_a_restarted_postgresql_server_loses_no_answer(postgres_url):
    store = Store(postgres_url)
    try:
        store.add_learner("ada")
        record(store, "before")
        subprocess.run(os.environ["STUDYBUDDY_TEST_POSTGRES_RESTART"], shell=True, check=True)
        for n in range(5):
            try:
                record(store, f"after{n}")
            except StoreError as exc:  # kept: saved with the next one
                assert "kept" in str(exc)
        store.flush()
        assert saved(store) == ["before", *[f"after{n}" for n in range(5)]]
    finally:
        store.close()
