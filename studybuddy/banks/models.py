"""The question-bank schema: a bank holds chapters, a chapter holds questions of six kinds.

Each question kind is its own model, joined in a discriminated union on `type`, so a bank file
says `type: numeric` and gets exactly the fields a numeric question needs, and a typo in a field
name is an error rather than silently ignored data.

Checks that compare two fields of a question (an MC answer against its options, cloze blanks
against the text) are field validators rather than model validators: pydantic then still runs
them when another field of the same question is wrong, so an author sees every problem at once.

What a type does beyond its fields lives on its model too, so every screen, command and format
asks the question rather than testing its type: what it shows (`choices`, `shown_text`,
`answer_hint`), how a typed line is read (`read_typed`), what a learner sees after answering
(`review`), its right answer in words (`answer_text`, `answer_lines`) and its cells in the CSV
and Markdown formats (`cells`, `fields_from_cells`).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from studybuddy.banks.cells import (
    INLINE_BLANK,
    LETTERS,
    FormatError,
    Loose,
    format_key_points,
    format_misconceptions,
    format_number_exactly,
    indices_to_letters,
    inline_cloze,
    letters_to_indices,
    parse_key_points,
    parse_misconceptions,
)
from studybuddy.banks.numbers import NotANumber, format_number, parse_number, readings
from studybuddy.errors import StudyBuddyError

QuestionId = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9._-]*$",
        description="Stable id, unique across all banks: lower case, digits, '.', '_' and '-'.",
    ),
]
Tag = Annotated[
    str,
    Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Lower case, words joined by '-'."),
]

BLANK = re.compile(r"\{\{(\d+)\}\}")
_ITEMS = re.compile(r"[\s,;/]+")  # between the numbers or letters of a typed list


def drawn_gap(number: int) -> str:
    """A blank as the quiz, quiz night and feedback draw it."""
    return f"__({number})__"


class NotAnAnswer(StudyBuddyError, ValueError):
    """Typed text that cannot be read as an answer to the question; the message says what would."""


Mark = Literal["right", "wrong", "missed", ""]


@dataclass(frozen=True)
class ReviewRow:
    """One line of what a learner sees after answering: a choice, a step or a blank.

    `mark` is "right" for a choice picked (a step placed, a blank filled) right, "wrong" for one
    picked wrong, "missed" for a right choice not picked, "" for a choice left alone rightly;
    `yours` is what the learner gave in its place, where that differs.
    """

    text: str
    mark: Mark = ""
    yours: str = ""


@dataclass(frozen=True)
class Review:
    rows: list[ReviewRow]
    note: str = ""  # one sentence on the rows as a whole (what a partial answer got wrong)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShowMe(_Strict):
    """The live computation that explains a question's answer (a demo id and its parameters)."""

    demo: str = Field(description="Id of a demo in `studybuddy show`, e.g. 'softmax-scaling'.")
    params: dict[str, Any] = Field(default_factory=dict, description="Parameters for the demo.")


def _type_is_required(schema: dict[str, Any]) -> None:
    # `type` has a default so code can build a question without naming it, but in a bank file
    # it picks the question kind, so editors should ask for it.
    if "type" in schema.get("properties", {}):
        schema["required"] = ["type", *schema.get("required", [])]


