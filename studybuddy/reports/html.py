"""HTML reports: one self-contained file (styles and charts inline), escaped by Jinja2."""

from __future__ import annotations

import shlex
from datetime import date
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context

from studybuddy import __version__
from studybuddy.reports import charts, formatting
from studybuddy.reports.models import GroupReport, LearnerReport, share
from studybuddy.reports.night import NightResults


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("studybuddy.reports", "templates"),
        autoescape=True,  # every name, answer and prompt is text, never markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        pct=formatting.percent,
        count=formatting.count,
        duration=formatting.duration,
        day=formatting.day,
        days=formatting.days,
        plural=formatting.plural,
        shell=shlex.quote,
        moment=_moment,
    )
    return environment


@pass_context
def _moment(context, value) -> str:
    """A time in the report's time zone."""
    return formatting.moment(value, context["tz"])


def _render(template: str, *, tz, generated, **context) -> str:
    return (
        _environment()
        .get_template(template)
        .render(version=__version__, tz=tz, generated=formatting.moment(generated, tz), **context)
    )


def _period(since: date | None, generated) -> str:
    if since is None:
        return f"All history up to {formatting.moment(generated, generated.tzinfo)}"
    return f"Answers since {formatting.day(since)}"


def learner_html(report: LearnerReport, memory=None) -> str:
    """`memory`: a memory_section.MemorySection, shown when given."""
    stats = report.stats
    chart_svgs = {}
    best_day = None
    if not report.empty:
        chart_svgs = {
            "accuracy": charts.accuracy_over_time(stats.by_day),
            "forecast": charts.review_forecast(stats.forecast),
        }
        # unstarted chapters would be empty bars; the table below lists every chapter
        started = [(c.title, c.questions, c.seen, c.mastered) for c in report.chapters if c.seen]
        if started:
            chart_svgs["mastery"] = charts.mastery_by_chapter(started)
        best_day = max(stats.by_day, key=lambda d: (d.accuracy, d.attempts))
    return _render(
        "learner.html.j2",
        tz=report.tz,
        generated=report.generated_at,
        report=report,
        period=_period(report.since, report.generated_at.astimezone(report.tz)),
        charts=chart_svgs,
        best_day=best_day,
        forecast_total=sum(day.due for day in stats.forecast),
        memory=memory,
    )


def group_html(report: GroupReport) -> str:
    chart_svgs = {}
    if not report.empty:
        # chapters nobody has started would only add rows of zeros; the table lists them
        started = [
            i
            for i in range(len(report.chapters))
            if any(m.chapters[i].seen for m in report.members)
        ]
        if started:
            chart_svgs["heatmap"] = charts.mastery_heatmap(
                [report.chapters[i][1] for i in started],
                [m.name for m in report.members],
                [
                    [share(m.chapters[i].mastered, m.chapters[i].questions) for m in report.members]
                    for i in started
                ],
            )
    return _render(
        "group.html.j2",
        tz=report.tz,
        generated=report.generated_at,
        report=report,
        period=_period(report.since, report.generated_at.astimezone(report.tz)),
        charts=chart_svgs,
    )


def night_html(night: NightResults, *, tz, generated) -> str:
    standings = night.standings
    right = {p.name: 0 for p in standings}
    for question in night.questions:
        for answer in question.answers:
            if answer.correct and answer.player in right:
                right[answer.player] += 1
    chart_svgs = {}
    if standings:
        chart_svgs["scores"] = charts.night_scores([(p.name, p.score) for p in standings])
    return _render(
        "night.html.j2",
        tz=tz,
        generated=generated,
        night=night,
        standings=standings,
        right=right,
        hardest=night.hardest,
        most_missed=night.most_missed(),
        misses={p.name: night.misses_of(p.name) for p in standings},
        charts=chart_svgs,
    )
