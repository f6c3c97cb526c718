"""The StudyBuddy app opened straight at a quiz-night screen (`studybuddy night …`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.screen import Screen

from studybuddy.tui.app import StudyBuddyApp


class NightApp(StudyBuddyApp):
    """Starts at the screen `entry` builds instead of home; leaving that screen quits."""

    def __init__(
        self,
        database: str,
        profile: str | None,
        entry: Callable[[StudyBuddyApp], Screen],
        banks_dir: Path | None = None,
        podium_size: int | None = None,
    ) -> None:
        super().__init__(database=database, profile=profile, banks_dir=banks_dir)
        self.entry = entry
        # places on the projector's final podium (`night host --podium N`); None: the default
        self.podium_size = podium_size
        self.night_entry: Screen | None = None

    def first_screen(self) -> Screen:
        self.night_entry = self.entry(self)
        return self.night_entry
