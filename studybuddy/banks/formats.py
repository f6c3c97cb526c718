"""What the CSV and Markdown bank formats share: the small notations inside one cell or line,
and the step from loose rows to the fields of a question.

Notations (the README shows them in use):
  list          items separated by `|` (options, steps, several MC answers); `\\|` is a literal bar
  key points    `point = phrase; phrase | point = phrase` (without `=`, the first phrase names it)
  misconceptions  `point = phrase; phrase => why | ...` (the key point it contradicts, the
                phrases that state the wrong claim, and why it is wrong)
  cloze         the sentence with the answers inline: `divided by {{sqrt(d_k)|√d_k}}`
  show_me       `demo-id` or `demo-id {param: value, other: [1, 2]}` (a YAML flow mapping)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from studybuddy.banks import safe_yaml
from studybuddy.banks.models import BLANK, AnyQuestion
from studybuddy.banks.numbers import NotANumber, parse_number
from studybuddy.errors import StudyBuddyError

INLINE_BLANK = re.compile(r"\{\{(.+?)\}\}")
_SLUG = re.compile(r"[^a-z0-9]+")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class FormatError(StudyBuddyError, ValueError):
    """One cell or line that cannot be read; `field` names where, the message what was expected."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: {expected}")
        self.field = field
        self.expected = expected


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


def slug(text: str, words: int = 6) -> str:
    return "-".join(_SLUG.sub(" ", text.casefold()).split()[:words]) or "item"


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


def parse_show_me(text: str) -> dict[str, Any]:
    demo, _, rest = text.strip().partition(" ")
    params: Any = {}
    if rest.strip():
        try:
            params = safe_yaml.load(rest)
        except safe_yaml.RefusedYaml as exc:
            raise FormatError("show_me", str(exc.problem)) from None
        except yaml.YAMLError:
            params = None
        if not isinstance(params, dict):
            raise FormatError("show_me", f"'demo-id {{name: value, ...}}' (got {text.strip()!r})")
    return {"demo": demo, "params": params}


def format_show_me(show_me: Any) -> str:
    if not show_me.params:
        return show_me.demo
    params = yaml.safe_dump(
        dict(show_me.params), default_flow_style=True, width=10**9, allow_unicode=True
    )
    return f"{show_me.demo} {params.strip()}"


def inline_cloze(text: str) -> tuple[str, list[list[str]]]:
    """`a {{x|y}} b` -> (`a {{1}} b`, [[x, y]])."""
    blanks: list[list[str]] = []

    def number(match: re.Match[str]) -> str:
        blanks.append(split_items(match.group(1)))
        return f"{{{{{len(blanks)}}}}}"

    return INLINE_BLANK.sub(number, text), blanks


