"""The base of every StudyBuddy screen: `self.app` typed as the StudyBuddy app it runs in."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual import events, on
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

if TYPE_CHECKING:
    from textual import getters

    from studybuddy.tui.app import StudyBuddyApp

ResultType = TypeVar("ResultType")

# below this width footers go compact and leave out the palette hint, so that every key fits
# at 80 columns (Ctrl+P still opens the palette, and ? lists every key)
NARROW = 100


class StudyScreen(Screen[ResultType]):
    if TYPE_CHECKING:
        # for the type checker only, as Textual itself does: at run time Screen.app returns
        # the running app, always a StudyBuddyApp here (tui.app opens the screens, so importing
        # it at run time would make a cycle)
        app = getters.app(StudyBuddyApp)

    @on(events.Resize)
    def _fit_footer(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        for footer in self.query(Footer):
            footer.compact = narrow
            footer.show_command_palette = not narrow


class StudyModalScreen(ModalScreen[ResultType], StudyScreen[ResultType]):
    """A dialog over another screen, with the same typed `app`."""
