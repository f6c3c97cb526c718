"""Pydantic's validation errors rephrased as "what was expected", in a bank author's terms."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from studybuddy.banks.models import QUESTION_TYPES, Bank, Chapter, KeyPoint, ShowMe

TYPE_NAMES = ", ".join(QUESTION_TYPES)
_ID_EXPECTED = "an id of lower-case letters, digits, '.', '_' or '-'"
_TAG_EXPECTED = "a lower-case tag, words joined by '-'"


def describe_location(data: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    """(owner id, field path) for a pydantic location inside a bank document.

    The owner is the innermost question, chapter or bank; one without a usable id is named by
    its place, e.g. `ch3.questions[4]`.
    """
    owner = str(data.get("id", "?")) if isinstance(data, dict) else "?"
    parts: list[str] = []
    current: Any = data
    previous: Any = None
    for key in loc:
        if isinstance(current, dict) and key in current:
            current = current[key]
            parts.append(f".{key}")
        elif isinstance(current, list) and isinstance(key, int) and 0 <= key < len(current):
            current = current[key]
            parts.append(f"[{key}]")
        elif isinstance(current, dict) and current.get("type") == key:
            continue  # the union tag: not a field the author wrote
        else:  # a missing field, or a place the document does not have
            parts.append(f".{key}" if isinstance(key, str) else f"[{key}]")
            break
        if isinstance(key, int) and previous in ("chapters", "questions"):
            item_id = current.get("id") if isinstance(current, dict) else None
            owner = item_id if isinstance(item_id, str) and item_id else owner + "".join(parts)
            parts = []
        previous = key
    return owner, "".join(parts).lstrip(".") or "(item)"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Which schema model owns the field at this location (for 'did you mean')."""
    model: type[BaseModel] | None = Bank
    for key in loc:
        if model is Bank and key == "chapters":
            model = Chapter
        elif model is Chapter and key == "questions":
            model = None  # the question type comes with the tag that follows
        elif model is None and isinstance(key, str) and key in QUESTION_TYPES:
            model = QUESTION_TYPES[key]
        elif key == "show_me":
            model = ShowMe
        elif key == "key_points":
            model = KeyPoint
    return model


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict | list):
        return f"a {'mapping' if isinstance(value, dict) else 'list'}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def expectation(error: Mapping[str, Any]) -> str:
    """What the author should have written, for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = _shown(error.get("input"))
    loc = tuple(error["loc"])
    if kind == "missing":
        return "a value (this field is required)"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = [name for name in model.model_fields] if model else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        if close:
            return f"no such field (did you mean {close[0]}?)"
        return "no such field" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
    if kind == "union_tag_invalid":
        return f"one of {TYPE_NAMES} (got {ctx.get('tag')!r})"
    if kind == "union_tag_not_found":
        return f"a 'type' field ({TYPE_NAMES})"
    if kind == "literal_error":
        return f"one of {ctx.get('expected')} (got {got})"
    if kind == "string_pattern_mismatch":
        wanted = _TAG_EXPECTED if "tags" in loc else _ID_EXPECTED
        return f"{wanted} (got {got})"
    if kind in ("string_too_short", "too_short"):
        minimum = ctx.get("min_length", 1)
        if kind == "string_too_short":
            return "a non-empty text"
        items = error.get("input")
        count = len(items) if isinstance(items, list | dict | str) else got
        return f"at least {minimum} item{'s' if minimum != 1 else ''} (got {count})"
    if kind == "string_type":
        if isinstance(error.get("input"), dict):  # YAML read `a: b` inside the text as a mapping
            return "text (got a mapping; put text containing ': ' in quotes)"
        return f"text (got {got})"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"a whole number (got {got})"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"a number (got {got})"
    if kind in ("bool_type", "bool_parsing"):
        return f"true or false (got {got})"
    if kind == "list_type":
        return f"a list (got {got})"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"a mapping of fields (got {got})"
    if kind == "greater_than_equal":
        return f"a number >= {ctx.get('ge')} (got {got})"
    text = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    return text
