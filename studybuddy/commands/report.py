"""`studybuddy report`: a learner's, the group's or a quiz night's report as a file."""

from __future__ import annotations

import os
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from studybuddy.commands.errors import fail, failing_cleanly, opened_store
from studybuddy.commands.learner import learner_for
from studybuddy.reports.formats import FORMATS


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    csv = "csv"
    json = "json"
    pdf = "pdf"


assert {f.value for f in ReportFormat} == set(FORMATS), "one choice per renderer in reports.make"


def _since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--since expects a date as YYYY-MM-DD (got {value!r})", 2) from None


def report(
    ctx: typer.Context,
    profile: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Whose report (default: the learner you last studied as, or the only one).",
        ),
    ] = None,
    group: Annotated[
        bool, typer.Option("--group", help="Everyone in the database: leaderboard and mastery.")
    ] = False,
    night: Annotated[
        str | None, typer.Option(metavar="ID", help="A quiz night's results (room code or number).")
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="File format.")
    ] = ReportFormat.html,
    output: Annotated[
        str | None,  # not Path: Path("reports/") drops the slash that says "a folder"
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="File to write, or a folder to write a dated name into "
            "(default: a dated name in this folder).",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Count answers from this day on (YYYY-MM-DD)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Write a progress report: HTML (default), Markdown, CSV (one answer a row), JSON or PDF."""
    chosen = sum([profile is not None, group, night is not None])
    if chosen > 1:
        raise fail("choose one of --profile NAME, --group or --night ID", 2)
    start = _since(since)
    if night is not None and start is not None:
        raise fail("--since applies to learner and group reports, not to --night", 2)

    from studybuddy.night.results import load_night
    from studybuddy.reports import build, make

    now = datetime.now().astimezone()
    with failing_cleanly():
        with opened_store() as store:
            if night is not None:
                content = make.night_report(load_night(store, night), fmt.value, now=now)
                kind, name = "night", night
            elif group:
                catalog = make.bundled_catalog()
                content = make.group_report(store, fmt.value, catalog=catalog, now=now, since=start)
                kind, name = "group", ""
            else:
                name = learner_for(ctx, store, profile)
                catalog = make.bundled_catalog()
                content = make.learner_report(
                    store, name, fmt.value, catalog=catalog, now=now, since=start
                )
                kind = "learner"
        dated = make.default_filename(
            kind, fmt.value, now.astimezone(build.local_tz()).date(), name
        )
        if output is None:
            path = Path.cwd() / dated
        elif output.endswith(("/", os.sep)) or Path(output).expanduser().is_dir():
            path = Path(output).expanduser() / dated
        else:
            path = Path(output).expanduser()
        if path.exists() and not path.is_dir() and not force:
            raise fail(f"{path} already exists; choose another --output or pass --force", 2)
        make.save(content, path)
    typer.echo(str(path))
