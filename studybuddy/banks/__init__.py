"""Question banks: the schema, loading with located errors, grading, import and export.

Importing this package is cheap (pydantic and PyYAML); the stemmer, genanki and the demo
registry are imported only by the functions that need them.
"""

from studybuddy.banks.grading import RATINGS, Grade, Rating, confirm, grade
from studybuddy.banks.loader import BankProblem, LoadResult, load_banks, load_bundled_banks
from studybuddy.banks.models import (
    Bank,
    Chapter,
    Cloze,
    KeyPoint,
    Misconception,
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    ShowMe,
    TrueFalse,
)

__all__ = [
    "RATINGS",
    "Bank",
    "BankProblem",
    "Chapter",
    "Cloze",
    "Grade",
    "KeyPoint",
    "Misconception",
    "LoadResult",
    "MultipleChoice",
    "Numeric",
    "Ordering",
    "Question",
    "Rating",
    "ShortAnswer",
    "ShowMe",
    "TrueFalse",
    "confirm",
    "grade",
    "load_banks",
    "load_bundled_banks",
]
