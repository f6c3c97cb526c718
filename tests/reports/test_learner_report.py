"""A learner's report shows the store's numbers, recomputed here from the seeded plan."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, timedelta

import pytest
from report_fixtures import EVIL, NOW, per_day
from report_html import ReportPage, external_urls

from studybuddy.reports import build, html, markdown
from studybuddy.reports.make import learner_report, write_learner_report
from studybuddy.store import StoreError


def report_for(store, catalog, name="ada", **options):
    return build.build_learner_report(store, name, catalog, now=NOW, tz=UTC, **options)


def test_totals_match_the_plan(store, catalog, seeded):
    plan = seeded.of("ada")
    stats = report_for(store, catalog).stats
    assert stats.attempts == len(plan) == 8 * 6 + 1
    assert stats.correct == sum(p.correct for p in plan)
    assert stats.seconds_studied == pytest.approx(sum(p.seconds for p in plan))
    assert stats.questions_seen == len({p.question_id for p in plan}) == 6
    assert stats.questions_total == len(catalog)
    # studied Mar 10-14 and 19-21: three days running up to today, five at most
    assert (stats.streak.current, stats.streak.longest) == (3, 5)
    assert {d.day: d.attempts for d in stats.by_day} == dict(per_day(plan))
    # one session a day, and a second one on the last day after a break of over an hour
    assert len(stats.sessions) == 9


def test_chapter_lines_hold_the_accuracy_of_each_chapter(store, catalog, seeded):
    report = report_for(store, catalog)
    expected: dict[str, list[int]] = {}
    for p in seeded.of("ada"):
        counts = expected.setdefault(catalog[p.question_id].chapter_key, [0, 0])
        counts[0] += 1
        counts[1] += p.correct
    lines = {c.key: c for c in report.chapters}
    assert set(lines) == set(catalog.chapter_questions())
    for key, (attempts, correct) in expected.items():
        assert (lines[key].attempts, lines[key].correct) == (attempts, correct)
    untouched = [c for c in report.chapters if c.key not in expected]
    assert untouched and all(c.seen == c.attempts == 0 for c in untouched)


def test_forecast_agrees_with_the_due_queue(store, catalog):
    report = report_for(store, catalog)
    forecast = report.stats.forecast
    assert len(forecast) == 14 and forecast[0].day == NOW.date()
    # everything due before the 14th day's end, as the store's other query sees it
    end = NOW.replace(hour=0, minute=0) + timedelta(days=14) - timedelta(microseconds=1)
    due = store.due_queue("ada", now=end, among=list(catalog.question_info()))
    assert sum(day.due for day in forecast) == len(due)


def test_html_shows_the_numbers_and_the_demos_to_revisit(store, catalog, seeded):
    report = report_for(store, catalog)
    page = ReportPage(html.learner_html(report))
    plan = seeded.of("ada")
    right = sum(p.correct for p in plan)
    assert f"{right} of {len(plan)} answers right" in page.text
    assert f"{round(100 * right / len(plan))}%" in page.text
    assert f"6 of {len(catalog)}" in page.text
    assert "3 days study streak (longest 5 days)" in page.text
    assert seeded.weak_tag in [t.topic for t in report.weakest]
    for question_id in seeded.weak:
        show_me = catalog[question_id].question.show_me
        words = ["studybuddy", "show", show_me.demo]
        assert f"run: {shlex.join(words)}" in page.text
        assert catalog[question_id].question.prompt.split()[0] in page.text
    assert page.text.count("See it computed") >= 2
    assert page.tags.count("svg") == 3  # mastery, accuracy over time, forecast


def test_html_is_self_contained(store, catalog):
    page_text = html.learner_html(report_for(store, catalog))
    page = ReportPage(page_text)
    assert external_urls(page) == []
    assert not {"script", "link", "iframe", "img", "object"} & set(page.tags)
    # CSS and SVG may point inside the page (clip paths), never at a font or image elsewhere
    assert all(
        target.startswith("#") for target in re.findall(r"url\(\s*['\"]?([^)'\"]*)", page_text)
    )
    assert "@import" not in page_text
    assert "@media print" in page_text and 'name="viewport"' in page_text


def test_a_script_in_a_name_is_shown_as_text(store, catalog):
    page_text = learner_report(store, EVIL, "html", catalog=catalog, now=NOW, tz=UTC)
    page = ReportPage(page_text)
    assert "script" not in page.tags
    assert EVIL in page.text  # the browser shows the name as written
    assert EVIL not in page_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_text


def test_empty_profile_gets_a_friendly_page(store, catalog):
    report = report_for(store, catalog, name="empty")
    assert report.empty
    page = ReportPage(html.learner_html(report))
    assert "Nothing answered yet" in page.text
    assert "studybuddy --profile empty" in page.text
    assert "svg" not in page.tags
    assert "Nothing answered yet" in markdown.learner_md(report)


def test_since_counts_only_later_answers(store, catalog, seeded):
    report = report_for(store, catalog, since=NOW.date() - timedelta(days=2))
    later = [p for p in seeded.of("ada") if p.at.date() >= NOW.date() - timedelta(days=2)]
    assert report.stats.attempts == len(later)
    assert "Answers since Wed 19 Mar 2025" in ReportPage(html.learner_html(report)).text


def test_missing_profile_is_one_line_naming_the_profiles(store, catalog):
    with pytest.raises(StoreError) as raised:
        report_for(store, catalog, name="nobody")
    message = str(raised.value)
    assert "\n" not in message
    assert "nobody" in message and "ada" in message and "empty" in message


def test_write_learner_report_saves_a_dated_html_file(store, catalog, seeded, tmp_path):
    info = catalog.question_info()
    path = write_learner_report(store, "ada", info, tmp_path, catalog=catalog, now=NOW, tz=UTC)
    assert path == tmp_path / "studybuddy-report-ada-2025-03-21.html"
    assert "Progress report: ada" in ReportPage(path.read_text(encoding="utf-8")).text


def test_package_import_stays_light():
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, studybuddy.reports; print(*sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "studybuddy.reports" in loaded
    assert not {"matplotlib", "sqlmodel", "jinja2", "weasyprint"} & set(loaded)
