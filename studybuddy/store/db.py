"""Database targets (a path or an SQLAlchemy URL) and engines configured for their backend."""

from __future__ import annotations

import re
from enum import IntEnum
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Connection, event, func, select
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlmodel import create_engine

from studybuddy.store.errors import StoreError

__all__ = [
    "AdvisoryLock",
    "StoreError",
    "database_url",
    "display_name",
    "hold_advisory_lock",
    "make_engine",
    "sqlite_path",
    "writer",
]

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


def _sqlite_listeners(engine: Engine, busy_timeout: float, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # we issue BEGIN ourselves (below); the driver's own implicit BEGIN would hide it
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # the busy timeout first, so even switching to WAL waits for a busy database
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        if read_only:  # not even the journal mode changes: switching to WAL writes the file
            cursor.execute("PRAGMA query_only=ON")
        else:  # WAL lets a second terminal read while one writes
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _postgres_listeners(engine: Engine, busy_timeout: float, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # PostgreSQL waits for a lock forever by default; give up like SQLite's busy timeout
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(busy_timeout * 1000)}")
            if read_only:
                cursor.execute("SET default_transaction_read_only = on")
        dbapi_connection.commit()  # a SET inside a rolled-back transaction would be undone


def make_engine(target: str, *, busy_timeout: float = 5.0, read_only: bool = False) -> Engine:
    """An engine on `target`, configured for its backend; it touches nothing until used
    (`opening.open_database` checks, creates and migrates the database)."""
    url = _parse(target)
    is_sqlite = url.get_backend_name() == "sqlite"
    if is_sqlite and read_only and url.database:
        # mode=rw: an existing file only, never a new one (query_only keeps it unwritten)
        path = quote(str(Path(url.database)))
        url = url.set(database=f"file:{path}?mode=rw", query={**url.query, "uri": "true"})
    try:
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout} if is_sqlite else {},
            # a server restarted since the last query leaves dead connections in the pool: each
            # is tested when taken out and replaced, instead of failing the next answer
            pool_pre_ping=not is_sqlite,
        )
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"no database driver for {url.drivername!r} (expected sqlite or postgresql+psycopg)"
        ) from exc
    except (ArgumentError, TypeError, ValueError) as exc:  # e.g. ?timeout=abc
        raise StoreError(f"{display_name(target)}: an option in the URL is wrong ({exc})") from None
    if is_sqlite:
        _sqlite_listeners(engine, busy_timeout, read_only)
    elif url.get_backend_name() == "postgresql":
        _postgres_listeners(engine, busy_timeout, read_only)
    return engine


class AdvisoryLock(IntEnum):
    """Keys of PostgreSQL's transaction-level advisory locks: any fixed 64-bit numbers, one per
    kind of write that must not interleave between processes sharing the database."""

    MIGRATION = 0x5354554459425544  # "STUDYBUD": migrating the schema
    IMPORT = 0x494D504F5254  # "IMPORT": the name check and inserts of `db import`
    NIGHT_TABLES = 0x4E49474854  # "NIGHT": creating the quiz-night tables


def hold_advisory_lock(connection: Connection, lock: AdvisoryLock) -> None:
    """On PostgreSQL, wait for `lock` and hold it until this transaction ends. SQLite needs no
    such lock: a writer's BEGIN IMMEDIATE (see WRITE_OPTION) already queues the others."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(int(lock))))


def writer(engine: Engine) -> Engine:
    """The same engine, with transactions that announce they will write (see WRITE_OPTION)."""
    return engine.execution_options(**{WRITE_OPTION: True})
