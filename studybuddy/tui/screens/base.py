"""The base of every StudyBuddy screen: `self.app` typed as the StudyBuddy app it runs in."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from textual import getters

    from studybuddy.tui.app import StudyBuddyApp

ResultType = TypeVar("ResultType")


class StudyScreen(Screen[ResultType]):
    if TYPE_CHECKING:
        # for the type checker only, as Textual itself does: at run time Screen.app returns
        # the running app, always a StudyBuddyApp here (tui.app opens the screens, so importing
        # it at run time would make a cycle)
        app = getters.app(StudyBuddyApp)


class StudyModalScreen(ModalScreen[ResultType], StudyScreen[ResultType]):
    """A dialog over another screen, with the same typed `app`."""