class _QuestionBase(_Strict):
    model_config = ConfigDict(json_schema_extra=_type_is_required)

    id: QuestionId
    prompt: str = Field(min_length=1)
    explanation: str = Field(description="Why the answer is right, in our own words.")
    difficulty: Literal[1, 2, 3] = Field(2, description="1 easy, 2 medium, 3 hard.")
    tags: list[Tag] = Field(default_factory=list)
    source: str | None = Field(
        None, description="Where the reader can look it up, e.g. 'p. 59' or 'ch. 4'."
    )
    show_me: ShowMe | None = None

    @field_validator("explanation")
    @classmethod
    def _explanation_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("an explanation of why the answer is right (it is empty)")
        return value

    # What the quiz calls questions of this type ("multiple choice"); every type sets it.
    label: ClassVar[str] = ""
    # True where the grader's feedback states the right answer itself, as numbers' does (with
    # how the reply was read), so feedback shows that instead of its own answer line
    grader_states_answer: ClassVar[bool] = False

    @property
    def auto_gradable(self) -> bool:
        return True

    @property
    def single_pick(self) -> bool:
        """Answered by picking one of `choices()` (one key press on a quiz night's hot seat)."""
        return False

    @property
    def source_note(self) -> str | None:
        """The source to show beside the explanation; None when there is none or the
        explanation already names it (a "(p. 52)" there and a "Source: p. 52" under it)."""
        if not self.source or self.source.casefold() in self.explanation.casefold():
            return None
        return self.source

    def answer_text(self) -> str:  # pragma: no cover - every type overrides
        """The right answer in words, as feedback and the quiz-night reveal show it."""
        raise NotImplementedError

    def answer_lines(self) -> list[str]:
        """The right answer as lines (the back of an Anki card)."""
        return [self.answer_text()]

    # -- shown and typed ---------------------------------------------------------------------
    def choices(self) -> list[str]:
        """What the learner picks from or puts in order, in the order shown, numbered from 1
        wherever it is shown; empty for a type answered in words."""
        return []

    def shown_text(
        self, gap: Callable[[int], str] = drawn_gap, text: Callable[[str], str] = str
    ) -> str | None:
        """A text to fill in, with its blanks drawn by `gap` (and `text`, an escape say,
        applied around them); None for a type without one."""
        return None

    def answer_hint(self) -> str:
        """A few words under the question on what kind of answer it takes; "" if the
        choices say it."""
        return ""

    def how_to_type(self) -> str:
        """How to type the answer on one line (the plain-text night and `review --ahead`)."""
        return "Type your answer."

    def read_typed(self, text: str, *, as_shown: bool = False) -> Any:
        """The grader's response for one typed line; NotAnAnswer says how to type it.

        Numbers in `text` count the choices as `choices()` lists them when `as_shown` (the
        reader saw that list), and as the bank writes them otherwise (`banks try`)."""
        return text

    def review(self, response: Any) -> Review:
        """What a learner sees of their answer after it is graded, beside the right one."""
        return Review([])

    # -- the CSV and Markdown formats ----------------------------------------------------------
    def cells(self) -> dict[str, Any]:  # pragma: no cover - every type overrides
        """This type's fields as `Loose` cells (the inverse of `fields_from_cells`)."""
        raise NotImplementedError

    @classmethod
    def fields_from_cells(cls, cells: Loose) -> dict[str, Any]:  # pragma: no cover
        """This type's fields from a format's cells; FormatError names a cell it cannot read."""
        raise NotImplementedError

    # A quiz night's projector draws a tile per choice of a question answered by picking, and
    # counts the room's picks per tile; an ordering's steps are arranged, not picked.
    def right_choices(self) -> set[int]:
        """Indices (into `choices()`) of the right picks; empty for a type not answered by
        picking (typed, or arranged like an ordering)."""
        return set()

    def chosen(self, response: Any) -> set[int]:
        """The choices a graded `response` picked; empty for a response that picks none."""
        return set()


