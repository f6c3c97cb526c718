"""`studybuddy db …`: check, back up, export and import the progress database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from studybuddy.commands.errors import fail, opened_store
from studybuddy.locations import default_database

app = typer.Typer(
    help="Check, back up, export and import the progress database.", no_args_is_help=True
)


@app.command()
def check(
    as_json: Annotated[bool, typer.Option("--json", help="The findings as JSON.")] = False,
) -> None:
    """Integrity check, schema version and row counts; exit status 1 if damaged."""
    with opened_store(read_only=True) as store:  # checking must not change what it checks
        result = store.check()
    if as_json:
        typer.echo(json.dumps({**result.__dict__, "ok": result.ok}, indent=2))
    else:
        typer.echo(f"database:       {result.location} ({result.backend})")
        typer.echo(f"schema version: {result.schema_version}")
        typer.echo(f"integrity:      {result.integrity}")
        typer.echo(f"profiles:       {result.learners}")
        typer.echo(f"attempts:       {result.attempts}")
        typer.echo(f"review states:  {result.review_states}")
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the copy (must not exist).")],
) -> None:
    """Copy an SQLite database with SQLite's online backup, safe while it is in use."""
    with opened_store() as store:
        written = store.backup(file)
    typer.echo(f"backed up {store.location} to {written}")


@app.command("export")
def export_json(
    file: Annotated[Path, typer.Argument(help="The JSON file to write.")],
    profile: Annotated[
        list[str] | None, typer.Option("--profile", "-p", help="Only this profile (repeatable).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Every profile, attempt and review state as JSON (`db import` reads it back)."""
    with opened_store(read_only=True) as store:
        data = store.export_to(file, profile or None, overwrite=force)
    attempts = sum(len(learner["attempts"]) for learner in data["learners"])
    typer.echo(f"exported {len(data['learners'])} profile(s), {attempts} attempt(s) to {file}")


@app.command("import")
def import_json(
    file: Annotated[Path, typer.Argument(help="A file written by `studybuddy db export`.")],
) -> None:
    """Add the profiles of an export file (refused if one of their names is taken)."""
    with opened_store() as store:
        summary = store.import_from(file)
    typer.echo(
        f"imported {summary.learners} profile(s), {summary.attempts} attempt(s), "
        f"{summary.review_states} review state(s) into {store.location}"
    )


@app.command()
def restore(
    backup_file: Annotated[Path, typer.Argument(metavar="BACKUP", help="A file from `db backup`.")],
) -> None:
    """Replace the database with a backup; the current file (and its -wal, -shm) is kept aside.

    Use this instead of copying a backup over the database by hand: a -wal file left beside it
    by a crash would be replayed onto the copy and corrupt it.
    """
    from datetime import datetime

    from studybuddy.store import StoreError
    from studybuddy.store.backup import restore_sqlite
    from studybuddy.store.db import display_name, sqlite_path

    target = default_database()
    try:
        path = sqlite_path(target)
        if path is None:
            raise StoreError(
                f"{display_name(target)} is not an SQLite file; restore a server database "
                "with its own tools (e.g. pg_restore)"
            )
        moved = restore_sqlite(backup_file, path, stamp=datetime.now().strftime("%Y%m%d-%H%M%S"))
    except StoreError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"restored {backup_file} into {path}")
    if moved is not None:
        typer.echo(f"the database it replaced is kept as {moved}")
