"""Reading the number a learner typed, the way a person would mean it, in the question's unit.

Numbers: `0.65`, `-3`, `1/8`, a leading `~`; thousands grouped with commas, thin or plain spaces
or underscores in groups of three (`163,009,536`, `163 009 536`, `1_000`); powers of ten in
every common spelling: `3.15e23`, `3.15E+23`, `3.15x10^23`, `3.15 × 10²³`, `3.15*10**23`,
`3.15·10^23`, `10^23`.

After the number: a multiple (`k`/`K`/`thousand`, `M`/`million`, `B`/`bn`/`billion`,
`T`/`trillion`), bytes (`B`, `KB` `MB` `GB` `TB` = 10^3.. bytes, `KiB` `MiB` `GiB` `TiB` =
1024^1.. bytes, and the words `kilobytes`…), `%`, and the question's own nouns or common ones
(`parameters`, `tokens`, `FLOPs`, `layers`, `dimensions`, `entries`, `times`). Anything else is
not a number. In a question about bytes, `B` is bytes; elsewhere it is billion.

The question's `unit` is written the same way and understood the same way:
  - a multiple, with or without a noun: `million`, `million parameters`, `billion`,
    `trillion tokens`, `x 10^23 FLOPs`;
  - bytes: `MB`, `GB` (decimal), `MiB`, `GiB` (binary);
  - a noun alone (`layers`, `parameters`, `dimensions`, `entries`): shown, scale 1;
  - `%`: the value is in percent (65 for 65 %).
A learner's answer with a multiple or bytes is converted exactly into the question's unit
(`163M` is 163 million, `622 MB` in a MiB question is 593.2 MiB); a bare number is in the
question's unit, or, for a question in thousands or more, may be the full count (`163009536`
for a question in millions). The readings are tried most literal first and the grade says which
one was taken.

MB for MiB: people write "MB" for 1024^2 bytes all the time (the book's memory figures do). In a
question whose unit is binary, an answer in the decimal unit of the same prefix is read both
exactly (622 MB = 593.2 MiB) and as the question's unit (622 MB taken as 622 MiB), and the grade
names the reading it took.

Percent questions (`unit: "%"`): `65%` and `65` are read as 65 %; a bare number between -1 and
1 may also be a fraction (`0.65` is 65 %), tried after the percent reading, so for a question
whose answer really is 0.65 %, `0.65` is right too. `0.65%` (with the sign) is always 0.65 %.
Other questions read `50%` as 0.5.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from studybuddy.errors import StudyBuddyError

# A relative slack far below any tolerance an author would write, so that 0.4 is within 0.1 of
# 0.3 although 0.4 - 0.3 is 0.10000000000000003 in floating point.
_FLOAT_SLACK = 1e-12
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_MINUS = str.maketrans({"−": "-", "–": "-", "\u2009": " ", "\u202f": " ", "\u00a0": " "})
_MANTISSA = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_NUMBER = re.compile(
    rf"(?P<mantissa>{_MANTISSA})?"
    r"(?:(?:(?<=\d)|^)\s*(?:x|×|\*|·|⋅)?\s*10\s*(?:\^|\*\*)\s*(?P<power>[+-]?\d+))?"
    rf"(?:\s*/\s*(?P<denominator>{_MANTISSA}))?"
    r"\s*(?P<rest>[^\d^*/]*)"  # no digits: "10^23" must not end as "10" and "^23"
)
_GROUPED = re.compile(
    r"(?<![\d.])([+-]?\d{1,3})((?:(?P<sep>[,_ ])\d{3})(?:(?P=sep)\d{3})*)(?![\d,_])"
)

_MULTIPLES = {
    "k": 1e3,
    "thousand": 1e3,
    "thousands": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
    "trillions": 1e12,
}
_BYTES = {
    "byte": 1.0,
    "bytes": 1.0,
    "kb": 1e3,
    "mb": 1e6,
    "gb": 1e9,
    "tb": 1e12,
    "kib": 1024.0,
    "mib": 1024.0**2,
    "gib": 1024.0**3,
    "tib": 1024.0**4,
    "kilobytes": 1e3,
    "megabytes": 1e6,
    "gigabytes": 1e9,
    "terabytes": 1e12,
    "kibibytes": 1024.0,
    "mebibytes": 1024.0**2,
    "gibibytes": 1024.0**3,
    "tebibytes": 1024.0**4,
}
# the binary unit a decimal byte unit is often written for
_BINARY_OF = {"kb": "kib", "mb": "mib", "gb": "gib", "tb": "tib"}
_BINARY_OF |= {"kilobytes": "kib", "megabytes": "mib", "gigabytes": "gib", "terabytes": "tib"}
_NOUNS = frozenset(
    "parameter parameters params param weights token tokens flop flops operations layer layers "
    "dimension dimensions dims entry entries times x fold items batch batches pair pairs".split()
)
_UNIT_NAMES = {
    "kib": "KiB",
    "mib": "MiB",
    "gib": "GiB",
    "tib": "TiB",
    "kb": "KB",
    "mb": "MB",
    "gb": "GB",
    "tb": "TB",
}


class NotANumber(StudyBuddyError, ValueError):
    """The text is not a number; the message says what would have been."""


@dataclass(frozen=True)
class Quantity:
    """A number as written: its value in base units (bytes, or plain count) and what scaled it."""

    number: float  # the number itself (3.15 in "3.15e23 FLOPs" is 3.15e23)
    scale: float  # what the multiple or byte unit multiplies it by (1 if none)
    word: str  # the multiple or byte unit as typed, casefolded ("mb", "billion"); "" if none
    percent: bool
    nouns: tuple[str, ...]
    scientific: bool = False  # written with a power of ten ("3.15e23", "3.15 × 10²³")

    @property
    def bytes(self) -> bool:
        return self.word in _BYTES or self.word == "b" and self.scale == 1.0

    @property
    def value(self) -> float:
        return self.number * self.scale


@dataclass(frozen=True)
class Reading:
    value: float  # in the question's unit (percent for '%' questions)
    how: str  # "as written", "as a percentage", "as a fraction", "as 593.2 MiB (...)", ...


def _ungroup(text: str) -> str:
    """'163,009,536', '163 009 536' and '1_000' without their separators; a comma elsewhere is
    refused (a decimal comma would be read wrong by a factor of a thousand)."""
    text = _GROUPED.sub(lambda m: m.group(1) + re.sub(r"[,_ ]", "", m.group(2)), text)
    if "," in text:
        raise NotANumber(
            f"{text.strip()!r} is not a number: use '.' for decimals and ',' only between "
            "groups of three digits (1,024.5)"
        )
    return re.sub(r"(?<=\d)_(?=\d)", "", text)


def parse_quantity(text: str, byte_question: bool = False) -> Quantity:
    """The number in `text` with its multiple, byte unit, percent sign and nouns.
    `byte_question` decides what a lone 'B' means (bytes, else billion). Raises NotANumber."""
    shown = text.strip()
    cleaned = shown.translate(_MINUS).casefold()
    cleaned = re.sub(r"^(?:~|≈|about|approx\.?|approximately|around|roughly)\s*", "", cleaned)
    # "10²³" is 10^23 (translating the digits alone would make it 1023)
    cleaned = re.sub(
        r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+", lambda m: "^" + m.group().translate(_SUPERSCRIPTS), cleaned
    )
    cleaned = _ungroup(cleaned)
    match = _NUMBER.fullmatch(cleaned.strip())
    if match is None or not (match.group("mantissa") or match.group("power")):
        raise NotANumber(
            f"{shown!r} is not a number: type digits such as 0.65, 6.5e-1, 1,024, 1/8 or 3e23"
        )
    try:
        mantissa, power = match.group("mantissa") or "1", match.group("power")
        if power and "e" in mantissa:
            number = float(mantissa) * 10.0 ** int(power)
        else:  # '3.15e23' is read exactly; 10.0 ** 23 is not 1e23
            number = float(f"{mantissa}e{power}" if power else mantissa)
        if match.group("denominator"):
            number /= float(match.group("denominator"))
    except (ValueError, ZeroDivisionError, OverflowError):
        raise NotANumber(f"{shown!r} is not a number") from None
    if not math.isfinite(number):
        raise NotANumber(f"{shown!r} is not a finite number")
    scale, word, percent, nouns = _suffix(match.group("rest"), shown, byte_question)
    scientific = bool(power) or "e" in mantissa
    return Quantity(number, scale, word, percent, nouns, scientific)


def _suffix(rest: str, shown: str, byte_question: bool) -> tuple[float, str, bool, tuple[str, ...]]:
    words = re.findall(r"%|[^\W\d_]+", rest)
    leftover = re.sub(r"%|[^\W\d_]+|[\s().]", "", rest)
    if leftover:
        raise NotANumber(f"{shown!r} is not a number: type one number, e.g. 0.65, 1,024 or 3e23")
    scale, word, percent = 1.0, "", False
    nouns: list[str] = []
    for item in words:
        if item == "%" and not percent and not word:
            percent = True
        elif not word and not percent and item == "b":
            word, scale = "b", 1.0 if byte_question else 1e9
        elif not word and not percent and item in _MULTIPLES:
            word, scale = item, _MULTIPLES[item]
        elif not word and not percent and item in _BYTES:
            word, scale = item, _BYTES[item]
        elif item in _NOUNS or (item.endswith("s") and item[:-1] in _NOUNS):
            nouns.append(item)
        else:
            raise NotANumber(f"{shown!r} is not a number: {item!r} is not a unit this reads")
    return scale, word, percent, tuple(nouns)


def parse_number(text: str) -> tuple[float, bool]:
    """The plain number in `text` and whether it carried a percent sign; a multiple or unit
    ('163M', '622 MB') is refused, since without the question's unit it cannot be read (the
    importers decide with it whether a CSV answer is a number). Raises NotANumber."""
    quantity = parse_quantity(text)
    if quantity.word or quantity.nouns:
        raise NotANumber(f"{text.strip()!r} is not a plain number")
    return quantity.value, quantity.percent


@dataclass(frozen=True)
class Unit:
    """A question's `unit`, understood: what one of it is in base units."""

    text: str
    scale: float
    bytes: bool
    word: str  # the multiple or byte unit, casefolded; "" for a noun alone
    percent: bool

    @property
    def binary(self) -> bool:
        return self.word in {"kib", "mib", "gib", "tib"} or self.word in {
            "kibibytes",
            "mebibytes",
            "gibibytes",
            "tebibytes",
        }


