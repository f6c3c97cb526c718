"""The CSV bank format: one question per row, for authors who think in spreadsheets.

Optional `# key: value` lines before the header set the bank's id, title, short_title, source,
version, description and pages_from. Column names are case-insensitive and may come in any order;
only `prompt` and `explanation` are required. An empty `chapter` cell continues the chapter of
the row above.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator
from typing import Any

from studybuddy.banks.drafts import Draft, DraftChapter
from studybuddy.banks.formats import Loose, join_items, loose_fields, split_items
from studybuddy.banks.models import Bank

COLUMNS = (
    "chapter",
    "chapter_id",
    "chapter_source",
    "id",
    "type",
    "prompt",
    "options",
    "answer",
    "tolerance",
    "unit",
    "key_points",
    "misconceptions",
    "explanation",
    "difficulty",
    "tags",
    "source",
    "show_me",
)
REQUIRED = ("prompt", "explanation")
META_KEYS = ("id", "title", "short_title", "source", "version", "description", "pages_from")
_ALIASES = {"steps": "options", "question": "prompt", "show": "show_me"}


def _column(name: str) -> str:
    key = "_".join(name.strip().lower().replace("-", " ").split())
    return _ALIASES.get(key, key)


def _meta(draft: Draft, line_number: int, line: str) -> None:
    key, colon, value = line.lstrip("#").partition(":")
    key = key.strip().lower()
    if colon and key in META_KEYS:
        draft.meta[key] = (
            int(value) if key == "version" and value.strip().isdigit() else value.strip()
        )
        draft.meta_line = line_number


def _checked_rows(reader: Any, draft: Draft, skipped: int) -> Iterator[list[str]]:
    """The reader's rows; a malformed row (or a field over the csv module's limit) becomes one
    problem at its line and ends the file, instead of an exception."""
    try:
        yield from reader
    except csv.Error as exc:
        draft.problem(skipped + reader.line_num, "-", "csv", f"well-formed CSV ({exc})")


def read_csv(text: str, name: str) -> Draft:
    draft = Draft(name)
    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and (not lines[skipped].strip() or lines[skipped].startswith("#")):
        if lines[skipped].startswith("#"):
            _meta(draft, skipped + 1, lines[skipped])
        skipped += 1
    reader = csv.reader(io.StringIO("".join(lines[skipped:])))
    rows = _checked_rows(reader, draft, skipped)
    header_line = skipped + 1
    header = next(rows, None)
    if header is None:
        draft.problem(
            header_line, "-", "header", f"a header row naming columns ({', '.join(COLUMNS)})"
        )
        return draft
    columns = [_column(h) for h in header]
    for column in columns:
        if column and column not in COLUMNS:
            close = difflib.get_close_matches(column, COLUMNS, n=1)
            hint = f"did you mean {close[0]}?" if close else f"one of {', '.join(COLUMNS)}"
            draft.problem(header_line, "-", "header", f"known column names ({column!r}: {hint})")
    for column in REQUIRED:
        if column not in columns:
            draft.problem(header_line, "-", "header", f"a column named {column}")
    if draft.problems:
        return draft
    chapters: dict[tuple[str, str], DraftChapter] = {}
    current: DraftChapter | None = None
    previous_end = reader.line_num
    for row in rows:
        start = skipped + previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = {column: cell for column, cell in zip(columns, row, strict=False) if column}
        title = cells.get("chapter", "").strip()
        if title or current is None:
            key = (title or "Questions", cells.get("chapter_id", "").strip())
            if key not in chapters:
                chapters[key] = DraftChapter(
                    key[0], start, id=key[1], source=cells.get("chapter_source", "").strip()
                )
                draft.chapters.append(chapters[key])
            current = chapters[key]
        current.questions.append(_loose(cells, start))
    return draft


def _loose(cells: dict[str, str], line: int) -> Loose:
    get = lambda column: cells.get(column, "")  # noqa: E731 - a short local accessor
    return Loose(
        line=line,
        prompt=get("prompt"),
        id=get("id").strip(),
        type=get("type").strip(),
        options=split_items(get("options")),
        answer=get("answer"),
        tolerance=get("tolerance"),
        unit=get("unit"),
        key_points=split_items(get("key_points")),
        misconceptions=split_items(get("misconceptions")),
        explanation=get("explanation"),
        difficulty=get("difficulty"),
        tags=get("tags"),
        source=get("source"),
        show_me=get("show_me"),
    )


def write_csv(bank: Bank) -> str:
    out = io.StringIO()
    for key in META_KEYS:
        value = getattr(bank, key)
        if value is not None:
            out.write(f"# {key}: {' '.join(str(value).split())}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for chapter in bank.chapters:
        for question in chapter.questions:
            q = loose_fields(question)
            row = {
                "chapter": chapter.title,
                "chapter_id": chapter.id,
                "chapter_source": chapter.source or "",
                "options": join_items(q.steps or q.options),
                "key_points": join_items(q.key_points),
                "misconceptions": join_items(q.misconceptions),
            }
            writer.writerow([row[c] if c in row else getattr(q, c) for c in COLUMNS])
    return out.getvalue()
