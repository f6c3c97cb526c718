"""Text bars for tables: a share as filled and empty blocks with its percent."""

from __future__ import annotations

from rich.text import Text


def mastery_bar(share: float | None, width: int = 10) -> Text:
    if share is None:
        return Text("…", style="dim")
    filled = round(share * width)
    bar = Text("█" * filled, style="green")
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {share:4.0%}")
    return bar
