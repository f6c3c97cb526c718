"""The cells of a question in the CSV and Markdown formats, and the small notations inside them.

A format reads a question into a `Loose` (plain strings and lists, nothing checked yet); each
question model turns its part of a `Loose` into its fields (`fields_from_cells`) and back
(`cells`), so this module knows the notations and no question type.

Notations (the README shows them in use):
  list            items separated by `|` (options, steps, several MC answers); `\\|` is a
                  literal bar
  key points      `point = phrase; phrase | point = phrase` (without `=`, the first phrase
                  names it)
  misconceptions  `point = phrase; phrase => why | ...` (the key point it contradicts, the
                  phrases that state the wrong claim, and why it is wrong)
  cloze           the sentence with the answers inline: `divided by {{sqrt(d_k)|√d_k}}`
  option letters  `B`, `A|C` for the correct options of a multiple choice
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from studybuddy.errors import StudyBuddyError

INLINE_BLANK = re.compile(r"\{\{(.+?)\}\}")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class FormatError(StudyBuddyError, ValueError):
    """One cell or line that cannot be read; `field` names where, the message what was expected."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: {expected}")
        self.field = field
        self.expected = expected


@dataclass
class Loose:
    """One question as a format read it: plain strings and lists, before any checking."""

    line: int
    prompt: str = ""
    id: str = ""
    type: str = ""
    options: list[str] = field(default_factory=list)
    correct: list[int] = field(default_factory=list)  # from checkboxes (Markdown)
    steps: list[str] = field(default_factory=list)
    answer: str = ""
    tolerance: str = ""
    unit: str = ""
    key_points: list[str] = field(default_factory=list)
    misconceptions: list[str] = field(default_factory=list)
    explanation: str = ""
    difficulty: str = ""
    tags: str = ""
    source: str = ""
    show_me: str = ""


def split_items(text: str, separator: str = "|") -> list[str]:
    """Split on `separator`, honouring backslash escapes; blank items are dropped."""
    items, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def join_items(items: list[str], separator: str = "|") -> str:
    return f" {separator} ".join(
        item.replace("\\", "\\\\").replace(separator, "\\" + separator) for item in items
    )


def parse_key_points(items: list[str]) -> list[dict[str, Any]]:
    points = []
    for item in items:
        name, equals, phrases = item.partition("=")
        accept = split_items(phrases if equals else item, ";")
        if not accept:
            raise FormatError("key_points", f"'point = phrase; phrase' (no phrase in {item!r})")
        points.append({"point": name.strip() if equals else accept[0], "accept": accept})
    return points


def format_key_points(points: list[Any]) -> list[str]:
    return [f"{p.point} = {join_items(list(p.accept), ';')}" for p in points]


_WHY = "=>"


def parse_misconceptions(items: list[str]) -> list[dict[str, Any]]:
    found = []
    for item in items:
        claim, arrow, why = item.partition(_WHY)
        name, equals, phrases = claim.partition("=")
        match = split_items(phrases, ";")
        if not (arrow and equals and match and name.strip() and why.strip()):
            raise FormatError("misconceptions", f"'point = phrase; phrase => why' (got {item!r})")
        found.append({"point": name.strip(), "match": match, "why": why.strip()})
    return found


def format_misconceptions(misconceptions: list[Any]) -> list[str]:
    return [f"{m.point} = {join_items(list(m.match), ';')} {_WHY} {m.why}" for m in misconceptions]


def inline_cloze(text: str) -> tuple[str, list[list[str]]]:
    """`a {{x|y}} b` -> (`a {{1}} b`, [[x, y]])."""
    blanks: list[list[str]] = []

    def number(match: re.Match[str]) -> str:
        blanks.append(split_items(match.group(1)))
        return f"{{{{{len(blanks)}}}}}"

    return INLINE_BLANK.sub(number, text), blanks


def letters_to_indices(text: str) -> list[int]:
    picked = [p for p in re.split(r"[|,\s]+", text.strip().upper()) if p]
    if not picked or any(len(p) != 1 or p not in LETTERS for p in picked):
        raise FormatError("answer", f"option letters such as 'B' or 'A|C' (got {text.strip()!r})")
    return [LETTERS.index(p) for p in picked]


def indices_to_letters(indices: list[int]) -> str:
    return "|".join(LETTERS[i] for i in indices)


def format_number_exactly(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
