"""A year of study days, GitHub-style: one square per day, darker for more reviews.

`year_grid` is plain data (weeks of days with counts and a level 0-4), so a terminal screen
can draw the same grid; `heatmap_svg` draws it for the HTML report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

WEEKS = 53
COLOURS = ("#edf2f7", "#bee3f8", "#63b3ed", "#3182ce", "#2a4365")  # level 0 (none) … 4


@dataclass(frozen=True)
class HeatDay:
    day: date
    reviews: int
    level: int  # 0 none, 1-4 by quarters of the busiest day


def level_of(reviews: int, busiest: int) -> int:
    if reviews <= 0 or busiest <= 0:
        return 0
    return min(4, 1 + (4 * (reviews - 1)) // busiest)


def year_grid(counts: Iterable[tuple[date, int]], today: date) -> list[list[HeatDay | None]]:
    """WEEKS columns of 7 days (Monday first) ending with today's week; days after today
    and before the first column are None."""
    per_day: dict[date, int] = {}
    for day, reviews in counts:
        per_day[day] = per_day.get(day, 0) + reviews
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    shown = [d for d in per_day if first <= d <= today]
    busiest = max((per_day[d] for d in shown), default=0)
    weeks: list[list[HeatDay | None]] = []
    for week in range(WEEKS):
        column: list[HeatDay | None] = []
        for weekday in range(7):
            day = first + timedelta(weeks=week, days=weekday)
            if day > today:
                column.append(None)
            else:
                reviews = per_day.get(day, 0)
                column.append(HeatDay(day, reviews, level_of(reviews, busiest)))
        weeks.append(column)
    return weeks


def heatmap_svg(grid: list[list[HeatDay | None]]) -> Markup:
    cell, gap, left, top = 11, 2, 24, 14
    width = left + len(grid) * (cell + gap)
    height = top + 7 * (cell + gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Reviews per day over the past year">'
    ]
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        y = top + row * (cell + gap) + cell - 2
        parts.append(f'<text x="0" y="{y}" font-size="8" fill="#718096">{name}</text>')
    month = None
    for x_index, column in enumerate(grid):
        x = left + x_index * (cell + gap)
        first_day = next((d for d in column if d is not None), None)
        if first_day is not None and first_day.day.month != month:
            month = first_day.day.month
            label = f"{first_day.day:%b}"
            parts.append(f'<text x="{x}" y="9" font-size="8" fill="#718096">{label}</text>')
        for y_index, heat in enumerate(column):
            if heat is None:
                continue
            y = top + y_index * (cell + gap)
            plural = "review" if heat.reviews == 1 else "reviews"
            tip = escape(f"{heat.day:%a} {heat.day.isoformat()}: {heat.reviews} {plural}")
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2" '
                f'fill="{COLOURS[heat.level]}"><title>{tip}</title></rect>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
