"""The one exception the engine raises for bad input, phrased so the CLI can print it as is."""

from __future__ import annotations

from studybuddy.errors import StudyBuddyError


class EngineError(StudyBuddyError, ValueError):
    """Bad input to the engine (unknown preset, wrong checkpoint, too little text): one line that
    names what was expected."""
