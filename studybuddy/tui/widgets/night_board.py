"""What a quiz night puts on screen: the question, the countdown, the scoreboard, the podium.

Plain Static widgets fed with `NightState`s, so the host's projector, a player's terminal and the
one-screen game draw the night the same way.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from studybuddy.banks.models import AnyQuestion
from studybuddy.night.records import NightState, PlayerLine
from studybuddy.night.scoring import round_half_up, standings

MEDALS = ("🥇", "🥈", "🥉")


def prompt_markup(question: AnyQuestion, number: int, total: int) -> str:
    """The question's number and prompt only: above an answer input, which lists the choices
    (and an ordering's steps) itself, so they are not shown twice."""
    return f"[dim]Question {number} of {total}[/]\n[b]{escape(question.prompt)}[/]"


def question_markup(question: AnyQuestion, number: int, total: int) -> str:
    """The question as everyone in the room sees it (choices numbered, no answer)."""
    lines = [f"[dim]Question {number} of {total}[/]", f"[b]{escape(question.prompt)}[/]"]
    if (text := question.shown_text(text=escape)) is not None:
        lines.append("  " + text)
    lines += [f"  {n}. {escape(choice)}" for n, choice in enumerate(question.choices(), 1)]
    if hint := question.answer_hint():
        lines.append(f"  [dim]{escape(hint)}[/]")
    return "\n".join(lines)


def countdown_text(remaining: float, total: float, width: int = 30) -> Text:
    share = max(0.0, min(1.0, remaining / total)) if total else 0.0
    filled = round(share * width)
    style = "green" if share > 0.5 else "yellow" if share > 0.2 else "red"
    text = Text(f"⏱ {int(-(-remaining // 1)):>3} s  ", style="bold")
    text.append("█" * filled, style=style)
    text.append("░" * (width - filled), style="dim")
    return text


class Countdown(Static):
    DEFAULT_CSS = "Countdown { height: 1; padding: 0 2; }"

    def show(self, remaining: float, total: float) -> None:
        self.update(countdown_text(remaining, total))


def _score(value: float) -> str:
    return f"{round_half_up(value):,}"


def scoreboard(state: NightState, *, live: bool) -> Group:
    """Players by score; while a question is open, who has answered; after it, what it earned."""
    ranked = standings({p.name: p.score for p in state.players})
    line_of = {p.name: p for p in state.players}
    table = Table(expand=False, box=None, pad_edge=False, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("Player")
    if state.teams:
        table.add_column("Team")
    table.add_column("Score", justify="right")
    # the last question's points mean little on the final standings
    with_status = live or state.phase != "finished"
    if with_status:
        heading = {"lobby": "Here", "question": "Answered"}.get(state.phase, "This question")
        table.add_column(heading, justify="left")
    # nobody has a score or a streak before the first question
    with_streak = state.phase != "lobby"
    if with_streak:
        table.add_column("Streak", justify="right")
    for standing in ranked:
        player: PlayerLine = line_of[standing.name]
        name = Text(player.name)
        if not player.connected:
            name.append(" (away)", style="dim")
        if state.phase == "lobby":
            status = Text("✓", style="green") if player.connected else Text("away", "dim")
        elif live:
            status = Text("✓ answered", style="green") if player.answered else Text("…", "dim")
        elif player.last_points is None:
            status = Text("")
        elif player.last_correct:
            status = Text(f"+{player.last_points}", style="green")
        else:
            status = Text("✗ 0", style="red")
        streak = f"🔥{player.streak}" if player.streak >= 2 else ""
        row: list[str | Text] = [str(standing.rank), name]
        if state.teams:
            row.append(player.team or "")
        row += [_score(player.score), *([status] if with_status else [])]
        row += [streak] if with_streak else []
        table.add_row(*row)
    parts: list[Any] = [table]
    if state.teams and state.team_scores:
        teams = Table(box=None, pad_edge=False, header_style="bold")
        teams.add_column("#", justify="right")
        teams.add_column("Team")
        teams.add_column("Score (members' mean)", justify="right")
        for standing in standings(state.team_scores):
            teams.add_row(str(standing.rank), standing.name, _score(standing.score))
        parts += [Text(""), teams]
    return Group(*parts)


class Scoreboard(Static):
    DEFAULT_CSS = "Scoreboard { height: auto; padding: 0 2; }"

    def show(self, state: NightState, *, live: bool) -> None:
        self.update(scoreboard(state, live=live))


def podium_text(state: NightState) -> Text:
    """The top three (teams in a team night), with their medals, then everyone else."""
    if state.teams and state.team_scores:
        ranked = standings(state.team_scores)
    else:
        ranked = standings({p.name: p.score for p in state.players})
    lines = []
    for standing in ranked:
        medal = MEDALS[standing.rank - 1] if standing.rank <= len(MEDALS) else f"{standing.rank}."
        style = "bold" if standing.rank <= len(MEDALS) else ""
        lines.append(Text(f"{medal} {standing.name}  {_score(standing.score)}", style=style))
    return Text("\n").join(lines) if lines else Text("Nobody played.")


class Podium(Static):
    DEFAULT_CSS = "Podium { height: auto; margin: 0 2; padding: 0 1; border: round $success; }"

    def show(self, state: NightState) -> None:
        self.update(podium_text(state))
