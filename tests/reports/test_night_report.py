"""Quiz-night reports from hand-built results (the night module records real ones)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date

from report_fixtures import EVIL, NOW, sample_night
from report_html import ReportPage, external_urls

from studybuddy.reports import html, markdown
from studybuddy.reports.make import night_report
from studybuddy.reports.night import NightResults


def test_hardest_is_fewest_right_then_slowest():
    night = sample_night()
    # q-hard: 1 of 3 right; the others 2 or 3 of 3
    assert night.hardest.question_id == "q-hard"
    tie = NightResults("x", date(2025, 1, 1), (), night.questions[1:2] + night.questions[3:])
    # q-slow and q-mid: 2 of 3 right each; q-slow's mean time 41/3 s beats q-mid's 22/3 s
    assert tie.hardest.question_id == "q-slow"
    assert NightResults("x", date(2025, 1, 1), (), ()).hardest is None


def test_html_has_standings_hardest_and_every_answer():
    page_text = html.night_html(sample_night(), tz=UTC, generated=NOW)
    page = ReportPage(page_text)
    assert external_urls(page) == [] and "script" not in page.tags
    assert EVIL in page.text and EVIL not in page_text
    standings = page.text.split("Final standings", 1)[1]
    # winner first, then the tied pair by name
    assert standings.index(EVIL) < standings.index("ada") < standings.index("bob")
    hardest = page.text.split("found hardest", 1)[1]
    assert hardest.lstrip().startswith("How many parameters does GPT-2 small have?")
    assert "1 of 3 right" in hardest
    assert page_text.count('class="highlight"') == 1
    assert page.text.count("✓") == 8 and page.text.count("✗") == 4


def test_markdown_and_csv():
    night = sample_night()
    text = markdown.night_md(night, generated="now")
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in text
    assert "| 1 | \\<script\\>alert\\(1\\)\\</script\\> | 2300 |" in text
    found = list(csv.DictReader(io.StringIO(night_report(night, "csv", now=NOW, tz=UTC))))
    assert len(found) == sum(len(q.answers) for q in night.questions) == 12
    assert {r["question_number"] for r in found} == {"1", "2", "3", "4"}
