"""Report charts: matplotlib figures written as SVG to be inlined into the HTML.

matplotlib is imported on the first chart, not with the package, so the CLI and the TUI start
without it. Figures are made with the object API (no pyplot), which keeps no global figure list
and is safe in the TUI's worker thread.

Charts are drawn 4.6 inches wide and shown at most 560 px wide on a desktop (the page's CSS)
and about 330 px on a phone: their text stays between 10 and 17 px, readable at both sizes.
Margins are set from the label lengths instead of by matplotlib's layout engines, which
measure every text twice and took most of the rendering time.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from markupsafe import Markup, escape

from studybuddy.store.records import DayActivity, ForecastDay

ACCENT = "#2b6cb0"
LIGHT = "#bee3f8"
GOOD = "#2f855a"
INK = "#2d3748"
MUTED = "#718096"
WIDTH = 4.6  # inches
FONT = 9.5  # points
CHAR = 0.55 * FONT / 72  # inches: a typical character's width in a sans-serif font

_STYLE: dict[str, Any] = {
    # text stays text in the SVG: smaller files, selectable, and the page's fonts apply
    "svg.fonttype": "none",
    # fixed ids and no date: the same data gives the same file
    "svg.hashsalt": "studybuddy",
    # names are user-written: a "$" must never start matplotlib's math mode
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.size": FONT,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "text.color": INK,
    "legend.frameon": False,
}
_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


@contextmanager
def _figure(width: float, height: float, *, left: float, bottom: float, top=0.15, right=0.15):
    """A figure whose axes area leaves the given margins (inches) for labels."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]  # keys checked at run time
        figure = Figure(figsize=(width, height))
        figure.subplots_adjust(
            left=left / width,
            right=1 - right / width,
            bottom=bottom / height,
            top=1 - top / height,
        )
        yield figure


def _svg(figure, label: str) -> Markup:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = _METADATA.sub("", _PROLOGUE.sub("", buffer.getvalue(), count=1), count=1)
    # matplotlib escapes its own text; the label goes in an attribute we add, so escape it here
    text = text.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(text)


def _wrap(label: str, width: int) -> str:
    return "\n".join(textwrap.wrap(label, width, max_lines=2, placeholder="…")) or label


def _label_width(labels: Sequence[str], size: float = FONT) -> float:
    """Inches taken by the longest line of these labels, plus the tick and its gap."""
    longest = max((len(line) for label in labels for line in label.split("\n")), default=0)
    return longest * CHAR * size / FONT + 0.2


def accuracy_over_time(days: Sequence[DayActivity]) -> Markup:
    """Accuracy per study day above, answers per day below, on one date axis."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DayLocator, date2num

    with _figure(WIDTH, 3.2, left=0.65, bottom=0.55) as figure:
        top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[3, 2])
        when = [d.day for d in days]
        marker = "o" if len(days) <= 60 else ""  # past two months dots would only blur the line
        top.plot(when, [d.accuracy * 100 for d in days], color=ACCENT, marker=marker, markersize=3)
        top.set_ylim(0, 105)
        top.set_ylabel("accuracy %")
        top.grid(axis="y", color="#e2e8f0")
        # one line collection rather than a bar per day: a year of days draws ten times faster
        span = (when[-1] - when[0]).days + 1 if when else 1
        plot_width = (WIDTH - 0.8) * 72  # points
        bottom.vlines(
            when,
            0,
            [d.attempts for d in days],
            color=ACCENT,
            linewidth=min(8.0, max(0.8, 0.7 * plot_width / span)),
        )
        bottom.set_ylim(bottom=0)
        bottom.set_ylabel("answers")
        # whole days only: left alone, matplotlib marks the hours of a short history
        locator = DayLocator(interval=max(1, span // 7)) if span <= 28 else AutoDateLocator()
        bottom.xaxis.set_major_locator(locator)
        bottom.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        bottom.set_xlim(date2num(when[0]) - 0.7, date2num(when[-1]) + 0.7)  # in days
        figure.align_ylabels([top, bottom])
        return _svg(figure, "Accuracy and answers per study day")


def mastery_by_chapter(chapters: Sequence[tuple[str, int, int, int]]) -> Markup:
    """(title, questions, seen, mastered) per chapter as horizontal bars of the chapter's share."""
    rows = list(reversed(chapters))  # matplotlib draws the first bar at the bottom
    labels = [_wrap(title, 24) for title, *_ in rows]
    with _figure(
        WIDTH, 0.95 + 0.4 * len(rows), left=_label_width(labels), bottom=0.5, top=0.35
    ) as figure:
        axes = figure.subplots()
        seen = [100 * s / q if q else 0 for _, q, s, _ in rows]
        mastered = [100 * m / q if q else 0 for _, q, _, m in rows]
        axes.barh(labels, seen, color=LIGHT, label="seen")
        axes.barh(labels, mastered, color=GOOD, height=0.5, label="mastered")
        axes.set_xlim(0, 100)
        axes.set_xlabel("% of the chapter's questions")
        axes.legend(loc="lower right", ncols=2, bbox_to_anchor=(1, 1), borderaxespad=0.2)
        return _svg(figure, "Questions seen and mastered per chapter")


