"""`studybuddy banks …`: list, validate, import and export question banks, and their schema."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from studybuddy.commands.errors import fail
from studybuddy.locations import BANKS_ENV, question_banks_dir

if TYPE_CHECKING:
    from collections.abc import Iterable

    from studybuddy.banks.loader import LoadResult


def bank_files(folder: Path) -> list[Path]:
    from studybuddy.banks.loader import bank_files as files_in

    return files_in(folder)


def load_banks(paths: Iterable[Path]) -> LoadResult:
    # imported here: the bank models take ~0.1 s to build, which the TUI's start must not pay
    from studybuddy.banks.loader import load_banks as load

    return load(paths)


app = typer.Typer(help="List, validate, import and export question banks.", no_args_is_help=True)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def bundled_folder() -> Path:
    """The folder of banks, or a clean exit when it is not one (a typo in $STUDYBUDDY_BANKS)."""
    folder = question_banks_dir()
    if not folder.is_dir():
        hint = f" (set by ${BANKS_ENV})" if os.environ.get(BANKS_ENV) else ""
        raise fail(f"{folder}: expected a folder of question banks{hint}", 2)
    return folder


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from None


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(bank_files(path))
        elif path.suffix.lower() not in {".yaml", ".yml"} and path.exists():
            raise fail(f"{path}: expected a .yaml bank (`banks import` turns .csv/.md into one)", 2)
        elif path.exists():
            files.append(path)
        else:
            typer.echo(f"error: {path}: no such file or folder", err=True)
            raise typer.Exit(2)
    return files


@app.command("list")
def list_banks(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per bank.")] = False,
) -> None:
    """Banks, their chapters and how many questions of each type they hold."""
    result = load_banks(bank_files(bundled_folder()))
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
                "auto_gradable": sum(q.auto_gradable for q in bank.questions()),
                "with_show_me": sum(q.show_me is not None for q in bank.questions()),
                "chapters": chapters,
            }
        )
    total = sum(b["questions"] for b in summary)
    if as_json:
        overall: Counter[str] = Counter()
        for entry in summary:
            overall.update(entry["by_type"])
        totals = {
            "total": total,
            "by_type": dict(overall),
            "auto_gradable": sum(b["auto_gradable"] for b in summary),
            "with_show_me": sum(b["with_show_me"] for b in summary),
        }
        typer.echo(json.dumps({"banks": summary, **totals}, indent=2))
    else:
        for entry in summary:
            types = ", ".join(f"{k} {v}" for k, v in sorted(entry["by_type"].items()))
            typer.echo(
                f"{entry['id']}  {entry['title']}  ({entry['questions']} questions: {types})"
            )
            for chapter in entry["chapters"]:
                typer.echo(f"    {chapter['id']}  {chapter['title']}  ({chapter['questions']})")
        typer.echo(f"{total} questions in {len(summary)} banks")
    for problem in result.problems:
        typer.echo(str(problem), err=True)


@app.command("validate")
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Bank files or folders.")] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on warnings too (units, tolerances, phrases).")
    ] = False,
) -> None:
    """Check banks; print every problem as file:line: question-id: field: expected.

    Warnings (advice such as a right option that stands out by its length, or two tolerances
    for one fact) are printed the same way with 'warning:' before what was expected; errors
    make the exit status 1, and with --strict warnings do too.
    """
    from studybuddy.banks.validate import content_problems, grading_problems, show_me_problems

    files = _expand(paths or [question_banks_dir()])
    result = load_banks(files)
    try:
        from studybuddy.demos.registry import all_demos, param_problems

        demos = all_demos()
    except Exception as exc:  # a broken demo module must not hide the banks' own problems
        for problem in result.problems:
            typer.echo(str(problem))
        raise fail(f"show_me not checked: the demos could not be loaded ({exc})") from None
    found = sorted(
        [
            *result.problems,
            *show_me_problems(result, demos, param_problems),
            *content_problems(result),
            *grading_problems(result),
        ]
    )
    for problem in found:
        typer.echo(str(problem))
    problems = [p for p in found if p.severity != "warning"]
    warnings = len(found) - len(problems)
    also = f" and {_count(warnings, 'warning')}" if warnings else ""
    if problems or (strict and warnings):
        raise fail(f"{_count(len(problems), 'problem')}{also} in {_count(len(files), 'file')}")
    count = sum(len(b.questions()) for b in result.banks)
    typer.echo(f"ok: {len(result.banks)} banks, {count} questions{also}")


@app.command("try")
def try_answer(
    question_id: Annotated[str, typer.Argument(help="Id of a bundled question.")],
    answer: Annotated[
        str,
        typer.Argument(
            help="As typed in the quiz: option numbers or letters ('1,3', 'B'), true/false, a "
            "number, the text, cloze blanks separated by '|', step numbers in order ('2 1 3')."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Grade one answer exactly as the quiz would (to test a question's accept lists)."""
    from studybuddy.banks.trial import find_question, try_answer

    result = load_banks(bank_files(bundled_folder()))
    try:
        question = find_question((q for b in result.banks for q in b.questions()), question_id)
    except KeyError as exc:
        raise fail(str(exc.args[0]), 2) from None
    trial = try_answer(question, answer)
    if as_json:
        typer.echo(json.dumps(trial.as_json(), indent=2, ensure_ascii=False))
        return
    for line in trial_lines(trial.as_json()):
        typer.echo(line)


