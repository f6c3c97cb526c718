"""`studybuddy show [ID]`: list the live demos or run one and print its numbers."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer


def _parse_params(pairs: list[str], defaults: dict[str, Any]) -> dict[str, Any]:
    """name=value pairs, each value read like the TUI's input for it (lists from commas)."""
    from studybuddy.demos.base import parse_value

    params: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise typer.BadParameter(f"{pair!r}: write parameters as name=value, e.g. d_k=64")
        name, raw = (part.strip() for part in pair.split("=", 1))
        if name in defaults:
            params[name] = parse_value(raw, defaults[name])
        else:
            try:  # not a parameter: kept as typed, for the registry to name the real ones
                params[name] = json.loads(raw)
            except json.JSONDecodeError:
                params[name] = raw
    return params


def _takes_a_list(annotation: Any) -> bool:
    import typing

    if typing.get_origin(annotation) is list:
        return True
    return any(_takes_a_list(arg) for arg in typing.get_args(annotation))


def show(
    demo_id: Annotated[str | None, typer.Argument(help="Demo id; leave out to list them.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="name=value")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Parameters and numbers as JSON.")
    ] = False,
    code: Annotated[
        bool, typer.Option("--code/--no-code", help="Print the engine code under the result.")
    ] = True,
) -> None:
    """List the demos, or run DEMO_ID and print its tables, charts and interpretation."""
    from studybuddy.demos import DemoError, all_demos, get_demo, run_demo

    if demo_id is None:
        for demo in all_demos().values():
            typer.echo(f"{demo.id:28} {demo.summary}")
        return
    try:
        model = get_demo(demo_id).params_model
    except DemoError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    # An optional list (default None) reads as a list too.
    defaults = {
        name: [] if field.default is None and _takes_a_list(field.annotation) else field.default
        for name, field in model.model_fields.items()
    }
    params = _parse_params(param or [], defaults)
    if seed is not None:
        params["seed"] = seed
    from rich.console import Console

    errors = Console(stderr=True)
    try:
        if get_demo(demo_id).streams_progress:
            result = _run_with_progress(demo_id, params, errors)
        else:
            result = run_demo(demo_id, params)
    except DemoError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:  # a demo bug: one line, not a traceback
        typer.echo(f"error: {demo_id}: the computation failed: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(result.to_json_dict(), indent=2))
        return
    from studybuddy.demos.render import render_code, render_result

    console = Console()
    console.print(render_result(result, width=max(40, min(console.width - 2, 100))))
    if code:
        from studybuddy.demos.code import code_excerpts

        console.print()
        console.print(render_code(code_excerpts(get_demo(demo_id))))


def _run_with_progress(demo_id: str, params: dict[str, Any], console: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from studybuddy.demos import run_demo

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(demo_id, total=None)

        def report(done: int, total: int, message: str) -> None:
            progress.update(task, completed=done, total=total, description=message)

        return run_demo(demo_id, params, on_progress=report)
