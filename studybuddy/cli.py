"""The `studybuddy` command: with no subcommand it opens the TUI; each part adds a group."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from studybuddy import __version__
from studybuddy.commands import banks, show
from studybuddy.commands import db as db_commands
from studybuddy.commands import engine as engine_commands
from studybuddy.commands import night as night_commands
from studybuddy.commands import profile as profile_commands
from studybuddy.commands import report as report_command
from studybuddy.commands import review as review_command
from studybuddy.locations import DB_ENV, default_database

app = typer.Typer(
    name="studybuddy",
    help="Quizzes, spaced repetition and live tensor demos for readers of LLMs-from-scratch.",
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(banks.app, name="banks")
app.add_typer(engine_commands.app, name="engine")
app.add_typer(db_commands.app, name="db")
app.add_typer(night_commands.app, name="night")
app.add_typer(profile_commands.app, name="profile")
app.command(name="show", help="Run the live computations behind the answers.")(show.show)
app.command(name="review", help="Review a chapter early (before a meeting).")(review_command.review)
app.command(name="report", help="Write a progress report (HTML, Markdown, CSV, JSON, PDF).")(
    report_command.report
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"studybuddy {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=f"Database path or SQLAlchemy URL (default: ${DB_ENV} or the user data folder).",
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Learner to study as (default: the one you last studied as, or the only one).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Open the StudyBuddy TUI (or run one of the commands below)."""
    if db is not None:
        if not db.strip():  # would fall back to the default file without a word
            typer.echo("error: --db needs a file path or a database URL (it is empty)", err=True)
            raise typer.Exit(2)
        # Subcommands and the TUI read the database location from one place.
        os.environ[DB_ENV] = db
    ctx.obj = {"profile": profile}
    if ctx.invoked_subcommand is None:
        from studybuddy.tui.app import make_app

        make_app(database=default_database(), profile=profile).run()


def main() -> None:
    app()
