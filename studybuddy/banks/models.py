"""The question-bank schema: a bank holds chapters, a chapter holds questions of six kinds.

Each question kind is its own model, joined in a discriminated union on `type`, so a bank file
says `type: numeric` and gets exactly the fields a numeric question needs, and a typo in a field
name is an error rather than silently ignored data.

Checks that compare two fields of a question (an MC answer against its options, cloze blanks
against the text) are field validators rather than model validators: pydantic then still runs
them when another field of the same question is wrong, so an author sees every problem at once.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

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

    @property
    def auto_gradable(self) -> bool:
        return True

    def answer_text(self) -> str:  # pragma: no cover - every type overrides
        """The right answer in words, as feedback and the quiz-night reveal show it."""
        raise NotImplementedError

    # A quiz night's projector draws a tile per choice, and counts the room's picks per tile.
    # Questions answered by typing or arranging have no choices (and count as right or wrong).
    def choices(self) -> list[str]:
        """The labels a player picks among, in the order their keys number them."""
        return []

    def right_choices(self) -> set[int]:
        """Indices (into `choices()`) of the right choices."""
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

    def answer_text(self) -> str:
        return "; ".join(self.options[i] for i in self.answer)

    def choices(self) -> list[str]:
        return list(self.options)

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

    def choices(self) -> list[str]:
        return ["True", "False"]

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

    def answer_text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        margin = f" (± {self.tolerance:g})" if self.tolerance else ""
        return f"{self.value:g}{unit}{margin}"


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


class Cloze(_QuestionBase):
    """`text` has blanks written as `{{1}}`, `{{2}}`…; `blanks[i]` lists accepted fillings."""

    type: Literal["cloze"] = "cloze"
    text: str = Field(min_length=1)
    blanks: list[list[str]] = Field(min_length=1)

    label: ClassVar[str] = "fill in the blanks"

    def answer_text(self) -> str:
        return " · ".join(f"({n}) {variants[0]}" for n, variants in enumerate(self.blanks, 1))

    def gapped(self, gap: Callable[[int], str], text: Callable[[str], str] = str) -> str:
        """The text with each blank `{{n}}` shown as `gap(n)`; `text` (an escape, say) is
        applied to the words around the blanks, not to the gaps."""
        parts = BLANK.split(self.text)  # words, blank number, words, blank number, …, words
        return "".join(gap(int(part)) if i % 2 else text(part) for i, part in enumerate(parts))

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

    def shown_order(self) -> list[int]:
        """The order the steps are shown in: the same for a question everywhere (quiz, quiz
        night, Anki), and never already right, which would give the answer away."""
        order = list(range(len(self.steps)))
        shuffler = random.Random(self.id)
        while order == sorted(order):
            shuffler.shuffle(order)
        return order


Question = Annotated[
    MultipleChoice | TrueFalse | Numeric | ShortAnswer | Cloze | Ordering,
    Field(discriminator="type"),
]
AnyQuestion = MultipleChoice | TrueFalse | Numeric | ShortAnswer | Cloze | Ordering

QUESTION_TYPES: dict[str, type[BaseModel]] = {
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