@cache
def parse_unit(unit: str | None) -> Unit:
    """A question's unit. Raises NotANumber (with the reason) for one this module cannot read."""
    if not unit:
        return Unit("", 1.0, False, "", False)
    if unit.strip() == "%":
        return Unit("%", 1.0, False, "", True)
    try:
        quantity = parse_quantity("1 " + unit, byte_question=True)
    except NotANumber:
        raise NotANumber(
            f"a unit such as 'million', 'billion parameters', 'x 10^23 FLOPs', 'MB', 'GiB', "
            f"'%' or a noun such as 'layers' (got {unit!r})"
        ) from None
    if quantity.percent:
        raise NotANumber(f"'%' alone for percent (got {unit!r})")
    return Unit(unit, quantity.value, quantity.bytes, quantity.word, False)


def unit_problem(unit: str | None) -> str | None:
    """Why a question's unit cannot be read, or None."""
    try:
        parse_unit(unit)
    except NotANumber as exc:
        return str(exc)
    return None


def _shown(value: float, unit: Unit) -> str:
    return format_number(float(f"{value:.6g}"), unit.text or None)


def readings(text: str, unit: str | None) -> list[Reading]:
    """Every sensible reading of `text` in the question's unit, most literal first."""
    try:
        wanted = parse_unit(unit)
    except NotANumber:
        wanted = Unit(unit or "", 1.0, False, "", False)  # shown, not converted
    typed = parse_quantity(text, byte_question=wanted.bytes)
    if wanted.percent:
        if typed.word:
            raise NotANumber(f"{text.strip()!r}: the answer is a percentage, e.g. 65% or 0.65")
        if typed.percent:
            return [Reading(typed.number, "as a percentage")]
        found = [Reading(typed.number, "as a percentage")]
        if -1 <= typed.number <= 1:
            found.append(Reading(typed.number * 100, "as a fraction"))
        return found
    if typed.percent:
        return [Reading(typed.value / 100, "as a percentage")]
    if not typed.word:
        found = [Reading(typed.number, "as written")]
        if wanted.scale >= 1000 and abs(typed.number) >= wanted.scale:
            converted = typed.number / wanted.scale
            how = "as" if typed.scientific else "as a full count:"
            found.append(Reading(converted, f"{how} {_shown(converted, wanted)}"))
        return found
    if typed.bytes != wanted.bytes:
        asked = f"in {wanted.text}" if wanted.text else "a plain number (type it without a unit)"
        what = "bytes" if typed.bytes else f"a count ({typed.word})"
        raise NotANumber(f"{text.strip()!r} is in {what}; the answer is {asked}")
    converted = typed.value / wanted.scale
    if typed.scale == wanted.scale:
        return [Reading(converted, "as written")]
    found = [Reading(converted, f"as {_shown(converted, wanted)}{_byte_note(typed)}")]
    if wanted.binary and _BINARY_OF.get(typed.word) == wanted.word:
        name = _UNIT_NAMES.get(wanted.word, wanted.text)
        found.append(
            Reading(
                typed.number,
                f"as {_shown(typed.number, wanted)}, {typed.word.upper()} "
                f"taken to mean {name} as the question does",
            )
        )
    return found


def _byte_note(typed: Quantity) -> str:
    if typed.word in {"kb", "mb", "gb", "tb"}:
        return f" (1 {typed.word.upper()} = 10^{3 * 'kmgt'.index(typed.word[0]) + 3} bytes)"
    return ""


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
