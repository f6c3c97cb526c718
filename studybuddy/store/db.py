"""Opening a database: a path or an SQLAlchemy URL in, a configured, migrated engine out."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlmodel import create_engine

from studybuddy.store.errors import StoreError, translated_errors

__all__ = [
    "StoreError",
    "database_url",
    "display_name",
    "make_engine",
    "sqlite_path",
    "writer",
]

SQLITE_HEADER = b"SQLite format 3\x00"
# execution option marking a connection that will write: SQLite then takes the write lock at
# BEGIN, so two writers queue on the busy timeout instead of failing on a lock upgrade
WRITE_OPTION = "studybuddy_write"


def database_url(target: str) -> str:
    """Accept either a filesystem path or an SQLAlchemy URL such as postgresql+psycopg://…"""
    if "://" in target:
        return target
    try:
        return f"sqlite:///{Path(target).expanduser()}"
    except RuntimeError:  # '~someone' for a user this machine does not know
        raise StoreError(f"{target!r}: no such user's home folder on this machine") from None


_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def _redacted(target: str) -> str:
    """The target with any password replaced, for messages about a URL that does not parse."""
    return _PASSWORD.sub(r"\1***@", target)


def _parse(target: str) -> URL:
    if not target.strip():
        # an empty SQLite URL means a database in memory: everything would be lost on exit
        raise StoreError("no database given (expected a file path or a database URL)")
    try:
        url = make_url(database_url(target))
    except (ArgumentError, ValueError) as exc:  # ValueError: e.g. a port such as '[::1
        raise StoreError(
            f"{_redacted(target)!r} is neither a file path nor a database URL "
            "(expected e.g. ~/progress.sqlite3 or postgresql+psycopg://user@host/dbname)"
        ) from exc
    if url.get_backend_name() == "sqlite" and (
        url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
    ):
        raise StoreError(
            f"{_redacted(target)!r} is a database in memory: every answer would be lost when the "
            "app closes (give a file, e.g. ~/progress.sqlite3 or sqlite:////home/me/progress.sqlite3)"
        )
    return url


def display_name(target: str) -> str:
    """The database as shown in messages: the path, or the URL with any password hidden."""
    if "://" not in target:
        try:
            return str(Path(target).expanduser())
        except RuntimeError:
            return target
    try:
        return make_url(target).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _redacted(target)


def sqlite_path(target: str) -> Path | None:
    """The file behind an SQLite target, or None for in-memory and server databases."""
    url = _parse(target)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


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


def _sqlite_listeners(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # we issue BEGIN ourselves (below); the driver's own implicit BEGIN would hide it
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # the busy timeout first, so even switching to WAL waits for a busy database
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        # WAL lets a second terminal read while one writes
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _postgres_listeners(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # PostgreSQL waits for a lock forever by default; give up like SQLite's busy timeout
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(busy_timeout * 1000)}")
        dbapi_connection.commit()  # a SET inside a rolled-back transaction would be undone


def make_engine(target: str, *, busy_timeout: float = 5.0) -> Engine:
    """An engine on `target` whose schema is current (created or migrated on first open)."""
    from studybuddy.store.migrations import migrate

    url = _parse(target)
    path = sqlite_path(target)
    if path is not None:
        _probe_sqlite_file(path, busy_timeout)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder for {path}: {exc.strerror or exc}"
            ) from None
    is_sqlite = url.get_backend_name() == "sqlite"
    try:
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout} if is_sqlite else {},
        )
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"no database driver for {url.drivername!r} (expected sqlite or postgresql+psycopg)"
        ) from exc
    except (ArgumentError, TypeError, ValueError) as exc:  # e.g. ?timeout=abc
        raise StoreError(f"{display_name(target)}: an option in the URL is wrong ({exc})") from None
    if is_sqlite:
        _sqlite_listeners(engine, busy_timeout)
    elif url.get_backend_name() == "postgresql":
        _postgres_listeners(engine, busy_timeout)
    try:
        with translated_errors(display_name(target)):
            migrate(engine, backup_path=path)
    except BaseException:
        engine.dispose()
        raise
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, with transactions that announce they will write (see WRITE_OPTION)."""
    return engine.execution_options(**{WRITE_OPTION: True})
