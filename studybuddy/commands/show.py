"""`studybuddy show [ID]`: list the live demos or run one and print its numbers."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer


def _parse_params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise typer.BadParameter(f"{pair!r}: write parameters as name=value, e.g. d_k=64")
        name, raw = pair.split("=", 1)
        try:
            params[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[name.strip()] = raw
    return params


def show(
    demo_id: Annotated[str | None, typer.Argument(help="Demo id; leave out to list them.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="name=value")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Parameters and numbers as JSON.")
    ] = False,
) -> None:
    """List the demos, or run DEMO_ID and print its tables and interpretation."""
    from studybuddy.demos import DemoError, all_demos, run_demo

    if demo_id is None:
        for demo in all_demos().values():
            typer.echo(f"{demo.id:28} {demo.summary}")
        return
    params = _parse_params(param or [])
    if seed is not None:
        params["seed"] = seed
    try:
        result = run_demo(demo_id, params)
    except DemoError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    from rich.console import Console

    from studybuddy.demos.render import render_result

    Console().print(render_result(result))
