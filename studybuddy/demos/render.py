"""Rich renderables for demo results, shared by `studybuddy show` and the TUI's show-me panel."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

from studybuddy.demos.base import DemoResult, Table


def _heat_style(value: float, low: float, high: float) -> str:
    if high <= low:
        return ""
    share = (value - low) / (high - low)
    # A blue-to-red ramp readable on dark and light themes.
    red = int(40 + 200 * share)
    blue = int(200 - 160 * share)
    return f"on rgb({red},60,{blue})"


def render_table(table: Table) -> RichTable:
    rich_table = RichTable(title=table.title, title_justify="left", expand=False)
    if table.row_labels is not None:
        rich_table.add_column("", style="bold")
    for column in table.columns:
        rich_table.add_column(column, justify="right")
    numbers = [
        v
        for row in table.rows
        for v in row
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 0.0)
    for index, row in enumerate(table.rows):
        cells: list[Any] = []
        for value in row:
            if isinstance(value, float | int) and not isinstance(value, bool):
                style = _heat_style(float(value), low, high) if table.heat else ""
                cells.append(
                    Text(f"{value:g}" if isinstance(value, float) else str(value), style=style)
                )
            else:
                cells.append(Text(str(value)))
        if table.row_labels is not None:
            cells.insert(0, table.row_labels[index])
        rich_table.add_row(*cells)
    return rich_table


def render_result(result: DemoResult) -> RenderableType:
    parts: list[RenderableType] = [Text(result.title, style="bold underline")]
    params = ", ".join(f"{k}={v}" for k, v in result.params.items())
    parts.append(Text(f"parameters: {params}", style="dim"))
    parts.extend(render_table(t) for t in result.tables)
    for note in result.notes:
        parts.append(Text("• " + note))
    return Group(*parts)
