"""`studybuddy profile …`: the learners sharing a database."""

from __future__ import annotations

from typing import Annotated

import typer

from studybuddy.commands.errors import opened_store
from studybuddy.locations import default_database, user_data_dir
from studybuddy.study.learners import LastLearner

app = typer.Typer(help="List, add, rename and remove learner profiles.", no_args_is_help=True)


@app.command("list")
def list_profiles() -> None:
    """Profiles with their attempts and when they last studied."""
    with opened_store() as store:
        learners = store.learners()
    if not learners:
        typer.echo("no profiles yet (`studybuddy profile add NAME`, or just start studying)")
        return
    for learner in learners:
        last = learner.last_studied_at.strftime("%Y-%m-%d") if learner.last_studied_at else "never"
        typer.echo(
            f"{learner.name:24} {learner.attempts:7} attempts   last studied {last}   "
            f"retention {learner.desired_retention:.2f}"
        )


@app.command()
def add(name: Annotated[str, typer.Argument(help="The new profile's name.")]) -> None:
    """Create a profile."""
    with opened_store() as store:
        learner = store.add_learner(name)
    typer.echo(f"added profile {learner.name!r}")


@app.command()
def rename(
    old: Annotated[str, typer.Argument(help="The profile's current name.")],
    new: Annotated[str, typer.Argument(help="Its new name.")],
) -> None:
    """Rename a profile; its history moves with it."""
    with opened_store() as store:
        old_name = store.learner(old).name
        learner = store.rename_learner(old, new)
    # the TUI and reports keep following this learner under the new name
    LastLearner().renamed(default_database(), old_name, learner.name)
    typer.echo(f"renamed {old!r} to {learner.name!r}")


@app.command()
def remove(
    name: Annotated[str, typer.Argument(help="The profile to remove.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a profile and its history, keeping a JSON backup (`db import` restores it)."""
    with opened_store() as store:
        learner = store.learner(name)
        if not yes:
            typer.confirm(
                f"Remove profile {learner.name!r} and its {learner.attempts} attempt(s)? "
                "A backup is kept",
                abort=True,
            )
        backup = store.remove_learner(learner.name, user_data_dir() / "backups")
    typer.echo(f"removed profile {learner.name!r}; backup: {backup}")
    typer.echo(f"restore it with: studybuddy db import {backup}")


@app.command()
def retention(
    name: Annotated[str, typer.Argument(help="The profile.")],
    value: Annotated[
        float | None, typer.Argument(help="New desired retention, 0.70-0.99; leave out to show.")
    ] = None,
) -> None:
    """Show or set how likely a question should still be remembered when it comes due."""
    with opened_store() as store:
        store.learner(name)  # a typo is an error here, not a new profile
        if value is None:
            current = store.settings(name).desired_retention
        else:
            current = store.set_desired_retention(name, value).desired_retention
    typer.echo(f"{name}: desired retention {current:.2f}")
