"""Quiz night set-up: how the group plays, which questions, who plays; or join someone's room."""

from __future__ import annotations

import random
from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from studybuddy.errors import StudyBuddyError
from studybuddy.night.errors import NightError
from studybuddy.night.records import Answering, Kind, NightSettings
from studybuddy.night.room import MAX_TALK_SECONDS
from studybuddy.night.selection import playable
from studybuddy.night.setup import NightPlan, check_seats, parse_number, parse_seat
from studybuddy.tui.screens.base import StudyScreen
from studybuddy.tui.screens.night_host import NIGHT_CSS, leave_night_screen
from studybuddy.tui.widgets.toggles import TickBox, TickList

WEAKEST = "@weakest"
MODES = {
    "mode-in-turn": "One screen: players answer in turn",
    "mode-keys": "One screen: everyone at once, each on their own keys",
    "mode-room": "Host a room: players join from their own terminals",
    "mode-join": "Join a room",
}
# how players answer in each one-screen mode (a room always answers together)
ANSWERING: dict[str, Answering] = {"mode-in-turn": "in-turn", "mode-keys": "keys"}


class NightSetupScreen(StudyScreen[None]):
    CSS_PATH = NIGHT_CSS
    BINDINGS = [
        Binding("escape", "leave", "Back", id="night_setup.back"),
        Binding("ctrl+s", "start", "Start", id="night_setup.start", priority=True),
        Binding("ctrl+x", "remove_player", "Remove last player", id="night_setup.remove"),
    ]

    def __init__(
        self, *, mode: str = "mode-in-turn", clock: Any = None, rng: random.Random | None = None
    ) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode is one of {', '.join(MODES)} (got {mode!r})")
        self.mode = mode
        self.clock = clock  # tests pass a fake clock, so countdowns move only when told
        self.rng = rng
        self.seats: list[tuple[str, str | None]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="night-setup"):
            with Horizontal(id="night-how", classes="night-fields"):
                yield Label("[b]Quiz night[/] · how you play")
                # a drop-down, not radio buttons: changing how the night is played takes Enter,
                # a choice and Enter, never a stray arrow or Space on the way through the form
                yield Select(
                    [(label, button_id) for button_id, label in MODES.items()],
                    value=self.mode,
                    allow_blank=False,
                    id="night-mode",
                )
            with Vertical(id="night-questions"):
                yield Label("Questions from (Space ticks, X marks a pick)", classes="section")
                yield TickList[str](id="night-chapters")
                with Horizontal(classes="night-fields"):
                    yield Label("Questions")
                    yield Input("10", id="night-count", type="integer")
                    yield Label("Seconds each")
                    yield Input("20", id="night-timer", type="number")
                    yield Label("Team talk s")
                    yield Input("0", id="night-talk", type="number")
                with Horizontal(classes="night-fields"):
                    yield TickBox("Teams", id="night-teams")
                    yield TickBox("Speed points", value=True, id="night-speed")
                    yield TickBox("Streak bonus", value=True, id="night-streak")
                    yield TickBox("Warm-up", id="night-warm-up")
            with Vertical(id="night-players"):
                yield Label(
                    "Players: type a name, Enter adds (Name @ Team in a team night)",
                    classes="section",
                )
                yield Input(placeholder="Name, or Name @ Team", id="night-player")
                yield Static("[dim]No players yet.[/]", id="night-seats")
            with Vertical(id="night-join"):
                yield Label("Room code, your name (and team, in a team night)", classes="section")
                with Horizontal(classes="night-fields"):
                    yield Input(placeholder="Room code", id="join-code", max_length=5)
                    yield Input(placeholder="Your name", id="join-name")
                    yield Input(placeholder="Team", id="join-team")
        # outside the scrolling form, so Start is in sight whatever the terminal's size
        with Horizontal(id="night-setup-actions"):
            yield Button("Start", id="night-start", variant="primary")
            yield Static(id="night-setup-error")
        yield Footer()

    def on_mount(self) -> None:
        from studybuddy.study.catalog import shelf_order

        chapters = self.query_one("#night-chapters", TickList)
        chapters.add_option(("★ The group's weakest topics", WEAKEST))
        for bank in shelf_order(self.app.session.banks.banks):  # as the home screen lists them
            for chapter in bank.chapters:
                count = sum(playable(q) for q in chapter.questions)
                if count:
                    label = f"{bank.short_title or bank.title} · {chapter.title} ({count})"
                    chapters.add_option((escape(label), f"{bank.id}/{chapter.id}"))
        self.query_one("#join-name", Input).value = self.app.profile
        # Tab goes from control to control (the form scrolls to each); a focused form itself
        # would swallow the typing of a host who thinks they are in a field
        self.query_one("#night-setup", VerticalScroll).can_focus = False
        self._show_mode()

    # -- mode ------------------------------------------------------------------------------------
    @on(Select.Changed, "#night-mode")
    def _mode_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.mode = event.value
        self._show_mode()

    def _show_mode(self) -> None:
        joining = self.mode == "mode-join"
        self.query_one("#night-questions").display = not joining
        self.query_one("#night-players").display = self.mode in ("mode-in-turn", "mode-keys")
        self.query_one("#night-join").display = joining
        self.query_one("#night-start", Button).label = "Join" if joining else "Start"
        # the first thing a host sets is what to ask; a player joining types the code
        self.query_one("#join-code" if joining else "#night-chapters").focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove_player":
            return bool(self.seats) and self.mode in ("mode-in-turn", "mode-keys")
        return True

    # -- players ---------------------------------------------------------------------------------
    @on(Input.Submitted, "#night-player")
    def _add_player(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            return
        try:
            seat = parse_seat(event.value)
        except NightError as exc:
            self._error(str(exc))
            return
        if seat[0].casefold() in {name.casefold() for name, _ in self.seats}:
            self._error(f"{seat[0]} is playing already; pick another name")
            return
        self.seats.append(seat)
        event.input.value = ""
        self._error("")
        self._show_seats()

    def action_remove_player(self) -> None:
        if self.seats:
            self.seats.pop()
            self._show_seats()

    def _show_seats(self) -> None:
        lines = [
            f"  {n}. {escape(name)}" + (f"  [dim]@ {escape(team)}[/]" if team else "")
            for n, (name, team) in enumerate(self.seats, start=1)
        ]
        seats = self.query_one("#night-seats", Static)
        seats.update("\n".join(lines) if lines else "[dim]No players yet.[/]")
        seats.scroll_visible(animate=False)  # at 80x24 the list sits below the fold
        self.refresh_bindings()

    # -- start -----------------------------------------------------------------------------------
    @on(Input.Submitted, "#join-code, #join-name, #join-team")
    @on(Button.Pressed, "#night-start")
    def _start_pressed(self, event: Any) -> None:
        event.stop()
        self.action_start()

    def action_start(self) -> None:
        try:
            if self.mode == "mode-join":
                self._join()
            else:
                self._host()
        except StudyBuddyError as exc:
            self._error(str(exc))

    def plan(self) -> NightPlan:
        chosen = list(self.query_one("#night-chapters", TickList).selected)
        count = int(parse_number(self.query_one("#night-count", Input).value, "Questions", 1, 100))
        timer = parse_number(self.query_one("#night-timer", Input).value, "Seconds each", 5, 600)
        talk = parse_number(
            self.query_one("#night-talk", Input).value or "0", "Team talk", 0, MAX_TALK_SECONDS
        )
        kind: Kind = "room" if self.mode == "mode-room" else "hot-seat"
        answering = ANSWERING.get(self.mode, "together")
        return NightPlan(
            chapters=tuple(key for key in chosen if key != WEAKEST),
            weakest=WEAKEST in chosen,
            count=count,
            settings=NightSettings(
                timer=timer,
                teams=self.query_one("#night-teams", TickBox).value,
                kind=kind,
                answering=answering,
                speed_points=self.query_one("#night-speed", TickBox).value,
                streak_bonus=self.query_one("#night-streak", TickBox).value,
                warm_up=self.query_one("#night-warm-up", TickBox).value,
                talk_seconds=talk,
            ),
        )

    def _host(self) -> None:
        from studybuddy.night.setup import create_night, seat_players

        plan = self.plan()
        plan.check()
        hot_seat = plan.settings.kind == "hot-seat"
        if hot_seat:
            check_seats(self.seats, plan.settings)
        night = create_night(
            self.app.store, self.app.session.catalog, plan, clock=self.clock, rng=self.rng
        )
        if hot_seat:
            from studybuddy.tui.screens.night_hotseat import HotSeatScreen

            seat_players(night, self.seats)
            self.app.push_screen(HotSeatScreen(night))
        else:
            from studybuddy.tui.screens.night_host import NightHostScreen

            self.app.push_screen(NightHostScreen(night))
        self._error("")

    def _join(self) -> None:
        from studybuddy.night.room import Night
        from studybuddy.night.tokens import join_keeping_token
        from studybuddy.tui.screens.night_player import NightPlayerScreen

        code = self.query_one("#join-code", Input).value
        name = self.query_one("#join-name", Input).value
        team = self.query_one("#join-team", Input).value or None
        night = Night.open(self.app.store, code, clock=self.clock)
        player = join_keeping_token(night, name, team, learner=self.app.profile)
        self._error("")
        self.app.push_screen(NightPlayerScreen(night, player))

    def _error(self, message: str) -> None:
        self.query_one("#night-setup-error", Static).update(
            f"[b red]{escape(message)}[/]" if message else ""
        )

    def action_leave(self) -> None:
        leave_night_screen(self)
