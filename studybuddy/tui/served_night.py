"""The app a browser gets from `night serve CODE --lan`: one room's join-and-play screen, nothing
else.

It is not the StudyBuddy app: no home screen, no command palette, no learner, no file paths,
so a guest on the network sees the night and never the host's study data. Getting in takes the
room code (a few wrong codes close the page) and a name nobody in the room has. A player's
secret token stays in this app process (the process of that browser tab): the token file
belongs to the host's own user, and every browser's process runs as that user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from studybuddy.errors import StudyBuddyError
from studybuddy.night.errors import NightError
from studybuddy.night.room import Night, normalise_code
from studybuddy.store.errors import translated_errors
from studybuddy.tui.screens.night_player import NightPlayerScreen

if TYPE_CHECKING:
    from studybuddy.night.records import Player
    from studybuddy.store import Store

MAX_CODE_TRIES = 5  # wrong room codes before the page closes: guessing means reloading
NOT_OPEN = "This room is not open (the night may have finished); ask the host."


class GuestNight(Night):
    """A night whose database errors name no file: a guest on the network must not learn where
    the host keeps their data."""

    def _guard(self):  # type: ignore[no-untyped-def]  # as Night's own
        return translated_errors("the night's database")


class ServedPlayerScreen(NightPlayerScreen):
    def action_leave(self) -> None:
        # back to the join screen: the same name rejoins from this page with its score
        self.dismiss()


class JoinScreen(Screen[None]):
    DEFAULT_CSS = """
    JoinScreen { align: center top; }
    JoinScreen #join-box { width: 60; max-width: 100%; height: auto; padding: 1 2; }
    JoinScreen Input { margin: 0 0 1 0; }
    JoinScreen #join-error { height: auto; color: $error; }
    """
    BINDINGS = [Binding("ctrl+q", "app.quit", "Leave")]

    def __init__(self, teams: bool) -> None:
        super().__init__()
        self.teams = teams

    def compose(self) -> ComposeResult:
        with Vertical(id="join-box"):
            yield Static("[b]StudyBuddy quiz night[/]\n")
            yield Label("Room code (on the host's screen)")
            yield Input(id="join-code", placeholder="e.g. KXBPT", max_length=5)
            yield Label("Your name in the room")
            yield Input(id="join-name", max_length=24)
            if self.teams:
                yield Label("Your team")
                yield Input(id="join-team", max_length=24)
            yield Button("Join", id="join", variant="primary")
            yield Static(id="join-error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#join-code", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        following = inputs.index(event.input) + 1
        if following < len(inputs):
            inputs[following].focus()
        else:
            self.app_join()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.app_join()

    def app_join(self) -> None:
        team = self.query_one("#join-team", Input).value if self.teams else None
        message = self.served.try_join(
            self.query_one("#join-code", Input).value,
            self.query_one("#join-name", Input).value,
            team,
        )
        self.query_one("#join-error", Static).update(escape(message or ""))

    @property
    def served(self) -> ServedNightApp:
        app = self.app
        assert isinstance(app, ServedNightApp)
        return app


class ServedNightApp(App[None]):
    TITLE = "StudyBuddy quiz night"
    ENABLE_COMMAND_PALETTE = False  # the palette would reach the app's system commands
    BINDINGS = [Binding("ctrl+q", "quit", "Leave", show=False)]

    def __init__(self, database: str, code: str) -> None:
        super().__init__()
        self.database = database
        self.code = code
        self.store: Store | None = None
        self.night: Night | None = None
        self.wrong_codes = 0
        self.tokens: dict[str, str] = {}  # this tab's players: name (casefolded) -> token

    def on_mount(self) -> None:
        from studybuddy.store import Store

        try:
            self.store = Store(self.database)
            self.night = GuestNight.open(self.store, self.code)
        except StudyBuddyError:
            self.push_screen(ClosedScreen(NOT_OPEN))  # never the store's own words: a path
            return
        self.push_screen(JoinScreen(self.night.settings.teams))

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()

    def try_join(self, code: str, name: str, team: str | None) -> str | None:
        """Join as `name` with the room `code`: None once in, else what to tell the player."""
        assert self.night is not None
        try:
            right = normalise_code(code) == self.night.code
        except StudyBuddyError:
            right = False
        if not right:
            self.wrong_codes += 1
            if self.wrong_codes >= MAX_CODE_TRIES:
                self.exit(message="too many wrong room codes")
            left = MAX_CODE_TRIES - self.wrong_codes
            return f"That is not this room's code ({left} tries left)."
        if not name.strip():
            return "Type your name."
        try:
            held = self.tokens.get(" ".join(name.split()).casefold())
            player: Player = self.night.join(name, team, token=held, learner=None)
        except NightError as exc:  # the room's own refusals: a name taken, no team, finished
            return str(exc)
        except StudyBuddyError:
            return "The room did not answer; try again."
        if player.token is not None:
            self.tokens[player.name.casefold()] = player.token
        self.push_screen(ServedPlayerScreen(self.night, player))
        return None


class ClosedScreen(Screen[None]):
    BINDINGS = [Binding("ctrl+q", "app.quit", "Leave")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        yield Static(f"[b]No quiz night here.[/]\n\n{escape(self.message)}", id="closed")
        yield Footer()
