"""How every command ends on bad input: one line on stderr, then a non-zero exit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from studybuddy.errors import StudyBuddyError

if TYPE_CHECKING:
    from studybuddy.store import Store


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `error: MESSAGE` and return the exit to raise (`raise fail(...)`)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def failing_cleanly() -> Iterator[None]:
    """A StudyBuddyError raised inside ends the command as `error: …` with exit status 1."""
    try:
        yield
    except StudyBuddyError as exc:
        raise fail(str(exc)) from None


@contextmanager
def opened_store(*, read_only: bool = False) -> Iterator[Store]:
    """The database named by --db / $STUDYBUDDY_DB, closed on leaving; a StudyBuddyError
    while opening or using it ends the command as `error: …`. `read_only` for commands that
    only look: they must not create, migrate or write the database they were asked about."""
    from studybuddy.locations import default_database
    from studybuddy.store import Store

    with failing_cleanly():
        store = Store(default_database(), read_only=read_only)
        try:
            yield store
        finally:
            store.close()
