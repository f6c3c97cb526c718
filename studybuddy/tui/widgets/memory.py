"""The memory model in terminal text: which parameters schedule the learner, and a year of
review days drawn like the HTML report's heatmap (the same `year_grid`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.text import Text

if TYPE_CHECKING:
    from studybuddy.memory.service import Model
    from studybuddy.reports.review_heatmap import HeatDay

MIN_REVIEWS = 512  # fitting.MIN_REVIEWS, without importing fsrs before a screen shows
# level 0 (no review) … 4; a faint dot for none so that empty days read on dark and light
LEVEL_STYLES = ("grey50", "#9be9a8", "#40c463", "#30a14e", "#216e39")
LEVEL_MARKS = ("·", "■", "■", "■", "■")


def figure(value: float) -> str:
    return "–" if value != value else f"{value:.3f}"  # NaN: nothing was scored


def model_words(model: Model, counted: int) -> str:
    """The memory model in use, in markup (escaped: a damaged fit's message names the learner)."""
    lines = []
    if model.problem:
        lines.append(f"[$warning]{escape(model.problem)}[/]")
    fit = model.fit
    if fit is None:
        lines.append("Scheduling uses fsrs's default parameters.")
    else:
        lines.append(
            f"Scheduling uses parameters fitted on {fit.fitted_at.astimezone():%Y-%m-%d} to "
            f"{fit.reviews:,} of your reviews: log loss {figure(fit.log_loss_before)} → "
            f"{figure(fit.log_loss_after)}, RMSE {figure(fit.rmse_before)} → "
            f"{figure(fit.rmse_after)} (fsrs's defaults → fitted; lower is better)."
        )
    if counted < MIN_REVIEWS:
        lines.append(
            f"[dim]{counted} of {MIN_REVIEWS} reviews so far for a fit: fsrs learns from "
            "reviews a day or more after the question's previous one.[/]"
        )
    return "\n".join(lines)


def heatmap_text(grid: list[list[HeatDay | None]]) -> Text:
    """Seven rows (Monday first) of one character per day, a column per week, months above."""
    label_width = 4
    months = [" "] * len(grid)
    month = None
    for x, column in enumerate(grid):
        first = next((d for d in column if d is not None), None)
        if first is not None and first.day.month != month:
            month = first.day.month
            name = f"{first.day:%b}"
            if all(c == " " for c in months[max(0, x - 1) : x + len(name)]):  # no overlap
                months[x : x + len(name)] = list(name)
    out = Text(" " * label_width + "".join(months[: len(grid)]) + "\n", style="dim")
    for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        out.append(f"{name:<{label_width}}", style="dim")
        for column in grid:
            heat = column[weekday]
            if heat is None:
                out.append(" ")
            else:
                out.append(LEVEL_MARKS[heat.level], style=LEVEL_STYLES[heat.level])
        out.append("\n")
    out.append(" " * label_width + "less ", style="dim")
    for level in range(5):
        out.append(LEVEL_MARKS[level], style=LEVEL_STYLES[level])
    out.append(" more", style="dim")
    return out
