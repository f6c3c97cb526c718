"""Reading bank files: YAML in, validated `Bank` objects or precise, located errors out.

A bad bank never stops the others from loading; each problem becomes a `BankProblem` that says
`file:line: question-id: field: what was expected`, so an author can jump straight to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from studybuddy.banks import safe_yaml
from studybuddy.banks.messages import describe_location, expectation
from studybuddy.banks.models import Bank

BANK_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, order=True)
class BankProblem:
    file: str
    line: int
    question_id: str
    field: str
    message: str

    # "warning" for advice a bank may have good reason to ignore (`banks validate` still exits 0)
    severity: str = "error"

    def __str__(self) -> str:
        message = f"warning: {self.message}" if self.severity == "warning" else self.message
        return f"{self.file}:{self.line}: {self.question_id}: {self.field}: {message}"


@dataclass
class LoadResult:
    banks: list[Bank] = field(default_factory=list)
    problems: list[BankProblem] = field(default_factory=list)
    # bank id -> file it came from, and question id -> (file, line) for cross-bank checks
    files: dict[str, Path] = field(default_factory=dict)
    question_lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    # question id -> its YAML node, so later checks (show_me) can point at the exact line
    question_nodes: dict[str, yaml.Node] = field(default_factory=dict, repr=False)
    # bank id -> its YAML root node, for checks that point at a bank's or chapter's fields
    bank_nodes: dict[str, yaml.Node] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def bank(self, bank_id: str) -> Bank:
        for bank in self.banks:
            if bank.id == bank_id:
                return bank
        raise KeyError(bank_id)

    def locate_in_bank(self, bank_id: str, *path: str | int) -> tuple[str, int]:
        """(file, line) of a bank's or chapter's field, e.g. ("chapters", 2, "source")."""
        file = display_name(self.files[bank_id]) if bank_id in self.files else "?"
        node = self.bank_nodes.get(bank_id)
        return file, node_at(node, path).start_mark.line + 1 if node is not None else 1

    def locate(self, question_id: str, *path: str | int) -> tuple[str, int]:
        """(file, line) of a field inside a loaded question, as deep as the YAML goes."""
        file, line = self.question_lines.get(question_id, ("?", 1))
        node = self.question_nodes.get(question_id)
        if node is not None:
            line = node_at(node, path).start_mark.line + 1
        return file, line


def display_name(path: Path) -> str:
    """The path as an author would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def bank_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in BANK_SUFFIXES and p.is_file())


