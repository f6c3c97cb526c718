"""`studybuddy banks …`: list and validate question banks."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from studybuddy.banks.loader import bank_files, load_banks
from studybuddy.locations import question_banks_dir

app = typer.Typer(help="List and validate question banks.", no_args_is_help=True)


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(bank_files(path))
        elif path.exists():
            files.append(path)
        else:
            typer.echo(f"{path}: no such file or folder", err=True)
            raise typer.Exit(2)
    return files


@app.command("list")
def list_banks(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per bank.")] = False,
) -> None:
    """Banks, their chapters and how many questions of each type they hold."""
    result = load_banks(bank_files(question_banks_dir()))
    summary = []
    for bank in result.banks:
        chapters = []
        for chapter in bank.chapters:
            counts = Counter(q.type for q in chapter.questions)
            chapters.append(
                {
                    "id": chapter.id,
                    "title": chapter.title,
                    "questions": len(chapter.questions),
                    "by_type": dict(counts),
                }
            )
        by_type = Counter(q.type for q in bank.questions())
        summary.append(
            {
                "id": bank.id,
                "title": bank.title,
                "source": bank.source,
                "version": bank.version,
                "questions": len(bank.questions()),
                "by_type": dict(by_type),
                "chapters": chapters,
            }
        )
    total = sum(b["questions"] for b in summary)
    if as_json:
        typer.echo(json.dumps({"banks": summary, "total": total}, indent=2))
    else:
        for bank in summary:
            types = ", ".join(f"{k} {v}" for k, v in sorted(bank["by_type"].items()))
            typer.echo(f"{bank['id']}  {bank['title']}  ({bank['questions']} questions: {types})")
            for chapter in bank["chapters"]:
                typer.echo(f"    {chapter['id']}  {chapter['title']}  ({chapter['questions']})")
        typer.echo(f"{total} questions in {len(summary)} banks")
    for problem in result.problems:
        typer.echo(str(problem), err=True)


@app.command("validate")
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Bank files or folders.")] = None,
) -> None:
    """Check banks; print every problem as file:line: question-id: field: expected."""
    files = _expand(paths or [question_banks_dir()])
    result = load_banks(files)
    for problem in result.problems:
        typer.echo(str(problem))
    if result.problems:
        typer.echo(f"{len(result.problems)} problems in {len(files)} files", err=True)
        raise typer.Exit(1)
    count = sum(len(b.questions()) for b in result.banks)
    typer.echo(f"ok: {len(result.banks)} banks, {count} questions")
