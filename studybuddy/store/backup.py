"""Copies of SQLite files through SQLite's online backup API, safe while others write."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from studybuddy.store.errors import StoreError

SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


def _read_only(path: Path, timeout: float = 30) -> sqlite3.Connection:
    """A connection that cannot write. Not `mode=ro`: a read-only open of a WAL database fails
    when another connection is just removing its -wal and -shm files on close."""
    connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=timeout)
    connection.execute("PRAGMA query_only = ON")
    return connection


def backup_sqlite(source: Path, destination: Path, *, overwrite: bool = False) -> Path:
    """A consistent copy of `source` at `destination`, checked before it takes that name."""
    if destination.exists() and not overwrite:
        raise StoreError(f"{destination} already exists; choose a new file name")
    if destination.resolve() == source.resolve():
        raise StoreError(f"{destination} is the database itself; choose another file")
    partial = destination.with_name(destination.name + ".partial")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(b"")  # an unwritable folder fails here, with the system's reason
    except OSError as exc:
        raise StoreError(f"cannot write {destination}: {exc.strerror or exc}") from None
    try:
        src = _read_only(source)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
            # a copy is a single file to move around: no WAL beside it
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"backup of {source} failed: {exc}") from exc
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise StoreError(f"the copy of {source} failed its check ({verdict}); nothing was written")
    os.replace(partial, destination)
    return destination


def backup_before_migration(database: Path, version: int) -> Path:
    """Keep the file as it was before a schema upgrade, beside it, under a fresh name."""
    candidate = database.with_name(f"{database.name}.schema-v{version}.bak")
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = database.with_name(f"{database.name}.schema-v{version}.{counter}.bak")
    return backup_sqlite(database, candidate)


def integrity_check(database: Path) -> str:
    """SQLite's full integrity check: 'ok', or its first problems joined in one line."""
    try:
        connection = _read_only(database)
        try:
            rows = [row[0] for row in connection.execute("PRAGMA integrity_check(20)")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return "; ".join(rows)


SIDE_FILES = ("-wal", "-shm", "-journal")


def _check_backup(backup: Path) -> None:
    if not backup.is_file():
        raise StoreError(f"{backup}: no such backup file")
    with backup.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise StoreError(f"{backup} is not an SQLite database; nothing was changed")
    verdict = integrity_check(backup)
    if verdict != "ok":
        raise StoreError(f"{backup} is damaged ({verdict}); nothing was changed")
    connection = _read_only(backup)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()
    if "schema_version" not in tables:
        raise StoreError(f"{backup} is not a StudyBuddy database; nothing was changed")


def _nobody_writing(database: Path) -> None:
    """Refuse while another program holds the database: it would go on writing into the
    file moved aside, and its answers would be lost from the restored one."""
    try:
        connection = sqlite3.connect(database, timeout=0.5)
        try:
            connection.execute("BEGIN EXCLUSIVE")
            connection.rollback()
        finally:
            connection.close()
    except sqlite3.OperationalError:
        raise StoreError(
            f"{database} is in use by another program; close StudyBuddy everywhere, then restore"
        ) from None


def restore_sqlite(backup: Path, database: Path, *, stamp: str) -> Path | None:
    """Put `backup` in place of `database`; returns where the old database was moved, if any.

    Copying a backup over the file by hand corrupts it when a -wal file from a crash lies
    beside it (SQLite replays that log onto the wrong pages). Here the backup is checked first,
    the database moves aside *with* its -wal and -shm (they stay a consistent set under one
    new name), the backup is copied in through SQLite's backup API and checked again.
    """
    _check_backup(backup)
    if backup.resolve() == database.resolve():
        raise StoreError(f"{backup} is the database itself; nothing was changed")
    moved: Path | None = None
    if database.exists():
        _nobody_writing(database)
        moved = database.with_name(f"{database.name}.before-restore-{stamp}")
        try:
            for suffix in ("", *SIDE_FILES):
                side = Path(f"{database}{suffix}")
                if side.exists():
                    os.replace(side, Path(f"{moved}{suffix}"))
        except OSError as exc:
            raise StoreError(f"cannot move {database} aside: {exc.strerror or exc}") from None
    backup_sqlite(backup, database)
    verdict = integrity_check(database)
    if verdict != "ok":  # pragma: no cover - backup_sqlite checked the copy already
        raise StoreError(f"the restored {database} failed its check ({verdict})")
    return moved
