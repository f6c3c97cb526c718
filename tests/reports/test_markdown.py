"""Markdown reports: whatever a name contains, a Markdown renderer shows it as written."""

from __future__ import annotations

from datetime import UTC

import pytest
from markdown_it import MarkdownIt
from report_fixtures import EVIL, NOW, STARRED
from report_html import ReportPage

from studybuddy.reports import build, markdown


def rendered(text: str) -> ReportPage:
    # CommonMark with raw HTML allowed, as most wikis and chat previews render it
    return ReportPage(MarkdownIt("commonmark").enable("table").render(text))


@pytest.mark.parametrize(
    "written",
    [EVIL, STARRED, "1. not a list", "- not a bullet", "# not a heading", "a & b &amp; c", "\\*"],
)
def test_escaped_text_renders_as_written(written):
    page = rendered(f"- {markdown.text(written)}\n")
    assert page.text == written
    assert page.tags == ["ul", "li"]


@pytest.mark.parametrize("name", [EVIL, STARRED])
def test_learner_names_stay_text(store, catalog, name):
    report = build.build_learner_report(store, name, catalog, now=NOW, tz=UTC)
    page = rendered(markdown.learner_md(report))
    assert f"Progress report: {name}" in page.text
    # the heading holds text only: the next tag is the paragraph after it
    assert page.tags[:2] == ["h1", "p"]
    assert "script" not in page.tags


def test_group_table_keeps_every_member_in_its_own_column(store, catalog, seeded):
    report = build.build_group_report(store, catalog, now=NOW, tz=UTC)
    text = markdown.group_md(report)
    page = rendered(text)
    assert "script" not in page.tags
    header = next(line for line in text.splitlines() if line.startswith("| Chapter |"))
    # a '|' inside a name must not split the column
    assert header.count(" | ") == len(report.members)
    members = {p.learner for p in seeded.plan} | {"empty"}
    for name in members:
        assert name in page.text


def test_learner_markdown_lists_the_numbers(store, catalog, seeded):
    report = build.build_learner_report(store, "ada", catalog, now=NOW, tz=UTC)
    text = markdown.learner_md(report)
    plan = seeded.of("ada")
    right = sum(p.correct for p in plan)
    assert (
        f"| Accuracy | {round(100 * right / len(plan))}% ({right} of {len(plan)} answers right) |"
        in text
    )
    assert "| Study streak | 3 days (longest 5 days) |" in text
    for question_id in seeded.weak:
        assert f"`studybuddy show {catalog[question_id].question.show_me.demo}" in text


@pytest.mark.parametrize(
    "written",
    ["plain", "a`b", "a``[live](https://example.com)``b", "`edge`", "```x```", "<b>x</b> | y"],
)
def test_code_spans_cannot_be_closed_from_inside(written):
    page = rendered(f"- {markdown.code(written)}\n")
    assert page.tags == ["ul", "li", "code"]  # one code span, no link or other markup
    assert page.text.strip() == written.strip()


def test_a_learner_name_with_backticks_does_not_become_a_link(store, catalog):
    name = "Dana``[win](https://example.com)``"
    store.add_learner(name)
    report = build.build_learner_report(store, name, catalog, now=NOW, tz=UTC)
    page = rendered(markdown.learner_md(report))
    assert "a" not in page.tags