def _no_repeats(values: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    for value in values:
        key = " ".join(value.casefold().split())
        if key in seen:
            raise ValueError(f"{what} that differ from each other ({value!r} is listed twice)")
        seen.add(key)
    return values


def _numbered(text: str, count: int) -> list[int] | None:
    """The 0-based indices of typed numbers 1..count ("2 1 3", "1,3"); None if any is not one."""
    items = [item.rstrip(").") for item in _ITEMS.split(text.strip()) if item]
    if not all(item.isdigit() and 1 <= int(item) <= count for item in items):
        return None
    return [int(item) - 1 for item in items]


class MultipleChoice(_QuestionBase):
    """One or several correct options; `answer` holds the correct options' indices (0-based)."""

    type: Literal["mc"] = "mc"
    options: list[str] = Field(min_length=2)
    answer: list[int] = Field(min_length=1, description="Indices of the correct options (0-based).")

    @field_validator("options")
    @classmethod
    def _options_differ(cls, options: list[str]) -> list[str]:
        return _no_repeats(options, "options")

    @field_validator("answer")
    @classmethod
    def _answers_among_options(cls, answer: list[int], info: ValidationInfo) -> list[int]:
        options = info.data.get("options")
        if options is None:  # the options are wrong themselves; that error is reported
            return answer
        last = len(options) - 1
        for index in answer:
            if not 0 <= index <= last:
                raise ValueError(
                    f"option indices 0..{last} for the {len(options)} options (got {index})"
                )
        if len(set(answer)) != len(answer):
            raise ValueError("each correct option listed once")
        return answer

    label: ClassVar[str] = "multiple choice"

    @property
    def several_correct(self) -> bool:
        return len(self.answer) > 1

    @property
    def single_pick(self) -> bool:
        return not self.several_correct

    def answer_text(self) -> str:
        return "; ".join(self.options[i] for i in self.answer)

    def answer_lines(self) -> list[str]:
        return [f"{LETTERS[i]}. {self.options[i]}" for i in self.answer]

    def choices(self) -> list[str]:
        return list(self.options)

    def answer_hint(self) -> str:
        return "Select every correct option." if self.several_correct else ""

    def how_to_type(self) -> str:
        if self.several_correct:
            return "Several are right: type all their numbers, e.g. 1,3"
        return f"Type the number of your answer (1-{len(self.options)})."

    def read_typed(self, text: str, *, as_shown: bool = False) -> list[int]:
        """Option numbers or letters: "2", "1,3", "1 3", "B", "a c"."""
        count = len(self.options)
        letters = LETTERS[:count].casefold()
        expected = f"option numbers 1-{count} or letters A-{letters[-1].upper()}, e.g. '1,3'"
        items = [item.rstrip(").") for item in _ITEMS.split(text.strip().casefold()) if item]
        if not items:
            raise NotAnAnswer(f"No option chosen: type {expected}")
        chosen = []
        for item in items:
            if item.isdigit() and 1 <= int(item) <= count:
                chosen.append(int(item) - 1)
            elif len(item) == 1 and item in letters:
                chosen.append(letters.index(item))
            else:
                raise NotAnAnswer(f"{item!r} is not an option: type {expected}")
        if len(set(chosen)) != len(chosen):
            raise NotAnAnswer("Each option once, please")
        if len(chosen) > 1 and not self.several_correct:
            raise NotAnAnswer("Type one option: this question has a single right answer")
        return sorted(chosen)

    def review(self, response: list[int] | int) -> Review:
        """Every option in its place, marked: picked right, picked wrong, right but not picked."""
        chosen = {response} if isinstance(response, int) else set(response)
        right = set(self.answer)
        # a right option left alone: one of several to pick, or the one right answer
        unpicked = "not picked" if self.several_correct else "the right answer"
        rows = []
        for index, option in enumerate(self.options):
            text = f"{index + 1}. {option}"
            if index in chosen:
                rows.append(
                    ReviewRow(
                        text,
                        "right" if index in right else "wrong",
                        "" if index in right else "your pick",
                    )
                )
            else:
                rows.append(
                    ReviewRow(text, "missed", unpicked) if index in right else ReviewRow(text)
                )
        hits, wrong, missed = len(chosen & right), len(chosen - right), len(right - chosen)
        if not hits or not (wrong or missed):
            return Review(rows)
        found = f"You picked {hits} of the {len(right)} right options"
        if wrong:
            found += f" and {wrong} wrong one{'s' if wrong != 1 else ''}"
        return Review(rows, found + ".")

    def cells(self) -> dict[str, Any]:
        return {
            "options": list(self.options),
            "correct": list(self.answer),
            "answer": indices_to_letters(list(self.answer)),
        }

    @classmethod
    def fields_from_cells(cls, cells: Loose) -> dict[str, Any]:
        if not cells.correct and not cells.answer.strip():
            raise FormatError(
                "answer", "a correct option: tick it with '- [x]', or give its letter such as 'B'"
            )
        answer = cells.correct or letters_to_indices(cells.answer)
        if cells.options and max(answer) >= len(cells.options):
            last, got = LETTERS[len(cells.options) - 1], LETTERS[max(answer)]
            raise FormatError("answer", f"option letters A..{last} (got {got})")
        return {"options": cells.options, "answer": answer}

    def right_choices(self) -> set[int]:
        return set(self.answer)

    def chosen(self, response: Any) -> set[int]:
        picked = [response] if isinstance(response, int) else response
        if not isinstance(picked, list):
            return set()
        # a bool is an int to Python, but True is no pick of option 1
        return {
            i
            for i in picked
            if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(self.options)
        }


class TrueFalse(_QuestionBase):
    type: Literal["tf"] = "tf"
    answer: bool

    label: ClassVar[str] = "true or false"
    # the words a typed reply may use, for the grader and the quiz night's console alike
    TRUE_WORDS: ClassVar[frozenset[str]] = frozenset({"true", "t", "yes", "y"})
    FALSE_WORDS: ClassVar[frozenset[str]] = frozenset({"false", "f", "no", "n"})

    @classmethod
    def read(cls, text: str) -> bool | None:
        """A typed true or false (any case, surrounding spaces ignored); None for anything else."""
        word = text.strip().casefold()
        if word in cls.TRUE_WORDS:
            return True
        if word in cls.FALSE_WORDS:
            return False
        return None

    def answer_text(self) -> str:
        return "True" if self.answer else "False"

    @property
    def single_pick(self) -> bool:
        return True

    def choices(self) -> list[str]:
        return ["True", "False"]

    def answer_hint(self) -> str:
        return "True or false?"

    def how_to_type(self) -> str:
        return "Type t (true) or f (false)."

    def read_typed(self, text: str, *, as_shown: bool = False) -> bool:
        """The words of `read`, or the numbers of the choices True (1) and False (2)."""
        answer = {"1": True, "2": False}.get(text.strip(), self.read(text))
        if answer is None:
            shown = repr(text.strip()) if text.strip() else "An empty reply"
            raise NotAnAnswer(
                f"{shown} is not an answer: type true or false, t (true) or f (false)"
            )
        return answer

    def cells(self) -> dict[str, Any]:
        return {"answer": "true" if self.answer else "false"}

    @classmethod
    def fields_from_cells(cls, cells: Loose) -> dict[str, Any]:
        word = cells.answer.strip().lower()
        if word not in ("true", "false"):
            raise FormatError("answer", f"true or false (got {cells.answer.strip()!r})")
        return {"answer": word == "true"}

    def right_choices(self) -> set[int]:
        return {0 if self.answer else 1}

    def chosen(self, response: Any) -> set[int]:
        value = self.read(response) if isinstance(response, str) else response
        return {0 if value else 1} if isinstance(value, bool) else set()


class Numeric(_QuestionBase):
    """A number within `tolerance` of `value`.

    With `unit: '%'` the value is in percent (65 for 65 %); see `numbers.parse_answer` for how a
    learner's '65%', '0.65' and '65' are read.
    """

    type: Literal["numeric"] = "numeric"
    value: float
    tolerance: float = Field(0.0, description="Largest accepted absolute difference (>= 0).")
    unit: str | None = Field(None, description="Shown after the number; '%' means percent.")

    @field_validator("value")
    @classmethod
    def _value_finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"a finite number (got {value})")
        return value

    label: ClassVar[str] = "number"

    @field_validator("tolerance")
    @classmethod
    def _tolerance_not_negative(cls, value: float) -> float:
        if not value >= 0 or not math.isfinite(value):
            raise ValueError(f"a tolerance >= 0 (got {value})")
        return value

    grader_states_answer: ClassVar[bool] = True

    def answer_text(self) -> str:
        margin = f" (± {format_number(self.tolerance)})" if self.tolerance else ""
        return f"{format_number(self.value, self.unit)}{margin}"

    def answer_hint(self) -> str:
        return f"Answer with a number in {self.unit}." if self.unit else "Answer with a number."

    def how_to_type(self) -> str:
        return f"Type a number (in {self.unit})." if self.unit else "Type a number."

    def read_typed(self, text: str, *, as_shown: bool = False) -> str:
        """The text itself, once it reads as a number (see `numbers`)."""
        try:
            readings(text, self.unit)
        except NotANumber as exc:
            raise NotAnAnswer(str(exc)) from None
        return text

    def cells(self) -> dict[str, Any]:
        return {
            "answer": format_number_exactly(self.value),
            "tolerance": format_number_exactly(self.tolerance) if self.tolerance else "",
            "unit": self.unit or "",
        }

    @classmethod
    def fields_from_cells(cls, cells: Loose) -> dict[str, Any]:
        try:
            value, percent = parse_number(cells.answer)
        except NotANumber as exc:
            raise FormatError("answer", str(exc)) from None
        data: dict[str, Any] = {"value": value}
        if cells.tolerance.strip():
            try:
                data["tolerance"] = parse_number(cells.tolerance)[0]
            except NotANumber as exc:
                raise FormatError("tolerance", str(exc)) from None
        if cells.unit.strip() or percent:
            data["unit"] = cells.unit.strip() or "%"
        return data