def node_at(root: yaml.Node, loc: Iterable[Any]) -> yaml.Node:
    """Follow a pydantic error location through the YAML node tree, as far as it goes."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is not None:  # else a union tag such as 'mc', or a missing field
                node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                break
            node = node.value[key]
    return node


def parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """One parse gives both the node tree (for line numbers) and the plain data; the text is
    checked first (no aliases, bounded sizes, no duplicate keys: see `safe_yaml`)."""
    return safe_yaml.compose(text)


def problems_from_validation(
    name: str, root: yaml.Node, data: Any, exc: ValidationError
) -> list[BankProblem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        if error["type"].startswith("union_tag"):
            loc += ("type",)
        node = node_at(root, loc)
        owner, field_name = describe_location(data, loc)
        line = node.start_mark.line + 1
        problems.append(BankProblem(name, line, owner, field_name, expectation(error)))
    return sorted(set(problems))


def _read_bank(
    path: Path, name: str
) -> tuple[Bank | None, list[BankProblem], yaml.Node | None, Any]:
    try:
        size = path.stat().st_size
        if size > safe_yaml.MAX_TEXT_CHARS:  # refused before reading it into memory
            expected = f"a bank of at most {safe_yaml.MAX_TEXT_CHARS:,} bytes (this is {size:,})"
            return None, [BankProblem(name, 1, "-", "file", expected)], None, None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return (
            None,
            [BankProblem(name, 1, "-", "file", f"a readable UTF-8 file ({exc})")],
            None,
            None,
        )
    try:
        root, data = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        expected = problem if isinstance(exc, safe_yaml.RefusedYaml) else f"valid YAML ({problem})"
        return None, [BankProblem(name, line, "-", "yaml", expected)], None, None
    if root is None or not isinstance(data, dict):
        expected = "a mapping with id, title, source, chapters"
        return None, [BankProblem(name, 1, "-", "bank", expected)], None, None
    try:
        return Bank.model_validate(data), [], root, data
    except ValidationError as exc:
        return None, problems_from_validation(name, root, data, exc), root, data


def _id_line(node: yaml.Node) -> int:
    return node_at(node, ("id",)).start_mark.line + 1


def _written_ids(
    root: yaml.Node, data: dict[str, Any]
) -> tuple[list[tuple[str, int]], list[tuple[str, int, yaml.Node]]]:
    """Chapter ids and question ids as written, with lines; read from the raw document so
    that repeats are found even in a bank that has other errors."""
    chapter_ids: list[tuple[str, int]] = []
    question_ids: list[tuple[str, int, yaml.Node]] = []
    chapters = data.get("chapters")
    for c, chapter in enumerate(chapters if isinstance(chapters, list) else []):
        if not isinstance(chapter, dict):
            continue
        chapter_node = node_at(root, ("chapters", c))
        if isinstance(chapter.get("id"), str):
            chapter_ids.append((chapter["id"], _id_line(chapter_node)))
        questions = chapter.get("questions")
        for q, question in enumerate(questions if isinstance(questions, list) else []):
            if isinstance(question, dict) and isinstance(question.get("id"), str):
                node = node_at(chapter_node, ("questions", q))
                question_ids.append((question["id"], _id_line(node), node))
    return chapter_ids, question_ids


def load_banks(paths: Iterable[Path]) -> LoadResult:
    """Load every bank file; valid banks load even when others are broken.

    A bank that repeats an id (its own, a chapter's, a question's, within it or from a bank
    loaded before) is reported and left out: progress is stored by id, so a repeated id would
    mix two questions' histories.
    """
    result = LoadResult()
    # every id written in any file so far, loaded or not, so a repeat is reported once, at
    # its second use, even while the first bank still has errors of its own
    seen_questions: dict[str, tuple[str, int]] = {}
    seen_banks: dict[str, str] = {}
    for path in paths:
        name = display_name(path)
        bank, problems, root, data = _read_bank(path, name)
        if root is None or data is None:
            result.problems.extend(problems)
            continue
        chapter_ids, question_ids = _written_ids(root, data)
        chapter_lines: dict[str, int] = {}
        for chapter_id, line in chapter_ids:
            if chapter_id in chapter_lines:
                message = (
                    f"a chapter id unique in this bank (also at line {chapter_lines[chapter_id]})"
                )
                problems.append(BankProblem(name, line, chapter_id, "id", message))
            chapter_lines.setdefault(chapter_id, line)
        nodes: dict[str, yaml.Node] = {}
        for question_id, line, node in question_ids:
            first = seen_questions.get(question_id)
            if first is not None:
                where = f"line {first[1]}" if first[0] == name else f"{first[0]}:{first[1]}"
                message = f"an id no other question uses (also at {where})"
                problems.append(BankProblem(name, line, question_id, "id", message))
            else:
                seen_questions[question_id] = (name, line)
                nodes[question_id] = node
        bank_id = data.get("id")
        if isinstance(bank_id, str):
            if bank_id in seen_banks:
                message = f"a bank id unique across banks (also {seen_banks[bank_id]})"
                problems.append(BankProblem(name, _id_line(root), bank_id, "id", message))
            seen_banks.setdefault(bank_id, name)
        result.problems.extend(sorted(set(problems)))
        if bank is not None and not problems:
            result.banks.append(bank)
            result.files[bank.id] = path
            result.bank_nodes[bank.id] = root
            for question_id, node in nodes.items():
                result.question_lines[question_id] = seen_questions[question_id]
                result.question_nodes[question_id] = node
    return result


def load_bundled_banks(folder: Path | None = None) -> LoadResult:
    from studybuddy.locations import question_banks_dir

    folder = folder or question_banks_dir()
    if not folder.is_dir():
        return LoadResult(
            problems=[BankProblem(str(folder), 1, "-", "folder", "a folder of banks")]
        )
    return load_banks(bank_files(folder))
