"""The one error quiz-night code raises: its message is a sentence for the players."""

from __future__ import annotations

from studybuddy.errors import StudyBuddyError


class NightError(StudyBuddyError):
    """Bad input or a state that does not allow the step (a finished night, a full room)."""
