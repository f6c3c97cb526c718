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

from studybuddy.banks.models import Bank

try:  # the C loader is several times faster; both are safe loaders
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader

BANK_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, order=True)
class BankProblem:
    file: str
    line: int
    question_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.question_id}: {self.field}: {self.message}"


@dataclass
class LoadResult:
    banks: list[Bank] = field(default_factory=list)
    problems: list[BankProblem] = field(default_factory=list)
    # bank id -> file it came from, and question id -> (file, line) for cross-bank checks
    files: dict[str, Path] = field(default_factory=dict)
    question_lines: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def bank_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in BANK_SUFFIXES and p.is_file())


def _node_at(root: yaml.Node, loc: Iterable[Any]) -> yaml.Node:
    """Follow a pydantic error location through the YAML node tree, as far as it goes."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                break
            node = node.value[key]
        # other keys (a union's tag name such as 'mc') do not appear in the document
    return node


def _describe_location(data: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    """(question-or-chapter id, field path) for a pydantic location inside a bank document."""
    owner = data.get("id", "?") if isinstance(data, dict) else "?"
    field_parts: list[str] = []
    current: Any = data
    for key in loc:
        if isinstance(current, dict):
            current = current.get(key)
            field_parts.append(str(key))
        elif isinstance(current, list) and isinstance(key, int) and key < len(current):
            current = current[key]
            field_parts.append(f"[{key}]")
        else:
            continue  # the union tag: not a field the author wrote
        if isinstance(current, dict) and "id" in current:
            owner = str(current["id"])
            field_parts = []
    field_name = ".".join(p for p in field_parts if not p.startswith("[")) or "(item)"
    return owner, field_name


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "a value (this field is required)"
    if kind == "extra_forbidden":
        return "no such field (check its spelling)"
    if kind == "union_tag_invalid":
        return "type to be one of mc, tf, numeric, short, cloze, ordering"
    if kind == "union_tag_not_found":
        return "a 'type' field (mc, tf, numeric, short, cloze or ordering)"
    text = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    return text


def load_bank_file(
    path: Path, display_name: str | None = None
) -> tuple[Bank | None, list[BankProblem], yaml.Node | None]:
    """Parse and validate one bank file; never raises for a bad file."""
    name = display_name or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [BankProblem(name, 1, "-", "file", f"a readable UTF-8 file ({exc})")], None
    try:
        root = yaml.compose(text, Loader=_SafeLoader)
        data = yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [BankProblem(name, line, "-", "yaml", f"valid YAML ({problem})")], None
    if root is None or not isinstance(data, dict):
        return (
            None,
            [BankProblem(name, 1, "-", "bank", "a mapping with id, title, source, chapters")],
            None,
        )
    try:
        return Bank.model_validate(data), [], root
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            node = _node_at(root, loc)
            owner, field_name = _describe_location(data, loc)
            problems.append(
                BankProblem(name, node.start_mark.line + 1, owner, field_name, _message(error))
            )
        return None, sorted(set(problems)), root


def _question_lines(root: yaml.Node) -> dict[str, int]:
    """Line of each question's `id:` key, for messages about questions that parsed fine."""
    lines: dict[str, int] = {}
    chapters = _node_at(root, ("chapters",))
    if not isinstance(chapters, yaml.SequenceNode):
        return lines
    for chapter in chapters.value:
        questions = _node_at(chapter, ("questions",))
        if isinstance(questions, yaml.SequenceNode):
            for question in questions.value:
                id_node = _node_at(question, ("id",))
                if isinstance(id_node, yaml.ScalarNode):
                    lines[id_node.value] = id_node.start_mark.line + 1
    return lines


def load_banks(paths: Iterable[Path]) -> LoadResult:
    """Load every bank file; valid banks load even when others are broken."""
    result = LoadResult()
    for path in paths:
        bank, problems, root = load_bank_file(path)
        result.problems.extend(problems)
        if bank is None or root is None:
            continue
        lines = _question_lines(root)
        duplicates = []
        for question in bank.questions():
            line = lines.get(question.id, 1)
            if question.id in result.question_lines:
                first_file, first_line = result.question_lines[question.id]
                duplicates.append(
                    BankProblem(
                        path.name,
                        line,
                        question.id,
                        "id",
                        f"an id unique across banks (also used at {first_file}:{first_line})",
                    )
                )
            else:
                result.question_lines[question.id] = (path.name, line)
        if bank.id in result.files:
            duplicates.append(
                BankProblem(
                    path.name,
                    1,
                    bank.id,
                    "id",
                    f"a bank id unique across banks (also {result.files[bank.id].name})",
                )
            )
        result.problems.extend(duplicates)
        if not duplicates:
            result.banks.append(bank)
            result.files[bank.id] = path
    return result


def load_bundled_banks(folder: Path | None = None) -> LoadResult:
    from studybuddy.locations import question_banks_dir

    folder = folder or question_banks_dir()
    if not folder.is_dir():
        return LoadResult(
            problems=[BankProblem(str(folder), 1, "-", "folder", "a folder of banks")]
        )
    return load_banks(bank_files(folder))
