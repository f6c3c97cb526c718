"""The learner report's memory section: the review heatmap and the model's figures."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from report_fixtures import NOW, STARRED, per_day

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


def _ada_review_state_reviews(seeded, since=None) -> int:
    """By hand from the plan: ada's weak questions are always wrong, so they never leave the
    learning steps; each steady question is new (Good: learning step 2) on 10 March, graduates
    on the 11th (Good on the last step), and is in review from the 12th on."""
    return sum(
        1
        for p in seeded.of("ada")
        if p.question_id in seeded.steady
        and p.at.date() >= date(2025, 3, 12)
        and (since is None or p.at.date() >= since)
    )


def test_markdown_report_has_the_memory_section(store, catalog, seeded):
    page = learner_report(store, "ada", "md", catalog=catalog, now=NOW, tz=UTC)
    assert "## Memory model" in page and "### Calibration" in page
    everything = _ada_review_state_reviews(seeded)
    assert everything == 25
    assert f"| all time | 100% of 12 | 100% of 13 | 100% of {everything} |" in page
    assert "| 90% (current) |" in page  # the simulator's row for the learner's setting
    days = per_day(seeded.of("ada"))
    busiest = max(days, key=days.__getitem__)
    assert (
        f"Reviews on {len(days)} days of the past year; the busiest was "
        f"{busiest:%a} {busiest.day} {busiest:%b %Y} ({days[busiest]} reviews)."
    ) in page


def test_the_memory_section_honours_since(store, catalog, seeded):
    since = date(2025, 3, 19)
    page = learner_report(store, "ada", "md", catalog=catalog, now=NOW, tz=UTC, since=since)
    recent = _ada_review_state_reviews(seeded, since)
    assert recent == 13
    assert f"| since 2025-03-19 | – of 0 | 100% of {recent} | 100% of {recent} |" in page
    assert "| all time |" not in page
    days = {d: n for d, n in per_day(seeded.of("ada")).items() if d >= since}
    assert f"Reviews on {len(days)} days of the past year" in page
    html = learner_report(store, "ada", "html", catalog=catalog, now=NOW, tz=UTC, since=since)
    assert "since 2025-03-19" in html
    for day, count in per_day(seeded.of("ada")).items():
        shown = f"{day:%a} {day.isoformat()}: {count} review"
        assert (shown in html) == (day >= since), day


def test_user_written_text_in_the_memory_section_is_escaped(tmp_path, catalog):
    from sqlalchemy import text

    from studybuddy.store import Store
    from studybuddy.store import fitted as stored_fits
    from studybuddy.store.db import writer

    store = Store(str(tmp_path / "evil.sqlite3"))
    ref = catalog.refs()[0]
    store.record_attempt(
        STARRED, question_id=ref.question.id, bank_id=ref.bank.id, bank_version=ref.bank.version,
        answer=None, correct=True, score=1.0, seconds=12, at=NOW - timedelta(days=2),
    )  # fmt: skip
    with writer(store.engine).begin() as connection:
        learner_id = store.learner_id(STARRED)
        fit_id = stored_fits.add_fit(
            connection, learner_id, parameters=[0.5] * 21, reviews=600,
            log_loss=(0.5, 0.4), rmse=(0.4, 0.3), at=NOW,
        )  # fmt: skip
        connection.execute(
            text("UPDATE parameter_fit SET parameters = 'oops' WHERE id = :id"), {"id": fit_id}
        )
    try:
        page = learner_report(store, STARRED, "md", catalog=catalog, now=NOW, tz=UTC)
    finally:
        store.close()
    memory = page[page.index("## Memory model") :]
    warning = next(line for line in memory.splitlines() if "cannot be read" in line)
    assert r"\*star\* \_under\_ \[link\]\(x\) \`tick\` \| pipe \#1" in warning
    assert STARRED not in memory
