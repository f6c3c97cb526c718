"""Opening a database: a path or an SQLAlchemy URL in, a configured engine out."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine

from studybuddy.store import tables  # noqa: F401  (registers the tables on SQLModel.metadata)


class StoreError(Exception):
    """A database problem explained for the user (no traceback reaches them)."""


def database_url(target: str) -> str:
    """Accept either a filesystem path or an SQLAlchemy URL such as postgresql+psycopg://…"""
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser()}"


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets a second terminal read while one writes; the busy timeout makes writers wait
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(target: str) -> Engine:
    url = database_url(target)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > 0:
            with path.open("rb") as handle:
                if handle.read(16) != b"SQLite format 3\x00":
                    raise StoreError(
                        f"{path} is not an SQLite database; it was left untouched. "
                        "Pass --db with another path, or move the file away."
                    )
    engine = create_engine(
        url, connect_args={"check_same_thread": False} if url.startswith("sqlite") else {}
    )
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _configure_sqlite)
    SQLModel.metadata.create_all(engine)
    return engine