def cloze_inline(text: str, blanks: list[list[str]]) -> str:
    def answers(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return "{{" + "|".join(blanks[index]) + "}}"

    return BLANK.sub(answers, text)


def letters_to_indices(text: str) -> list[int]:
    picked = [p for p in re.split(r"[|,\s]+", text.strip().upper()) if p]
    if not picked or any(len(p) != 1 or p not in _LETTERS for p in picked):
        raise FormatError("answer", f"option letters such as 'B' or 'A|C' (got {text.strip()!r})")
    return [_LETTERS.index(p) for p in picked]


def indices_to_letters(indices: list[int]) -> str:
    return "|".join(_LETTERS[i] for i in indices)


def format_number_exactly(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


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


def _infer_type(q: Loose) -> str:
    if q.type:
        return q.type.strip().lower()
    if q.steps or (q.options and not q.answer and not q.correct):
        return "ordering"
    if q.options:
        return "mc"
    if INLINE_BLANK.search(q.answer) or INLINE_BLANK.search(q.prompt):
        return "cloze"
    if q.key_points:
        return "short"
    if q.answer.strip().lower() in ("true", "false"):
        return "tf"
    try:
        parse_number(q.answer)
    except NotANumber:
        return "short"
    return "numeric"


def question_fields(q: Loose) -> dict[str, Any]:
    """The fields of a bank question (the schema checks them afterwards). Raises FormatError."""
    kind = _infer_type(q)
    data: dict[str, Any] = {"id": q.id, "type": kind, "prompt": q.prompt.strip()}
    if kind == "mc":
        data["options"] = q.options
        if not q.correct and not q.answer.strip():
            raise FormatError(
                "answer", "a correct option: tick it with '- [x]', or give its letter such as 'B'"
            )
        data["answer"] = q.correct or letters_to_indices(q.answer)
        if q.options and max(data["answer"]) >= len(q.options):
            last = _LETTERS[len(q.options) - 1]
            got = _LETTERS[max(data["answer"])]
            raise FormatError("answer", f"option letters A..{last} (got {got})")
    elif kind == "ordering":
        data["steps"] = q.steps or q.options
    elif kind == "tf":
        word = q.answer.strip().lower()
        if word not in ("true", "false"):
            raise FormatError("answer", f"true or false (got {q.answer.strip()!r})")
        data["answer"] = word == "true"
    elif kind == "numeric":
        try:
            value, percent = parse_number(q.answer)
        except NotANumber as exc:
            raise FormatError("answer", str(exc)) from None
        data["value"] = value
        if q.tolerance.strip():
            try:
                data["tolerance"] = parse_number(q.tolerance)[0]
            except NotANumber as exc:
                raise FormatError("tolerance", str(exc)) from None
        if q.unit.strip() or percent:
            data["unit"] = q.unit.strip() or "%"
    elif kind == "short":
        data["model_answer"] = q.answer.strip()
        data["key_points"] = parse_key_points(q.key_points)
        if q.misconceptions:
            data["misconceptions"] = parse_misconceptions(q.misconceptions)
    elif kind == "cloze":
        inline = q.answer if INLINE_BLANK.search(q.answer) else q.prompt
        text, blanks = inline_cloze(inline.strip())
        if inline is q.prompt:
            data["prompt"] = "Fill in the blank." if len(blanks) == 1 else "Fill in the blanks."
        data["text"], data["blanks"] = text, blanks
    else:
        data["type"] = kind  # unknown: the schema names the allowed types
    data["explanation"] = q.explanation.strip()
    if q.difficulty.strip():
        data["difficulty"] = int(q.difficulty) if q.difficulty.strip().isdigit() else q.difficulty
    tags = [t for t in re.split(r"[|,\s]+", q.tags) if t]
    if tags:
        data["tags"] = tags
    if q.source.strip():
        data["source"] = q.source.strip()
    if q.show_me.strip():
        data["show_me"] = parse_show_me(q.show_me)
    return data


def loose_fields(question: AnyQuestion) -> Loose:
    """A bank question as the formats write it (the inverse of `question_fields`)."""
    q = Loose(line=0, prompt=question.prompt, id=question.id, type=question.type)
    if question.type == "mc":
        q.options, q.correct = list(question.options), list(question.answer)
        q.answer = indices_to_letters(list(question.answer))
    elif question.type == "ordering":
        q.steps = list(question.steps)
    elif question.type == "tf":
        q.answer = "true" if question.answer else "false"
    elif question.type == "numeric":
        q.answer = format_number_exactly(question.value)
        q.tolerance = format_number_exactly(question.tolerance) if question.tolerance else ""
        q.unit = question.unit or ""
    elif question.type == "short":
        q.answer = question.model_answer
        q.key_points = format_key_points(list(question.key_points))
        q.misconceptions = format_misconceptions(list(question.misconceptions))
    elif question.type == "cloze":
        q.answer = cloze_inline(question.text, [list(b) for b in question.blanks])
    q.explanation = question.explanation
    q.difficulty = str(question.difficulty)
    q.tags = ", ".join(question.tags)
    q.source = question.source or ""
    q.show_me = format_show_me(question.show_me) if question.show_me else ""
    return q
