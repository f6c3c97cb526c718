"""`studybuddy profile …`: the learners sharing a database."""

from __future__ import annotations

from typing import Annotated

import typer

from studybuddy.commands.errors import fail, opened_store
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


# ---- the learner's memory model (issue 16): fitting fsrs, true retention, workload ---------


def _only_profile(store, name: str | None) -> str:
    """NAME, or the database's one profile when it has exactly one."""
    if name is not None:
        return store.learner(name).name
    names = [learner.name for learner in store.learners()]
    if len(names) == 1:
        return names[0]
    listed = ", ".join(names) if names else "none yet"
    raise fail(f"name the profile (profiles: {listed})")


def _figure(value: float) -> str:
    return "   -  " if value != value else f"{value:6.3f}"  # NaN: nothing to score


@app.command()
def optimize(
    name: Annotated[str | None, typer.Argument(help="The profile (optional if only one).")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Fit and show the figures; save nothing.")
    ] = False,
    revert: Annotated[
        bool, typer.Option("--revert", help="Undo the last fit (back to the one before).")
    ] = False,
) -> None:
    """Fit fsrs's parameters to this learner's own reviews and reschedule their questions."""
    from studybuddy.memory import service

    with opened_store() as store:
        learner = _only_profile(store, name)
        if revert:
            model, cards = service.revert(store, learner)
            now_using = (
                f"the fit of {model.fit.fitted_at:%Y-%m-%d}" if model.fit else "fsrs's defaults"
            )
            typer.echo(
                f"{learner}: last fit undone; now using {now_using}; {cards} cards rescheduled"
            )
            return
        typer.echo(f"{learner}: fitting fsrs's parameters to their reviews…", err=True)
        result = service.optimize(store, learner, dry_run=dry_run, progress=True)
    fit = result.fit
    typer.echo(f"{learner}: {result.attempts} reviews, {fit.reviews} of them a day or more apart")
    typer.echo("                  defaults   fitted")
    typer.echo(f"log loss          {_figure(fit.before.log_loss)}   {_figure(fit.after.log_loss)}")
    typer.echo(f"RMSE              {_figure(fit.before.rmse)}   {_figure(fit.after.rmse)}")
    typer.echo("(on the same reviews; lower is better)")
    typer.echo("parameters: " + " ".join(f"{p:.4g}" for p in fit.parameters))
    if result.saved:
        typer.echo(
            f"saved; {result.rescheduled} questions rescheduled "
            f"(undo with `studybuddy profile optimize {learner} --revert`)"
        )
    else:
        typer.echo("dry run: nothing saved")


@app.command()
def memory(
    name: Annotated[str | None, typer.Argument(help="The profile (optional if only one).")] = None,
) -> None:
    """True retention (Anki's definition) and calibration of the parameters in use."""
    from studybuddy.memory import fitting, service

    with opened_store() as store:
        found = service.overview(store, _only_profile(store, name))
    if found.model.problem:
        typer.echo(f"warning: {found.model.problem}", err=True)
    fit = found.model.fit
    using = f"fitted on {fit.fitted_at:%Y-%m-%d} ({fit.reviews} reviews)" if fit else "defaults"
    typer.echo(
        f"{found.learner}: fsrs parameters {using}; desired retention {found.desired_retention:.2f}"
    )
    if found.counted < fitting.MIN_REVIEWS:
        typer.echo(f"  {found.counted} of {fitting.MIN_REVIEWS} reviews so far for a fit")
    typer.echo("true retention     young (<21 d)     mature (>=21 d)   all")

    def cell(tally) -> str:
        share = "  -  " if tally.share is None else f"{tally.share:5.1%}"
        return f"{share} of {tally.reviews:<5}"

    for row in found.recent:
        typer.echo(
            f"  {row.label:14}   {cell(row.young)}    {cell(row.mature)}   {cell(row.total)}"
        )
    typer.echo("calibration        reviews  predicted  remembered")
    for b in found.calibration:
        typer.echo(
            f"  {b.low:.1f}-{b.high:.1f}          {b.reviews:6}    {b.predicted:6.1%}     "
            f"{b.remembered:6.1%}"
        )
    if not found.calibration:
        typer.echo("  no reviews a day or more apart yet")
    typer.echo(
        f"log loss {_figure(found.evaluation.log_loss).strip()}, RMSE "
        f"{_figure(found.evaluation.rmse).strip()} on {found.evaluation.reviews} reviews"
    )


@app.command()
def workload(
    name: Annotated[str | None, typer.Argument(help="The profile (optional if only one).")] = None,
    suggest: Annotated[
        bool, typer.Option("--suggest", help="Also run fsrs's optimal-retention search (slow).")
    ] = False,
) -> None:
    """Reviews and minutes per day over the next 30 and 90 days for each desired retention."""
    from studybuddy.memory import service

    with opened_store() as store:
        table, desired, suggestion = service.workload_for(
            store, _only_profile(store, name), suggest=suggest
        )
    horizons = sorted({w.days for w in table})
    typer.echo("retention  " + "".join(f"{f'next {d} days':>24}" for d in horizons))
    typer.echo("           " + "   reviews/day  min/day" * len(horizons))
    for retention in sorted({w.desired_retention for w in table}):
        cells = [
            w for d in horizons for w in table if w.days == d and w.desired_retention == retention
        ]
        mark = " <- yours" if abs(retention - desired) < 1e-9 else ""
        typer.echo(
            f"  {retention:.2f}   "
            + "".join(f"{w.reviews_per_day:14.1f}{w.minutes_per_day:9.1f}" for w in cells)
            + mark
        )
    if suggest:
        if suggestion is None:
            typer.echo("fsrs's suggestion: needs 512 reviews with some remembered after the first")
        else:
            typer.echo(f"fsrs's suggestion (compute_optimal_retention): {suggestion:.2f}")