def trial_lines(out: dict[str, object]) -> list[str]:
    if not out["answered"]:
        return [f"{out['id']} ({out['type']}): not an answer: {out['feedback']}"]
    learner_rated = "suggested" in out  # a short answer: the grader only suggests a rating
    if learner_rated:
        verdict = f"suggested {out['suggested']}"
    else:
        verdict = "right" if out["correct"] else "wrong"
    lines = [f"{out['id']} ({out['type']}): {verdict}, score {out['score']:.2f}"]
    if learner_rated:
        evidence = out["evidence"]
        assert isinstance(evidence, dict)
        for point in out["covered"]:  # type: ignore[attr-defined]
            lines.append(f"  covered:      {point}  (you wrote “{evidence[point]}”)")
        for wrong in out["misconceptions"]:  # type: ignore[attr-defined]
            quote = f"you wrote “{wrong['evidence']}”: {wrong['why']}"
            lines.append(f"  contradicted: {wrong['point']}  ({quote})")
        for point in out["missing"]:  # type: ignore[attr-defined]
            lines.append(f"  missing:      {point}")
    if "read" in out:
        lines.append(f"  read as {out['value']:.6g} ({out['read']})")
    lines.append(f"  {out['feedback']}")
    return lines


@app.command("import")
def import_bank(
    file: Annotated[Path, typer.Argument(help="A bank written as .csv or .md (see the README).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="YAML file to write (default: stdout).")
    ] = None,
    bank_id: Annotated[
        str | None, typer.Option("--id", help="Bank id (default: from the file).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Bank title.")] = None,
    source: Annotated[str | None, typer.Option(help="book, course or notes.")] = None,
) -> None:
    """Turn a CSV or Markdown bank into a checked YAML bank."""
    from studybuddy.banks.importers import IMPORT_SUFFIXES, import_bank
    from studybuddy.banks.schema import SCHEMA_NAME
    from studybuddy.banks.yaml_writer import bank_to_yaml

    if file.is_dir():
        raise fail(f"{file} is a folder; expected a .csv, .md or .markdown file", 2)
    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    if file.suffix.lower() not in IMPORT_SUFFIXES:
        raise fail(f"{file}: expected a .csv, .md or .markdown file", 2)
    bundled = [p for p in bank_files(bundled_folder()) if output is None or p != output]
    imported = import_bank(file, load_banks(bundled), id=bank_id, title=title, source=source)
    if imported.bank is None:
        for problem in imported.problems:
            typer.echo(str(problem))
        raise fail(f"{_count(len(imported.problems), 'problem')}; nothing written")
    header = [f"Imported from {file.name} by `studybuddy banks import`."]
    if output is not None:
        schema = os.path.relpath(question_banks_dir() / SCHEMA_NAME, output.resolve().parent)
        header.insert(0, f"yaml-language-server: $schema={schema}")
    text = bank_to_yaml(imported.bank, header)
    if output is None:
        typer.echo(text, nl=False)
        return
    _write(output, text)
    count = len(imported.bank.questions())
    typer.echo(f"wrote {output}: bank {imported.bank.id}, {count} questions", err=True)


@app.command("export")
def export_bank(
    bank_id: Annotated[str, typer.Argument(help="Id of a bundled bank (see `banks list`).")],
    anki: Annotated[Path | None, typer.Option("--anki", help="Write an Anki deck (.apkg).")] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Write the bank in the Markdown format.")
    ] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the bank as CSV.")] = None,
) -> None:
    """Export a bank for Anki, or as Markdown or CSV to edit and import again."""
    if not (anki or markdown or csv):
        raise fail(
            "expected at least one of --anki FILE.apkg, --markdown FILE.md, --csv FILE.csv", 2
        )
    result = load_banks(bank_files(bundled_folder()))
    try:
        bank = result.bank(bank_id)
    except KeyError:
        known = ", ".join(b.id for b in result.banks) or "none"
        raise fail(f"no bank {bank_id!r}; expected one of: {known}", 2) from None
    if anki is not None:
        from studybuddy.banks.anki import export_anki

        if anki.suffix != ".apkg":
            raise fail(f"{anki}: expected a file name ending in .apkg", 2)
        try:
            count = export_anki(bank, anki)
        except OSError as exc:
            raise fail(f"cannot write {anki}: {exc.strerror or exc}") from None
        typer.echo(f"wrote {anki}: {count} notes")
    if markdown is not None:
        from studybuddy.banks.markdown_format import write_markdown

        _write(markdown, write_markdown(bank))
        typer.echo(f"wrote {markdown}")
    if csv is not None:
        from studybuddy.banks.csv_format import write_csv

        _write(csv, write_csv(bank))
        typer.echo(f"wrote {csv}")


@app.command("schema")
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the bundled schema file is out of date.")
    ] = False,
) -> None:
    """The JSON Schema of bank files, generated from the models."""
    from studybuddy.banks.schema import SCHEMA_NAME, schema_text

    text = schema_text()
    if check:
        path = output or question_banks_dir() / SCHEMA_NAME
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            raise fail(f"{path}: out of date; run `studybuddy banks schema -o {path}`")
        typer.echo(f"{path}: up to date")
    elif output is None:
        typer.echo(text, nl=False)
    else:
        _write(output, text)
        typer.echo(f"wrote {output}", err=True)
