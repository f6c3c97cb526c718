"""The host's projector view of a room: what the whole group looks at on the wall.

The question large with its choices as coloured, shaped tiles and a countdown across the width;
once the question closes, how the room answered as bars with the right tiles marked, the answer
and the leaderboard with rank changes; at the end a podium (top three, or `--podium N`).
It is the host's screen in another dress: the same keys move the night on, and `p` (or Esc)
goes back to the host's own view with the full scoreboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.widgets import Footer, Static

from studybuddy.night.projector import (
    PODIUM_SIZE,
    answers_at,
    podium,
    rank_changes,
    scores_before,
    tally,
)
from studybuddy.night.records import NightState
from studybuddy.tui.screens.night_host import NightStageScreen
from studybuddy.tui.widgets.night_board import question_markup
from studybuddy.tui.widgets.projector import (
    AnswerBars,
    CountdownBar,
    PodiumBlocks,
    leaderboard,
    tile_look,
    tile_text,
)

if TYPE_CHECKING:
    from studybuddy.night.room import Night


class NightProjectorScreen(NightStageScreen):
    DEFAULT_CSS = """
    NightProjectorScreen #projector-prompt {
        height: auto;
        padding: 1 2;
        text-style: bold;
    }
    NightProjectorScreen #projector-countdown { height: 1; padding: 0 2; }
    NightProjectorScreen #projector-tiles {
        grid-size: 2;
        grid-gutter: 1 2;
        grid-rows: auto;
        height: auto;
        padding: 1 2 0 2;
    }
    NightProjectorScreen .tile {
        height: auto;
        min-height: 3;
        padding: 1 2;
        color: white;
    }
    NightProjectorScreen #projector-bars { height: auto; padding: 0 2; }
    NightProjectorScreen #projector-answer { height: auto; padding: 1 2 0 2; }
    NightProjectorScreen #projector-board { height: auto; padding: 1 2 0 2; }
    NightProjectorScreen #projector-podium { height: auto; padding: 1 2; }
    """
    BINDINGS = [
        Binding("p", "host_view", "Host view", id="night.host_view"),
    ]

    def __init__(self, night: Night, podium_size: int | None = None) -> None:
        super().__init__(night)
        self.podium_size = podium_size
        self.seen: set[str] = set()  # players on the board at the last reveal
        self.lobby_count = 0

    def compose(self) -> ComposeResult:
        yield Static(id="night-banner")
        with VerticalScroll(id="night-body"):
            yield Static(id="projector-prompt")
            yield Static(id="projector-countdown")
            yield Grid(id="projector-tiles")
            yield Static(id="projector-bars")
            yield Static(id="projector-answer")
            yield Static(id="projector-board")
            yield Static(id="projector-podium")
        yield Footer()

    # -- drawing ---------------------------------------------------------------------------------
    def draw(self, state: NightState) -> None:
        self.state = state
        key = (state.phase, state.current)
        fresh = key != self.drawn
        self.drawn = key
        self.query_one("#night-banner", Static).update(self.banner(state))
        if fresh:
            self.draw_phase(state)
            self.refresh_bindings()
        countdown = self.query_one("#projector-countdown", Static)
        countdown.display = state.phase == "question"
        if state.phase == "question":
            countdown.update(CountdownBar(state.remaining, state.timer))
        if state.phase == "lobby":
            self.query_one("#projector-board", Static).update(self.lobby_players(state))
            if len(state.players) != self.lobby_count:  # `n` starts once somebody is here
                self.lobby_count = len(state.players)
                self.refresh_bindings()

    def banner(self, state: NightState) -> str:
        line = f"[b]{escape(state.title)}[/] · room [b reverse] {state.code} [/]"
        if state.phase == "question":
            answered = sum(1 for p in state.players if p.answered)
            line += f" · {answered} of {len(state.players)} answered"
        elif state.phase == "lobby":
            line += f" · {len(state.players)} joined"
        return line

    def draw_phase(self, state: NightState) -> None:
        phase = state.phase
        show = {
            "#projector-tiles": phase == "question",
            "#projector-bars": phase == "reveal",
            "#projector-answer": phase == "reveal",
            "#projector-board": phase in ("lobby", "reveal"),
            "#projector-podium": phase == "finished",
        }
        for selector, visible in show.items():
            self.query_one(selector).display = visible
        prompt = self.query_one("#projector-prompt", Static)
        if phase == "lobby":
            prompt.update(
                f"Join room [b reverse] {state.code} [/]\n\n"
                f"[dim]In a terminal: studybuddy night join {state.code} --name NAME"
                + (" --team TEAM" if state.teams else "")
                + "\nIn a browser: the address `studybuddy night serve "
                + f"{state.code} --lan` prints[/]"
            )
        elif phase in ("question", "reveal"):
            prompt.update(self.prompt_markup(state))
            if phase == "question":
                self.draw_tiles()
            else:
                self.draw_reveal(state)
        else:
            prompt.update("[b]The night is over.[/] Well played, everyone!")
            size = self.podium_size or getattr(self.app, "podium_size", None) or PODIUM_SIZE
            scores: dict[str, float]
            if state.teams and state.team_scores:
                scores = dict(state.team_scores)
            else:
                scores = {p.name: p.score for p in state.players}
            self.query_one("#projector-podium", Static).update(PodiumBlocks(podium(scores, size)))
        self.query_one("#night-body", VerticalScroll).scroll_home(animate=False)

    def prompt_markup(self, state: NightState) -> str:
        question = self.question
        # typed or arranged: the question as everyone's screen has it
        if not question.right_choices():
            return question_markup(question, state.current + 1, state.question_count)
        several = len(question.right_choices()) > 1
        return (
            f"[dim]Question {state.current + 1} of {state.question_count}[/]\n\n"
            f"[b]{escape(question.prompt)}[/]"
            + ("\n[dim](every right tile counts: pick them all)[/]" if several else "")
        )

    def draw_tiles(self) -> None:
        grid = self.query_one("#projector-tiles", Grid)
        grid.remove_children()
        tiles = []
        for index, label in enumerate(self.question.choices()):
            tile = Static(tile_text(index, label), classes="tile")
            tile.styles.background = tile_look(index)[1]
            tiles.append(tile)
        grid.mount_all(tiles)

    def draw_reveal(self, state: NightState) -> None:
        question = self.question
        counted = tally(question, answers_at(self.night, state.current), len(state.players))
        self.query_one("#projector-bars", Static).update(AnswerBars(counted))
        self.query_one("#projector-answer", Static).update(
            f"[b]Answer:[/] {escape(question.answer_text())}\n"
            f"[dim]{escape(question.explanation)}[/]"
        )
        after = {p.name: float(p.score) for p in state.players}
        before = None
        if state.current > 0:
            earlier = scores_before(state.players)
            known = self.seen or set(earlier)  # a host back after a restart knew nobody
            before = {name: score for name, score in earlier.items() if name in known}
        self.seen = set(after)
        self.query_one("#projector-board", Static).update(
            leaderboard(state.players, rank_changes(before, after))
        )

    def lobby_players(self, state: NightState) -> str:
        if not state.players:
            return "[dim]Nobody has joined yet.[/]"
        return "   ".join(f"[b]{escape(p.name)}[/]" for p in state.players)

    # -- keys ------------------------------------------------------------------------------------
    def action_host_view(self) -> None:
        self.dismiss()

    def action_leave(self) -> None:
        self.dismiss()  # Esc on the wall goes back to the host's own view, never out of the night
