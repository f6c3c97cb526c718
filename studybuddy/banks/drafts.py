"""What the CSV and Markdown readers produce: a bank's chapters of loose questions, each with
its source line, and the problems met on the way; `importers.build_bank` turns it into a Bank."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studybuddy.banks.formats import Loose
from studybuddy.banks.loader import BankProblem


@dataclass
class DraftChapter:
    title: str
    line: int
    id: str = ""
    source: str = ""
    questions: list[Loose] = field(default_factory=list)


@dataclass
class Draft:
    file: str
    meta: dict[str, Any] = field(default_factory=dict)
    meta_line: int = 1
    chapters: list[DraftChapter] = field(default_factory=list)
    problems: list[BankProblem] = field(default_factory=list)
    # problems inside a question whose id may still be generated: named once ids are settled
    pending: list[tuple[Loose, int, str, str]] = field(default_factory=list)

    def problem(self, line: int, owner: str, field_name: str, expected: str) -> None:
        self.problems.append(BankProblem(self.file, line, owner or "-", field_name, expected))

    def question_problem(self, question: Loose, line: int, field_name: str, expected: str) -> None:
        self.pending.append((question, line, field_name, expected))