PHRASE_GAP = " ... "  # in a phrase: the parts around it in this order, within one clause

_PHRASE_HELP = (
    "Words or phrases that show the point. ' ... ' between parts means 'these parts in this "
    "order within one clause' (e.g. 'bert ... encoder', 'pretrain ... before ... fine-tun')."
)


def _phrases_well_formed(phrases: list[str]) -> list[str]:
    for phrase in phrases:
        if not phrase.strip():
            raise ValueError("phrases with at least one word (one is empty)")
        if any(not part.strip() for part in phrase.strip().split(PHRASE_GAP)):
            raise ValueError(f"words on both sides of each '...' (got {phrase!r})")
    return phrases


class KeyPoint(_Strict):
    """One idea a good short answer mentions, with the phrasings that count as mentioning it."""

    point: str = Field(min_length=1)
    accept: list[str] = Field(min_length=1, description=_PHRASE_HELP)

    @field_validator("accept")
    @classmethod
    def _phrases_not_blank(cls, accept: list[str]) -> list[str]:
        return _phrases_well_formed(accept)


class Misconception(_Strict):
    """A wrong claim learners make; an answer that states it contradicts `point`."""

    point: str = Field(min_length=1, description="The `point` of the key point it contradicts.")
    match: list[str] = Field(
        min_length=1, description="Phrases that state the wrong claim (same syntax as `accept`)."
    )
    why: str = Field(
        min_length=1, description="One sentence shown to the learner: why it is wrong."
    )

    @field_validator("match")
    @classmethod
    def _phrases_not_blank(cls, match: list[str]) -> list[str]:
        return _phrases_well_formed(match)


