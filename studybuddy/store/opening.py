"""Opening a database: a path or an SQLAlchemy URL in, a configured, migrated engine out."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import Engine

from studybuddy.store.backup import SQLITE_HEADER
from studybuddy.store.db import display_name, make_engine, sqlite_path
from studybuddy.store.errors import StoreError, translated_errors
from studybuddy.store.migrations import SCHEMA_VERSION, database_version, migrate


def open_database(target: str, *, busy_timeout: float = 5.0, read_only: bool = False) -> Engine:
    """An engine on `target` whose schema is current (created or migrated on first open).

    `read_only`: for commands that only look (`db check`, `night list`): nothing is created,
    migrated or written, not even SQLite's journal mode; a database that is missing or needs
    an upgrade first is a clear error instead.
    """
    if read_only:
        return _open_read_only(target, busy_timeout)
    path = sqlite_path(target)
    if path is not None:
        _probe_sqlite_file(path, busy_timeout)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder for {path}: {exc.strerror or exc}"
            ) from None
    engine = make_engine(target, busy_timeout=busy_timeout)
    try:
        with translated_errors(display_name(target)):
            migrate(engine, backup_path=path)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _open_read_only(target: str, busy_timeout: float) -> Engine:
    path = sqlite_path(target)
    if path is not None:
        if not path.is_file():
            raise StoreError(f"no database at {path} (pass --db with the file to look at)")
        _probe_sqlite_file(path, busy_timeout)
    engine = make_engine(target, busy_timeout=busy_timeout, read_only=True)
    try:
        with translated_errors(display_name(target)), engine.connect() as connection:
            version = database_version(connection)
    except BaseException:
        engine.dispose()
        raise
    if version != SCHEMA_VERSION:
        engine.dispose()
        raise StoreError(
            f"{display_name(target)} has schema version {version}, this StudyBuddy reads "
            f"{SCHEMA_VERSION}: open it once with `studybuddy` (which upgrades it), then retry"
        )
    return engine


def _probe_sqlite_file(path: Path, busy_timeout: float) -> None:
    """Refuse anything at `path` that is not a StudyBuddy database, reading it only.

    Opening with the normal engine would switch the file to WAL mode and create tables, which
    writes to it; a damaged file or another program's database must stay byte-identical.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    if path.is_dir():
        raise StoreError(f"{path} is a folder; --db expects a database file or URL")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise StoreError(
                f"{path} is not an SQLite database; it was left untouched. "
                "Pass --db with another path, or move the file away."
            )
    try:
        connection = sqlite3.connect(
            f"file:{quote(str(path))}?mode=ro", uri=True, timeout=busy_timeout
        )
        try:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {name for (name,) in rows}
        finally:
            connection.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise StoreError(
                f"{path} is locked by another program; try again when it has finished.",
                locked=True,
            ) from exc
        raise StoreError(f"{path} cannot be read ({exc}); it was left untouched.") from exc
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} is a damaged SQLite file ({exc}); it was left untouched. "
            "Restore a backup or pass --db with another path."
        ) from exc
    # a table that merely shares a name with ours is not enough: migrating it would write
    ours = "schema_version" in tables or {"learner", "attempt"} <= tables
    if tables and not ours:
        listed = ", ".join(sorted(tables)[:5])
        raise StoreError(
            f"{path} is another program's SQLite database (tables: {listed}); it was left "
            "untouched. Pass --db with a StudyBuddy database or a new file name."
        )
