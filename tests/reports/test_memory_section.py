"""The learner report's memory section: the review heatmap and the model's figures."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from report_fixtures import NOW, per_day

from studybuddy.memory import history, retention
from studybuddy.reports.make import learner_report
from studybuddy.reports.review_heatmap import WEEKS, level_of, year_grid


def test_year_grid_by_hand():
    today = date(2026, 6, 10)  # a Wednesday
    grid = year_grid([(today, 4), (date(2026, 6, 8), 1), (today - timedelta(days=400), 9)], today)
    assert len(grid) == WEEKS and all(len(week) == 7 for week in grid)
    first = grid[0][0]
    assert first is not None and first.day == date(
        2025, 6, 9
    )  # the Monday 52 weeks (364 days) before 8 June
    last = grid[-1]
    assert [d.day if d else None for d in last] == [
        date(2026, 6, 8), date(2026, 6, 9), date(2026, 6, 10), None, None, None, None,
    ]  # fmt: skip
    assert [d.reviews for d in last[:3] if d] == [1, 0, 4]
    # the 400-day-old day is off the grid, so the busiest shown day (4) sets the scale
    assert [d.level for d in last[:3] if d] == [1, 0, 4]
    assert sum(d.reviews for week in grid for d in week if d) == 5


def test_levels_split_the_busiest_day_in_quarters():
    assert [level_of(n, 8) for n in (0, 1, 2, 3, 4, 5, 6, 7, 8)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert level_of(3, 0) == 0


def test_html_report_shows_heatmap_days_and_true_retention(store, catalog, seeded):
    page = learner_report(store, "ada", "html", catalog=catalog, now=NOW, tz=UTC)
    assert "Memory model" in page and "True retention" in page and "Calibration" in page
    for day, count in per_day(seeded.of("ada")).items():
        plural = "review" if count == 1 else "reviews"
        assert f"{day:%a} {day.isoformat()}: {count} {plural}" in page
    start = page.index('aria-label="Reviews per day over the past year"')
    heatmap = page[start : page.index("</svg>", start)]
    assert heatmap.count("<rect") == 52 * 7 + NOW.weekday() + 1  # a square a day to today
    overall = retention.true_retention(history.replay(store.attempts("ada")))
    total = overall.total
    shown = "–" if not total.reviews else f"{total.remembered / total.reviews * 100:.0f}%"
    assert f'{shown} <span class="meta">of {total.reviews}</span>' in page
    assert "(current)" in page  # the learner's desired retention is marked