class ShortAnswer(_QuestionBase):
    type: Literal["short"] = "short"
    model_answer: str = Field(min_length=1)
    key_points: list[KeyPoint] = Field(default_factory=list)
    misconceptions: list[Misconception] = Field(
        default_factory=list, description="Wrong claims that mark a key point contradicted."
    )

    @field_validator("misconceptions")
    @classmethod
    def _misconceptions_name_points(
        cls, misconceptions: list[Misconception], info: ValidationInfo
    ) -> list[Misconception]:
        points = info.data.get("key_points")
        if points is None:  # the key points are wrong themselves; that error is reported
            return misconceptions
        names = [p.point for p in points]
        for misconception in misconceptions:
            if misconception.point not in names:
                known = "; ".join(repr(n) for n in names) or "none"
                raise ValueError(
                    f"the point of one of the key points (no key point {misconception.point!r};"
                    f" they are {known})"
                )
        return misconceptions

    label: ClassVar[str] = "short answer"

    @property
    def auto_gradable(self) -> bool:
        return False

    def answer_text(self) -> str:
        return self.model_answer

    def answer_lines(self) -> list[str]:
        points = "; ".join(p.point for p in self.key_points)
        return [self.model_answer, *([f"Key points: {points}"] if points else [])]

    def answer_hint(self) -> str:
        return "Answer in your own words."

    def cells(self) -> dict[str, Any]:
        return {
            "answer": self.model_answer,
            "key_points": format_key_points(list(self.key_points)),
            "misconceptions": format_misconceptions(list(self.misconceptions)),
        }

    @classmethod
    def fields_from_cells(cls, cells: Loose) -> dict[str, Any]:
        data: dict[str, Any] = {
            "model_answer": cells.answer.strip(),
            "key_points": parse_key_points(cells.key_points),
        }
        if cells.misconceptions:
            data["misconceptions"] = parse_misconceptions(cells.misconceptions)
        return data


