"""The command palette's own commands: study a chapter, review, resume, open a demo, progress
and report, quiz night. They act through the home screen, as its keys do."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from studybuddy.tui.screens.home import HomeScreen


class StudyBuddyCommands(Provider):
    def _home(self) -> HomeScreen | None:
        from studybuddy.tui.screens.home import HomeScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, HomeScreen):
                return screen
        return None

    def _from_home(self, action: str, chapter_key: str | None = None) -> None:
        """Back to the home screen, then its action (on that chapter's row)."""
        home = self._home()
        if home is None:
            return
        while self.app.screen is not home:
            self.app.pop_screen()
        if chapter_key is not None and chapter_key in home.rows:
            home.table.move_cursor(row=list(home.rows).index(chapter_key))
        getattr(home, f"action_{action}")()

    def _open_demo(self, demo_id: str) -> None:
        from studybuddy.tui.screens.show_me import ShowMeScreen

        self.app.push_screen(ShowMeScreen(demo_id))

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        from studybuddy.demos import all_demos

        commands: list[tuple[str, str, Callable[[], None]]] = [
            (
                "Review due questions",
                "Start a review of what is due",
                partial(self._from_home, "review"),
            ),
            (
                "Resume the open set",
                "Carry on where you stopped",
                partial(self._from_home, "resume"),
            ),
            (
                "Progress and report",
                "Charts, mastery, the report",
                partial(self._from_home, "progress"),
            ),
            ("Quiz night", "Set up a quiz night", partial(self._from_home, "night")),
            ("Demo browser", "Every live computation", partial(self._from_home, "demos")),
        ]
        home = self._home()
        for key, row in (home.rows if home is not None else {}).items():
            commands.append(
                (
                    f"Study {row.title}",
                    row.bank_title,
                    partial(self._from_home, "study", key),
                )
            )
            commands.append(
                (
                    f"Before the meeting: {row.title}",
                    "Its questions met so far, least remembered first",
                    partial(self._from_home, "ahead", key),
                )
            )
        for demo in all_demos().values():
            commands.append(
                (f"Open demo {demo.id}", demo.summary, partial(self._open_demo, demo.id))
            )
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands()[:5]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
