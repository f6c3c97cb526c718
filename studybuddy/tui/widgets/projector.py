"""The projector's pieces: answer tiles, a full-width countdown, the answer bars, the podium.

Each choice has a colour AND a shape, so a player who cannot tell red from green still finds
their tile by its shape; the shape and number are the same on the tiles and the bars. The
numbers come from `night.projector`; these only draw them, to whatever width they are given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from studybuddy.night.projector import RankChange, Step, Tally
from studybuddy.night.records import PlayerLine
from studybuddy.night.scoring import round_half_up

# (shape, background) per choice, in the order the keys number them; white text reads on each
TILE_LOOKS: tuple[tuple[str, str], ...] = (
    ("▲", "#c0112e"),  # red
    ("◆", "#1160c0"),  # blue
    ("●", "#a06c00"),  # dark yellow
    ("■", "#1f7a0a"),  # green
    ("★", "#7a3fb0"),  # purple
    ("✚", "#087f7f"),  # teal
)
MEDALS = ("🥇", "🥈", "🥉")
LEADERBOARD_ROWS = 5  # what a room reads at a glance; the host's own screen lists everyone


def tile_look(index: int) -> tuple[str, str]:
    return TILE_LOOKS[index % len(TILE_LOOKS)]


def tile_text(index: int, label: str) -> Text:
    shape, _ = tile_look(index)
    text = Text(f"{shape} {index + 1}  ", style="bold")
    text.append(label)
    return text


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _centred(text: str, width: int, style: str) -> Text:
    """`text` centred in `width` terminal cells (a medal emoji takes two), cut to fit."""
    cell = Text(text, style=style)
    cell.truncate(width, overflow="ellipsis")
    left = (width - cell.cell_len) // 2
    return (
        Text(" " * left, style=style)
        + cell
        + Text(" " * (width - left - cell.cell_len), style=style)
    )


class CountdownBar:
    """Seconds left and a bar across the whole width, green, then yellow, then red."""

    def __init__(self, remaining: float, total: float) -> None:
        self.remaining = remaining
        self.total = total

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        share = max(0.0, min(1.0, self.remaining / self.total)) if self.total else 0.0
        seconds = int(-(-self.remaining // 1))
        label = Text(f"{seconds:>3} s ", style="bold")
        width = max(1, options.max_width - label.cell_len)
        filled = round(share * width)
        style = "green" if share > 0.5 else "yellow" if share > 0.2 else "red"
        label.append("█" * filled, style=style)
        label.append("░" * (width - filled), style="dim")
        yield label


class AnswerBars:
    """One bar per tile (or right / wrong for a typed answer), scaled to the longest; the right
    tiles marked ✓ and bright, the others dimmed."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        tally = self.tally
        width = options.max_width
        label_width = min(max(len(bar.label) for bar in tally.bars), max(8, width // 3))
        count_width = len(str(tally.most)) + 1
        # "▲ 1  " + label + " ✓ " + bar + " count"
        bar_width = max(4, width - label_width - count_width - 10)
        for index, bar in enumerate(tally.bars):
            if tally.by_choice:
                shape, colour = tile_look(index)
                line = Text(f"{shape} {index + 1}  ", style=f"bold {colour}")
            else:
                line = Text("  ")
                colour = "green" if bar.right else "red"
            line.append(
                f"{_fit(bar.label, label_width):<{label_width}}", style="" if bar.right else "dim"
            )
            line.append(" ✓ " if bar.right else "   ", style="bold green")
            length = round(bar.count / tally.most * bar_width)
            line.append(
                "█" * length, style=colour if bar.right or not tally.by_choice else f"{colour} dim"
            )
            line.append(f" {bar.count:>{count_width - 1}}", style="bold" if bar.right else "dim")
            yield line
        missing = tally.unanswered
        if missing:
            yield Text(f"{missing} did not answer in time", style="dim")


def leaderboard(
    players: Sequence[PlayerLine], changes: Mapping[str, RankChange], rows: int = LEADERBOARD_ROWS
) -> Table:
    """The top `rows` players with how their place moved and what the last question earned."""
    table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
    table.add_column("#", justify="right")
    table.add_column("", justify="left")  # rank change
    table.add_column("Player")
    table.add_column("Score", justify="right")
    table.add_column("", justify="right")  # this question's points
    line_of = {p.name: p for p in players}
    ranked = sorted(changes.items(), key=lambda item: (item[1].rank, item[0].casefold()))
    for name, change in ranked[:rows]:
        player = line_of[name]
        moved = change.label
        style = "green" if moved.startswith("↑") else "red" if moved.startswith("↓") else "cyan"
        earned = Text(f"+{player.last_points:,}", style="green") if player.last_points else Text("")
        table.add_row(
            str(change.rank),
            Text("" if moved == "=" else moved, style=f"bold {style}"),
            Text(name, style="bold"),
            f"{round_half_up(player.score):,}",
            earned,
        )
    if len(ranked) > rows:
        table.add_row("", "", Text(f"… and {len(ranked) - rows} more", style="dim"), "", "")
    return table


class PodiumBlocks:
    """The first three places as steps (2nd, 1st, 3rd, the winner's the highest), names and
    scores on top; places below the third, when a bigger podium was asked for, listed under."""

    HEIGHTS = (5, 3, 2)  # rows of the first, second and third step

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = list(steps)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.steps:
            yield Text("Nobody played.")
            return
        top = [step for step in self.steps if step.rank <= len(MEDALS)]
        column = max(12, min(30, options.max_width // 3 - 1))
        # stage order: second, first, third (a missing step, after a tie, stays empty)
        by_place = {index: step for index, step in enumerate(top)}
        stage = [by_place.get(1), by_place.get(0), by_place.get(2)]
        columns: list[list[Text]] = []
        for step in stage:
            if step is None:
                columns.append([])
                continue
            place = top.index(step)
            medal = MEDALS[step.rank - 1] if step.rank <= len(MEDALS) else ""
            colour = ("#b8860b", "#8c8c8c", "#a0522d")[place]
            columns.append(
                [
                    _centred(f"{medal} {', '.join(step.names)}", column, "bold"),
                    _centred(f"{round_half_up(step.score):,}", column, "bold"),
                    _centred(str(step.rank), column, f"bold on {colour}"),
                    *(_centred("", column, f"on {colour}") for _ in range(self.HEIGHTS[place] - 1)),
                ]
            )
        height = max(len(lines) for lines in columns)
        grid = [
            [Text(" " * column)] * (height - len(lines)) + lines for lines in columns
        ]  # each column stands on the floor
        grid = [list(row) for row in zip(*grid, strict=True)]
        for row in grid:
            yield Text(" ").join(row)
        below = [step for step in self.steps if step.rank > len(MEDALS)]
        if below:
            yield Text("")
        for step in below:
            names = ", ".join(step.names)
            yield Text(f"{step.rank:>3}. {names}  {round_half_up(step.score):,}")