class Cloze(_QuestionBase):
    """`text` has blanks written as `{{1}}`, `{{2}}`…; `blanks[i]` lists accepted fillings."""

    type: Literal["cloze"] = "cloze"
    text: str = Field(min_length=1)
    blanks: list[list[str]] = Field(min_length=1)

    label: ClassVar[str] = "fill in the blanks"

    def answer_text(self) -> str:
        return " · ".join(f"({n}) {variants[0]}" for n, variants in enumerate(self.blanks, 1))

    def answer_lines(self) -> list[str]:
        return [f"{n}: {' / '.join(variants)}" for n, variants in enumerate(self.blanks, 1)]

    @staticmethod
    def accepts(fill: str, variants: list[str]) -> bool:
        """Whether a filling is one of a blank's variants; case, surrounding and repeated
        whitespace and surrounding quotes or backticks do not count."""
        return _normalised_fill(fill) in {_normalised_fill(v) for v in variants}

    def gapped(
        self, gap: Callable[[int], str] = drawn_gap, text: Callable[[str], str] = str
    ) -> str:
        """The text with each blank `{{n}}` shown as `gap(n)`; `text` (an escape, say) is
        applied to the words around the blanks, not to the gaps."""
        parts = BLANK.split(self.text)  # words, blank number, words, blank number, …, words
        return "".join(gap(int(part)) if i % 2 else text(part) for i, part in enumerate(parts))

    def shown_text(
        self, gap: Callable[[int], str] = drawn_gap, text: Callable[[str], str] = str
    ) -> str | None:
        return self.gapped(gap, text)

    def how_to_type(self) -> str:
        if len(self.blanks) > 1:
            return f"Fill the {len(self.blanks)} blanks, separated by |"
        return "Fill the blank."

    def read_typed(self, text: str, *, as_shown: bool = False) -> list[str]:
        """One filling per blank, separated by "|" ("query | key"); one blank takes the line."""
        count = len(self.blanks)
        fills = [part.strip() for part in text.split("|")] if count > 1 else [text.strip()]
        if len(fills) != count or not any(fills):
            raise NotAnAnswer(
                f"Fill the {count} blanks, separated by '|'" if count > 1 else "Fill the blank"
            )
        return fills

    def review(self, response: list[str] | str) -> Review:
        given = [response] if isinstance(response, str) else list(response)
        given += [""] * (len(self.blanks) - len(given))
        rows = []
        for number, (fill, variants) in enumerate(zip(given, self.blanks, strict=False), 1):
            ok = self.accepts(fill, variants)
            yours = "" if ok else f"you wrote “{fill.strip()}”" if fill.strip() else "left empty"
            rows.append(
                ReviewRow(f"{drawn_gap(number)} {variants[0]}", "right" if ok else "wrong", yours)
            )
        return Review(rows)

    def cells(self) -> dict[str, Any]:
        def answers(match: re.Match[str]) -> str:
            return "{{" + "|".join(self.blanks[int(match.group(1)) - 1]) + "}}"

        return {"answer": BLANK.sub(answers, self.text)}

    @classmethod
    def fields_from_cells(cls, cells: Loose) -> dict[str, Any]:
        """The sentence with its answers inline, in the answer cell or else in the prompt."""
        inline = cells.answer if INLINE_BLANK.search(cells.answer) else cells.prompt
        text, blanks = inline_cloze(inline.strip())
        data: dict[str, Any] = {"text": text, "blanks": blanks}
        if inline is cells.prompt:
            data["prompt"] = "Fill in the blank." if len(blanks) == 1 else "Fill in the blanks."
        return data

    @field_validator("blanks")
    @classmethod
    def _blanks_match_text(cls, blanks: list[list[str]], info: ValidationInfo) -> list[list[str]]:
        for number, variants in enumerate(blanks, start=1):
            if not variants or any(not v.strip() for v in variants):
                blank = f"{{{{{number}}}}}"
                raise ValueError(f"at least one non-empty accepted answer for blank {blank}")
        text = info.data.get("text")
        if text is None:
            return blanks
        in_text = sorted({int(n) for n in BLANK.findall(text)})
        wanted = list(range(1, len(blanks) + 1))
        if in_text != wanted:
            written = ", ".join(f"{{{{{n}}}}}" for n in in_text) or "none"
            raise ValueError(
                f"one list of answers per blank {{{{1}}}}..{{{{{len(blanks)}}}}} in the text "
                f"(text has {written}, blanks has {len(blanks)})"
            )
        return blanks


