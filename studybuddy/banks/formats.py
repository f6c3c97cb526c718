"""From a format's loose cells to the fields of a bank question and back, for the CSV and
Markdown formats; the notations inside a cell are in `cells`, each type's own cells on its model.

  show_me       `demo-id` or `demo-id {param: value, other: [1, 2]}` (a YAML flow mapping)
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from studybuddy.banks import safe_yaml
from studybuddy.banks.cells import (
    INLINE_BLANK,
    FormatError,
    Loose,
    join_items,
    split_items,
)
from studybuddy.banks.models import QUESTION_TYPES, AnyQuestion
from studybuddy.banks.numbers import NotANumber, parse_number

_SLUG = re.compile(r"[^a-z0-9]+")

__all__ = [
    "FormatError",
    "Loose",
    "join_items",
    "loose_fields",
    "question_fields",
    "slug",
    "split_items",
]


def slug(text: str, words: int = 6) -> str:
    return "-".join(_SLUG.sub(" ", text.casefold()).split()[:words]) or "item"


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


def _infer_type(q: Loose) -> str:
    """The type a row names, or else the one its filled cells suggest (a row of a type added
    later names it: `type` is the one column every type can be told by)."""
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
    model = QUESTION_TYPES.get(kind)
    if model is not None:  # else the schema names the allowed types
        data |= model.fields_from_cells(q)
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
    for name, value in question.cells().items():
        setattr(q, name, value)
    q.explanation = question.explanation
    q.difficulty = str(question.difficulty)
    q.tags = ", ".join(question.tags)
    q.source = question.source or ""
    q.show_me = format_show_me(question.show_me) if question.show_me else ""
    return q
