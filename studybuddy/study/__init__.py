"""Study sets: which questions a sitting asks, in what order, and where it stopped (no UI)."""

from studybuddy.study.catalog import Catalog, QuestionRef
from studybuddy.study.resume import ResumeStore
from studybuddy.study.sets import StudySet, review_set, study_set

__all__ = ["Catalog", "QuestionRef", "ResumeStore", "StudySet", "review_set", "study_set"]