class Ordering(_QuestionBase):
    """`steps` are written in the correct order; the quiz shuffles them."""

    type: Literal["ordering"] = "ordering"
    steps: list[str] = Field(min_length=2)

    label: ClassVar[str] = "put in order"

    @field_validator("steps")
    @classmethod
    def _steps_differ(cls, steps: list[str]) -> list[str]:
        return _no_repeats(steps, "steps")

    def answer_text(self) -> str:
        return " → ".join(self.steps)

    def answer_lines(self) -> list[str]:
        return [f"{n}. {step}" for n, step in enumerate(self.steps, 1)]

    def choices(self) -> list[str]:
        return [self.steps[i] for i in self.shown_order()]

    def answer_hint(self) -> str:
        return "Put the steps in order."

    def how_to_type(self) -> str:
        return "Type the numbers in the right order, e.g. 2 3 1"

    def read_typed(self, text: str, *, as_shown: bool = False) -> list[int]:
        """Step numbers in the learner's order ("2 1 3"): of the steps as shown when
        `as_shown`, else as the bank writes them (1 = the first step, the right one)."""
        count = len(self.steps)
        expected = f"each step number 1-{count} once, in your order (e.g. '2 1 3')"
        order = _numbered(text, count)
        if order is None:
            raise NotAnAnswer(f"{text.strip()!r} is not an order of steps: type {expected}")
        if sorted(order) != list(range(count)):
            raise NotAnAnswer(f"Not an order of all {count} steps: type {expected}")
        if as_shown:
            shown = self.shown_order()
            order = [shown[i] for i in order]
        return order

    def review(self, response: list[int]) -> Review:
        """The right order, numbered, with where the learner put each step beside it."""
        placed = {step: place for place, step in enumerate(response)}
        rows = []
        for index, step in enumerate(self.steps):
            place = placed.get(index)
            ok = place == index
            yours = "" if ok or place is None else f"you put it {_ordinal(place + 1)}"
            rows.append(ReviewRow(f"{index + 1}. {step}", "right" if ok else "wrong", yours))
        if all(row.mark == "right" for row in rows):
            return Review(rows)
        return Review(rows, "The right order, and where you put each step:")

    def cells(self) -> dict[str, Any]:
        return {"steps": list(self.steps)}

    @classmethod
    def fields_from_cells(cls, cells: Loose) -> dict[str, Any]:
        return {"steps": cells.steps or cells.options}

    def shown_order(self) -> list[int]:
        """The order the steps are shown in: the same for a question everywhere (quiz, quiz
        night, Anki), and never already right, which would give the answer away."""
        order = list(range(len(self.steps)))
        shuffler = random.Random(self.id)
        while order == sorted(order):
            shuffler.shuffle(order)
        return order


def _normalised_fill(text: str) -> str:
    return " ".join(text.strip().strip("`'\"“”‘’").split()).casefold()


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


Question = Annotated[
    MultipleChoice | TrueFalse | Numeric | ShortAnswer | Cloze | Ordering,
    Field(discriminator="type"),
]
AnyQuestion = MultipleChoice | TrueFalse | Numeric | ShortAnswer | Cloze | Ordering

QUESTION_TYPES: dict[str, type[AnyQuestion]] = {
    "mc": MultipleChoice,
    "tf": TrueFalse,
    "numeric": Numeric,
    "short": ShortAnswer,
    "cloze": Cloze,
    "ordering": Ordering,
}


class Chapter(_Strict):
    id: QuestionId
    title: str = Field(min_length=1)
    source: str | None = Field(None, description="e.g. 'Build a LLM from Scratch, ch. 3'.")
    questions: list[Question] = Field(default_factory=list)


class Bank(_Strict):
    id: QuestionId
    title: str = Field(min_length=1)
    short_title: str | None = Field(
        None,
        min_length=1,
        max_length=16,
        description="A few words for narrow lists, e.g. 'Book ch. 1-3'.",
    )
    source: Literal["book", "course", "notes"]
    version: int = Field(1, ge=1, description="Bump when questions change meaning.")
    description: str | None = None
    pages_from: str | None = Field(
        None,
        min_length=1,
        description=(
            "The document whose page numbers this bank's 'p. N' references give, e.g. 'the "
            "reading-group notes'. Without it a page reference is an error: name the chapter."
        ),
    )
    chapters: list[Chapter] = Field(min_length=1)

    def questions(self) -> list[Any]:
        return [q for chapter in self.chapters for q in chapter.questions]

    def chapter(self, chapter_id: str) -> Chapter:
        for chapter in self.chapters:
            if chapter.id == chapter_id:
                return chapter
        raise KeyError(chapter_id)
