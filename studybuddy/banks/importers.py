"""`studybuddy banks import`: a CSV or Markdown bank in, a checked `Bank` (and its YAML) out.

Both formats are read into the same draft (chapters of loose questions, each with its source
line), filled in where the author may leave things out (ids, chapter ids, bank title), and then
checked by the same schema as the YAML banks, so every error names the line of the source file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from studybuddy.banks.csv_format import read_csv
from studybuddy.banks.drafts import Draft
from studybuddy.banks.formats import FormatError, question_fields, slug
from studybuddy.banks.loader import BankProblem, LoadResult, display_name
from studybuddy.banks.markdown_format import read_markdown
from studybuddy.banks.messages import describe_location, expectation
from studybuddy.banks.models import Bank

IMPORT_SUFFIXES = {".csv": "csv", ".md": "markdown", ".markdown": "markdown"}


def _unique(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}-{n}", n + 1
    taken.add(candidate)
    return candidate


@dataclass
class Imported:
    bank: Bank | None
    problems: list[BankProblem]
    lines: dict[str, int] = field(default_factory=dict)  # question id -> line in the source


def build_bank(draft: Draft, stem: str) -> Imported:
    """Fill in what the author left out, then validate; problems carry source lines."""
    meta = dict(draft.meta)
    bank_id = str(meta.setdefault("id", slug(stem, 8)))
    meta.setdefault("title", stem.replace("-", " ").replace("_", " ").strip() or bank_id)
    meta.setdefault("source", "notes")
    chapter_ids: set[str] = set()
    question_ids: set[str] = {q.id for c in draft.chapters for q in c.questions if q.id}
    chapters: list[dict[str, Any]] = []
    lines: list[tuple[int, list[int]]] = []  # chapter line, question lines (as kept)
    for chapter in draft.chapters:
        chapter_id = chapter.id or _unique(f"{bank_id}-{slug(chapter.title, 4)}", chapter_ids)
        chapter_ids.add(chapter_id)
        entry: dict[str, Any] = {"id": chapter_id, "title": chapter.title, "questions": []}
        if chapter.source:
            entry["source"] = chapter.source
        kept: list[int] = []
        for loose in chapter.questions:
            if not loose.id:
                loose.id = _unique(f"{bank_id}-{slug(loose.prompt)}", question_ids)
            try:
                entry["questions"].append(question_fields(loose))
                kept.append(loose.line)
            except FormatError as exc:
                draft.problem(loose.line, loose.id, exc.field, exc.expected)
        chapters.append(entry)
        lines.append((chapter.line, kept))
    for loose, line, field_name, expected in draft.pending:
        draft.problem(line, loose.id, field_name, expected)
    data = {**meta, "chapters": chapters}
    try:
        bank = Bank.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            owner, field_name = describe_location(data, loc)
            draft.problem(
                _line_of(loc, lines, draft.meta_line), owner, field_name, expectation(error)
            )
        bank = None
    problems = sorted(set(draft.problems))
    question_lines = {q.id: q.line for c in draft.chapters for q in c.questions}
    return Imported(bank if not problems else None, problems, question_lines)


def _line_of(loc: tuple[Any, ...], lines: list[tuple[int, list[int]]], default: int) -> int:
    if len(loc) >= 2 and loc[0] == "chapters" and isinstance(loc[1], int) and loc[1] < len(lines):
        chapter_line, question_lines = lines[loc[1]]
        if len(loc) >= 4 and loc[2] == "questions" and isinstance(loc[3], int):
            if loc[3] < len(question_lines):
                return question_lines[loc[3]]
        return chapter_line
    return default


def read_draft(path: Path, display: str | None = None) -> Draft:
    name = display or display_name(path)
    kind = IMPORT_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        draft = Draft(name)
        draft.problem(1, "-", "file", "a .csv, .md or .markdown file")
        return draft
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets like to add a BOM
    except (OSError, UnicodeDecodeError) as exc:
        draft = Draft(name)
        draft.problem(1, "-", "file", f"a readable UTF-8 file ({exc})")
        return draft
    return read_csv(text, name) if kind == "csv" else read_markdown(text, name)


def import_bank(path: Path, existing: LoadResult | None = None, **meta: Any) -> Imported:
    """Read a CSV or Markdown bank; `meta` (id, title, source…) overrides what the file says.

    With `existing` banks, an id they already use is an error too.
    """
    draft = read_draft(path)
    draft.meta.update({k: v for k, v in meta.items() if v is not None})
    if draft.problems and not draft.chapters:
        return Imported(None, sorted(draft.problems))
    imported = build_bank(draft, path.stem)
    if imported.bank is not None and existing is not None:
        problems = clashes(imported, draft.file, existing)
        if problems:
            return Imported(None, problems, imported.lines)
    return imported


def clashes(imported: Imported, file: str, existing: LoadResult) -> list[BankProblem]:
    """Ids the new bank shares with banks already loaded (progress is kept by id)."""
    bank = imported.bank
    assert bank is not None
    problems = []
    if bank.id in existing.files:
        other = display_name(existing.files[bank.id])
        message = f"a bank id no other bank uses (also {other})"
        problems.append(BankProblem(file, 1, bank.id, "id", message))
    for question in bank.questions():
        if question.id in existing.question_lines:
            other_file, other_line = existing.question_lines[question.id]
            message = f"an id no other question uses (also at {other_file}:{other_line})"
            line = imported.lines.get(question.id, 1)
            problems.append(BankProblem(file, line, question.id, "id", message))
    return problems
