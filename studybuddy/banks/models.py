"""The question-bank schema: a bank holds chapters, a chapter holds questions of six kinds.

Each question kind is its own model, joined in a discriminated union on `type`, so a bank file
says `type: numeric` and gets exactly the fields a numeric question needs, and a typo in a field
name is an error rather than silently ignored data.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

QuestionId = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9._-]*$",
        description="Stable id, unique across all banks: lower case, digits, '.', '_' and '-'.",
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShowMe(_Strict):
    """The live computation that explains a question's answer (a demo id and its parameters)."""

    demo: str = Field(description="Id of a demo in `studybuddy show`, e.g. 'softmax-scaling'.")
    params: dict[str, Any] = Field(default_factory=dict, description="Parameters for the demo.")


class _QuestionBase(_Strict):
    id: QuestionId
    prompt: str = Field(min_length=1)
    explanation: str = Field(description="Why the answer is right, in our own words.")
    difficulty: Literal[1, 2, 3] = Field(2, description="1 easy, 2 medium, 3 hard.")
    tags: list[str] = Field(default_factory=list)
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

    @property
    def auto_gradable(self) -> bool:
        return True


class MultipleChoice(_QuestionBase):
    """One or several correct options; `answer` holds the correct options' indices (0-based)."""

    type: Literal["mc"] = "mc"
    options: list[str] = Field(min_length=2)
    answer: list[int] = Field(min_length=1, description="Indices of the correct options.")

    @model_validator(mode="after")
    def _answers_among_options(self) -> MultipleChoice:
        for index in self.answer:
            if not 0 <= index < len(self.options):
                raise ValueError(
                    f"answer index {index} is not among the {len(self.options)} options "
                    f"(expected 0..{len(self.options) - 1})"
                )
        if len(set(self.answer)) != len(self.answer):
            raise ValueError("answer lists an option twice")
        return self

    @property
    def several_correct(self) -> bool:
        return len(self.answer) > 1


class TrueFalse(_QuestionBase):
    type: Literal["tf"] = "tf"
    answer: bool


class Numeric(_QuestionBase):
    """A number within `tolerance` of `value`; `unit: '%'` also accepts answers like '65%'."""

    type: Literal["numeric"] = "numeric"
    value: float
    tolerance: float = Field(0.0, description="Largest accepted absolute difference (>= 0).")
    unit: str | None = None

    @field_validator("tolerance")
    @classmethod
    def _tolerance_not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError(f"a tolerance >= 0 (got {value})")
        return value


class KeyPoint(_Strict):
    """One idea a good short answer mentions, with the phrasings that count as mentioning it."""

    point: str
    accept: list[str] = Field(min_length=1, description="Words or phrases that show the point.")


class ShortAnswer(_QuestionBase):
    type: Literal["short"] = "short"
    model_answer: str = Field(min_length=1)
    key_points: list[KeyPoint] = Field(default_factory=list)

    @property
    def auto_gradable(self) -> bool:
        return False


class Cloze(_QuestionBase):
    """`text` has blanks written as `{{1}}`, `{{2}}`…; `blanks[i]` lists accepted fillings."""

    type: Literal["cloze"] = "cloze"
    text: str
    blanks: list[list[str]] = Field(min_length=1)

    @model_validator(mode="after")
    def _blanks_match_text(self) -> Cloze:
        for number in range(1, len(self.blanks) + 1):
            if f"{{{{{number}}}}}" not in self.text:
                raise ValueError(f"text to contain the blank {{{{{number}}}}}")
        if any(not variants for variants in self.blanks):
            raise ValueError("at least one accepted answer for every blank")
        return self


class Ordering(_QuestionBase):
    """`steps` are written in the correct order; the quiz shuffles them."""

    type: Literal["ordering"] = "ordering"
    steps: list[str] = Field(min_length=2)


Question = Annotated[
    MultipleChoice | TrueFalse | Numeric | ShortAnswer | Cloze | Ordering,
    Field(discriminator="type"),
]

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
    title: str
    source: str | None = Field(None, description="e.g. 'Build a LLM from Scratch, ch. 3'.")
    questions: list[Question] = Field(default_factory=list)


class Bank(_Strict):
    id: QuestionId
    title: str
    source: Literal["book", "course", "notes"]
    version: int = Field(1, ge=1, description="Bump when questions change meaning.")
    description: str | None = None
    chapters: list[Chapter] = Field(min_length=1)

    def questions(self) -> list[Any]:
        return [q for chapter in self.chapters for q in chapter.questions]

    def chapter(self, chapter_id: str) -> Chapter:
        for chapter in self.chapters:
            if chapter.id == chapter_id:
                return chapter
        raise KeyError(chapter_id)
