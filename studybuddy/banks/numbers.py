"""Reading the number a learner typed, the way a person would mean it.

Accepted: `0.65`, `-3`, `6.5e-1`, `6.5x10^-1`, `1,024` (commas only as thousands separators, in
groups of three), `1/8`, a leading `~`, a trailing `%`, and the question's own unit (`497 MB`).

Percent questions (`unit: "%"`, `value` in percent, e.g. 65):
  - `65%` and `65` are read as 65 %;
  - a bare number between -1 and 1 may also be a fraction: `0.65` and `6.5e-1` are accepted
    for 65 %. The percent reading is tried first, so for a question whose answer really is
    0.65 %, `0.65` is right too. `0.65%` (with the sign) is always 0.65 %.
Other questions read `50%` as 0.5.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from studybuddy.errors import StudyBuddyError

_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_POWER_OF_TEN = re.compile(r"\s*[x×*]\s*10\s*(?:\^|\*\*)\s*")
_MINUS = str.maketrans({"−": "-", "–": "-"})
# A relative slack far below any tolerance an author would write, so that 0.4 is within 0.1 of
# 0.3 although 0.4 - 0.3 is 0.10000000000000003 in floating point.
_FLOAT_SLACK = 1e-12


class NotANumber(StudyBuddyError, ValueError):
    """The text is not a number; the message says what would have been."""


@dataclass(frozen=True)
class Reading:
    value: float  # in the question's unit (percent for '%' questions)
    how: str  # "as written", "as a percentage", "as a fraction"


def parse_number(text: str) -> tuple[float, bool]:
    """The number in `text` and whether it carried a percent sign. Raises NotANumber."""
    cleaned = text.strip().translate(_MINUS).lstrip("~≈").strip()
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1].strip()
    cleaned = _POWER_OF_TEN.sub("e", cleaned)
    if "," in cleaned:
        if not _GROUPED.fullmatch(cleaned):
            raise NotANumber(
                f"{text.strip()!r} is not a number: use '.' for decimals and ',' only between "
                "groups of three digits (1,024.5)"
            )
        cleaned = cleaned.replace(",", "")
    numerator, slash, denominator = cleaned.partition("/")
    try:
        value = float(numerator)
        if slash:
            value /= float(denominator)
    except (ValueError, ZeroDivisionError):
        raise NotANumber(
            f"{text.strip()!r} is not a number: type digits such as 0.65, 6.5e-1, 1,024 or 1/8"
        ) from None
    if not math.isfinite(value):
        raise NotANumber(f"{text.strip()!r} is not a finite number")
    return value, percent


def _strip_unit(text: str, unit: str | None) -> str:
    stripped = text.strip()
    if unit and unit != "%" and stripped.casefold().endswith(unit.casefold()):
        return stripped[: -len(unit)]
    return stripped


def readings(text: str, unit: str | None) -> list[Reading]:
    """Every sensible reading of `text` in the question's unit, most literal first."""
    value, percent = parse_number(_strip_unit(text, unit))
    if unit == "%":
        if percent:
            return [Reading(value, "as a percentage")]
        found = [Reading(value, "as a percentage")]
        if -1 <= value <= 1:
            found.append(Reading(value * 100, "as a fraction"))
        return found
    if percent:
        return [Reading(value / 100, "as a percentage")]
    return [Reading(value, "as written")]


def within(answer: float, value: float, tolerance: float) -> bool:
    slack = _FLOAT_SLACK * max(abs(answer), abs(value), tolerance)
    return abs(answer - value) <= tolerance + slack


def format_number(value: float, unit: str | None = None) -> str:
    """`124,439,808`, `0.65`, `1.5e-07`; with the unit attached the way it is read."""
    if value.is_integer() and abs(value) < 1e15:
        text = f"{int(value):,}"
    else:
        text = f"{value:.6g}"
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"
