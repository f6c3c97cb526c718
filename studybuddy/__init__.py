"""StudyBuddy: quizzes, spaced repetition and live tensor demos for readers of LLMs-from-scratch."""

__version__ = "0.1.0"