def review_forecast(days: Sequence[ForecastDay]) -> Markup:
    with _figure(WIDTH, 2.3, left=0.55, bottom=0.45, top=0.2) as figure:
        axes = figure.subplots()
        labels = [_day_label(d.day, i) for i, d in enumerate(days)]
        bars = axes.bar(labels, [d.due for d in days], color=ACCENT)
        axes.bar_label(bars, labels=[str(d.due) if d.due else "" for d in days], fontsize=8)
        axes.set_ylabel("reviews due")
        axes.set_ylim(0, max(1, *(d.due for d in days)) * 1.15)
        axes.tick_params(axis="x", labelsize=7.5, length=0)  # 14 days side by side
        axes.yaxis.get_major_locator().set_params(integer=True)
        return _svg(figure, "Reviews due on each of the next days")


def _day_label(day: date, index: int) -> str:
    return "now" if index == 0 else f"{day:%a}\n{day.day}"


def mastery_heatmap(
    chapters: Sequence[str], members: Sequence[str], shares: Sequence[Sequence[float]]
) -> Markup:
    """Chapters down, members across; each cell a member's mastered share of the chapter."""
    labels = [_wrap(c, 24) for c in chapters]
    names = [m if len(m) <= 16 else m[:15] + "…" for m in members]  # one line each
    left = _label_width(labels)
    # names wider than a column are slanted, and the top margin grows to hold them
    slanted = _label_width(names) > 0.8
    top = 0.35 + (0.7 * _label_width(names) if slanted else 0.2)
    width = min(9.0, max(WIDTH, left + 0.6 * len(members) + 0.2))
    height = top + 0.2 + 0.4 * len(chapters)
    with _figure(width, height, left=left, bottom=0.1, top=top, right=0.6) as figure:
        axes = figure.subplots()
        axes.imshow(
            [[100 * s for s in row] for row in shares],
            cmap="Greens",
            vmin=0,
            vmax=100,
            aspect="auto",
        )
        axes.xaxis.tick_top()
        axes.set_xticks(range(len(names)), names)
        if slanted:
            for label in axes.get_xticklabels():
                label.set(rotation=40, horizontalalignment="left", rotation_mode="anchor")
        axes.set_yticks(range(len(labels)), labels)
        for y, row in enumerate(shares):
            for x, value in enumerate(row):
                axes.text(
                    x,
                    y,
                    f"{value * 100:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=8.5,
                    color="white" if value > 0.6 else INK,
                )
        axes.tick_params(length=0)
        axes.spines[:].set_visible(False)
        return _svg(figure, "Share of each chapter mastered, per member")


def night_scores(players: Sequence[tuple[str, int]]) -> Markup:
    """Final scores, winner on top."""
    rows = list(reversed(players))
    labels = [_wrap(name, 20) for name, _ in rows]
    with _figure(
        WIDTH, 0.8 + 0.32 * len(rows), left=_label_width(labels), bottom=0.45, top=0.1, right=0.4
    ) as figure:
        axes = figure.subplots()
        bars = axes.barh(labels, [s for _, s in rows], color=ACCENT)
        axes.bar_label(bars, fontsize=8, padding=3)
        axes.set_xlabel("points")
        return _svg(figure, "Final scores of the quiz night")
