"""The parts of the Store every section shares: error translation, names, learner ids."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from studybuddy.store import queries
from studybuddy.store.errors import StoreError, translated_errors
from studybuddy.store.tables import Learner, table

P = ParamSpec("P")
R = TypeVar("R")
MAX_NAME_LENGTH = 64


def guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Database failures inside a public method leave it as a StoreError naming the database."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translated_errors(args[0].location):  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


def clean_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH or not cleaned.isprintable():
        raise StoreError(
            f"a profile name is 1-{MAX_NAME_LENGTH} printable characters (got {name!r})"
        )
    return cleaned


def aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError(f"a timezone-aware datetime (got naive {moment.isoformat()})")
    return moment


class StoreCore:
    """What every part of the Store shares: the database and the learner id cache."""

    target: str
    location: str
    engine: Engine
    _writer: Engine
    _learner_ids: dict[str, int]
    _lock: threading.Lock  # the learner id cache

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @guarded
    def learner_id(self, name: str) -> int:
        """The learner's id, creating the learner on first use."""
        name = clean_name(name)
        if name in self._learner_ids:
            return self._learner_ids[name]
        found = self._find_id(name)
        if found is None:
            try:
                with self._writer.begin() as connection:
                    connection.execute(table(Learner).insert(), [{"name": name}])
            except IntegrityError:
                pass  # another thread or process created the same learner first: use theirs
            found = self._find_id(name)
            assert found is not None
        with self._lock:
            self._learner_ids[name] = found
        return found

    def _read_id(self, name: str) -> int:
        """For reads: the learner's id, or one no row has, so an unknown name reads as empty
        without creating a profile by accident (a typo in a report, say)."""
        name = clean_name(name)
        cached = self._learner_ids.get(name)
        if cached is not None:
            return cached
        found = self._find_id(name)
        return -1 if found is None else found

    def _find_id(self, name: str) -> int | None:
        with self.engine.connect() as connection:
            return queries.learner_id(connection, name)

    def _forget(self, name: str) -> None:
        with self._lock:
            self._learner_ids.pop(name, None)
