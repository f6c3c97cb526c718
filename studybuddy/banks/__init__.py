"""Question banks: the schema, loading with located errors, and grading."""

from studybuddy.banks.grading import Grade, grade
from studybuddy.banks.loader import BankProblem, LoadResult, load_banks, load_bundled_banks
from studybuddy.banks.models import (
    Bank,
    Chapter,
    Cloze,
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    ShowMe,
    TrueFalse,
)

__all__ = [
    "Bank",
    "BankProblem",
    "Chapter",
    "Cloze",
    "Grade",
    "LoadResult",
    "MultipleChoice",
    "Numeric",
    "Ordering",
    "Question",
    "ShortAnswer",
    "ShowMe",
    "TrueFalse",
    "grade",
    "load_banks",
    "load_bundled_banks",
]
