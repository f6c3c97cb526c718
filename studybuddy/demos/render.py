"""Rich renderables for demo results, shared by `studybuddy show` and the TUI's show-me panel.

Tables become Rich tables (numbers coloured by value where the demo asks for a heat map), each
Series becomes a terminal chart drawn by plotext, and the notes follow as bullets.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

from studybuddy.demos.base import DemoResult, Series, Table
from studybuddy.demos.code import CodeExcerpt

CHART_WIDTH = 70
CHART_HEIGHT = 15
TICK_CHARS = 10  # bar labels longer than this are cut, or they run into each other

# plotext keeps one global figure; the TUI may render from more than one thread.
_PLOT_LOCK = threading.Lock()


def _heat_style(value: float, low: float, high: float) -> str:
    if high <= low or not math.isfinite(value):
        return ""
    share = (value - low) / (high - low)
    # A blue-to-red ramp readable on dark and light themes.
    red = int(40 + 200 * share)
    blue = int(200 - 160 * share)
    return f"on rgb({red},60,{blue})"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render_table(table: Table) -> RichTable:
    rich_table = RichTable(title=table.title, title_justify="left", expand=False)
    if table.row_labels is not None:
        rich_table.add_column("", style="bold")
    for index, column in enumerate(table.columns):
        present = [row[index] for row in table.rows if index < len(row) and row[index] != ""]
        numeric = all(_is_number(v) for v in present)
        rich_table.add_column(column, justify="right" if numeric else "left")
    numbers = [
        float(v) for row in table.rows for v in row if _is_number(v) and math.isfinite(float(v))
    ]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 0.0)
    for index, row in enumerate(table.rows):
        cells: list[Any] = []
        for value in row:
            style = _heat_style(float(value), low, high) if table.heat and _is_number(value) else ""
            cells.append(Text(_format(value), style=style))
        if table.row_labels is not None:
            cells.insert(0, table.row_labels[index])
        rich_table.add_row(*cells)
    return rich_table


def _finite_points(x: list[float], y: list[float], log_x: bool, log_y: bool) -> tuple[list, list]:
    points = [
        (a, b)
        for a, b in zip(x, y, strict=False)
        if b is not None
        and math.isfinite(a)
        and math.isfinite(b)
        and (a > 0 or not log_x)
        and (b > 0 or not log_y)
    ]
    return [a for a, _ in points], [b for _, b in points]


def chart_text(series: Series, width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> str | None:
    """The series drawn as a plotext chart (a string with ANSI colours), or None if empty."""
    import plotext as plt

    with _PLOT_LOCK:
        plt.clear_figure()
        plt.theme("clear")
        plt.plotsize(width, height)
        drawn = False
        if series.kind == "bar":
            ticks = [t[:TICK_CHARS] for t in (series.x_ticks or [_format(v) for v in series.x])]
            lines = {
                name: [v if v is not None and math.isfinite(v) else 0.0 for v in values]
                for name, values in series.lines.items()
            }
            if lines and ticks:
                if len(lines) == 1:
                    plt.bar(ticks, next(iter(lines.values())), label=next(iter(lines)))
                else:
                    plt.multiple_bar(ticks, list(lines.values()), labels=list(lines))
                drawn = True
        else:
            for name, values in series.lines.items():
                xs, ys = _finite_points(series.x, values, series.log_x, series.log_y)
                if xs:
                    plt.plot(xs, ys, label=name)
                    drawn = True
            if series.log_x:
                plt.xscale("log")
            if series.log_y:
                plt.yscale("log")
        if not drawn:
            return None
        plt.title(series.title)
        plt.xlabel(series.x_label)
        plt.ylabel(series.y_label)
        return plt.build()


def render_series(series: Series, width: int = CHART_WIDTH) -> RenderableType | None:
    drawn = chart_text(series, width)
    return Text.from_ansi(drawn) if drawn is not None else None


def render_result(result: DemoResult, width: int = CHART_WIDTH) -> RenderableType:
    """Everything in a result as one Rich renderable; `width` sizes the charts."""
    parts: list[RenderableType] = [Text(result.title, style="bold underline")]
    params = ", ".join(f"{k}={v}" for k, v in result.params.items())
    parts.append(Text(f"parameters: {params}", style="dim"))
    parts.extend(render_table(t) for t in result.tables)
    for series in result.series:
        chart = render_series(series, width)
        if chart is not None:
            parts.append(chart)
    for note in result.notes:
        parts.append(Text("• " + note))
    return Group(*parts)


def render_code(excerpts: list[CodeExcerpt], width: int | None = None) -> RenderableType:
    """Each excerpt as highlighted Python under its file and line, the way it ran."""
    from rich.syntax import Syntax

    parts: list[RenderableType] = [Text("The code that computed these numbers", style="bold")]
    for excerpt in excerpts:
        name = excerpt.target.partition(":")[2]
        parts.append(Text(f"{name}  ({excerpt.path}, line {excerpt.first_line})", style="dim"))
        parts.append(
            Syntax(
                excerpt.source.rstrip("\n"),
                "python",
                theme="ansi_dark",
                line_numbers=True,
                start_line=excerpt.first_line,
                code_width=width,
                word_wrap=True,
            )
        )
    return Group(*parts)
