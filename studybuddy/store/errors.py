"""StoreError, and the translation of database exceptions into sentences a learner can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from studybuddy.errors import StudyBuddyError


class StoreError(StudyBuddyError):
    """A database problem explained for the user (no traceback reaches them).

    `locked` is true when another program held the database too long: trying again later works.
    """

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip()
    return text.splitlines()[0] if text else type(original).__name__


def _is_lock(text: str) -> bool:
    lowered = text.lower()
    return any(
        sign in lowered
        for sign in ("database is locked", "database table is locked", "lock timeout")
    )


@contextmanager
def translated_errors(database: str) -> Iterator[None]:
    """Turn SQLAlchemy/driver failures into one-line StoreErrors naming the database."""
    try:
        yield
    except StoreError:
        raise
    except OperationalError as exc:
        reason = _first_line(exc)
        if _is_lock(reason):
            raise StoreError(
                f"{database} is busy: another program kept it locked too long. "
                "Nothing already saved was lost; try again in a moment.",
                locked=True,
            ) from exc
        raise StoreError(f"cannot use the database {database}: {reason}") from exc
    except DBAPIError as exc:
        reason = _first_line(exc)
        if "malformed" in reason or "not a database" in reason:
            raise StoreError(
                f"{database} is damaged ({reason}). Restore a backup, or run "
                "`studybuddy db check` to see what is wrong."
            ) from exc
        raise StoreError(f"database error in {database}: {reason}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"database error in {database}: {_first_line(exc)}") from exc
