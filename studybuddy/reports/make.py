"""One call per report kind: gather, render in the asked format, write the file."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

from studybuddy.reports import build, html, jsondoc, markdown, tables
from studybuddy.reports.errors import ReportError
from studybuddy.reports.night import NightResults
from studybuddy.store.records import QuestionInfo
from studybuddy.study.catalog import Catalog

SUFFIXES = {"html": "html", "md": "md", "csv": "csv", "json": "json", "pdf": "pdf"}


def bundled_catalog() -> Catalog:
    from studybuddy.banks.loader import load_bundled_banks

    return Catalog(load_bundled_banks().banks)


def _finish(page: str, fmt: str) -> str | bytes:
    if fmt == "pdf":
        from studybuddy.reports.pdf import html_to_pdf

        return html_to_pdf(page)
    return page


def learner_report(
    store,
    profile: str,
    fmt: str,
    *,
    catalog: Catalog,
    question_info: Mapping[str, QuestionInfo] | None = None,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    since: date | None = None,
) -> str | bytes:
    info = question_info if question_info is not None else catalog.question_info()
    report = build.build_learner_report(
        store, profile, catalog, question_info=info, now=now, tz=tz, since=since
    )
    if fmt in ("csv", "json"):
        attempts = build.attempt_lines(
            store, [report.name], info, since=build.start_of(since, report.tz)
        )
        if fmt == "csv":
            return tables.attempts_csv(attempts)
        return jsondoc.dumps(jsondoc.learner_document(report, attempts))
    if fmt == "md":
        return markdown.learner_md(report)
    memory = None
    if not report.empty:
        from studybuddy.reports import memory_section

        memory = memory_section.build(store, report.name, now=report.generated_at, tz=report.tz)
    return _finish(html.learner_html(report, memory=memory), fmt)


def group_report(
    store,
    fmt: str,
    *,
    catalog: Catalog,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    since: date | None = None,
) -> str | bytes:
    report = build.build_group_report(store, catalog, now=now, tz=tz, since=since)
    if fmt in ("csv", "json"):
        attempts = build.attempt_lines(
            store,
            [row.name for row in report.leaderboard if row.attempts],
            catalog.question_info(),
            since=build.start_of(since, report.tz),
        )
        if fmt == "csv":
            return tables.attempts_csv(attempts)
        return jsondoc.dumps(jsondoc.group_document(report, attempts))
    if fmt == "md":
        return markdown.group_md(report)
    return _finish(html.group_html(report), fmt)


def night_report(
    night: NightResults, fmt: str, *, now: datetime | None = None, tz: tzinfo | None = None
) -> str | bytes:
    from studybuddy.reports import formatting

    now = now or datetime.now(UTC)
    zone = tz or build.local_tz()
    if fmt == "csv":
        return tables.night_csv(night)
    if fmt == "json":
        return jsondoc.dumps(jsondoc.night_document(night, now))
    if fmt == "md":
        return markdown.night_md(night, generated=formatting.moment(now, zone))
    return _finish(html.night_html(night, tz=zone, generated=now), fmt)


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return slug[:40] or "profile"


def default_filename(kind: str, fmt: str, day: date, name: str = "") -> str:
    """e.g. studybuddy-report-ada-2025-03-14.html, studybuddy-group-2025-03-14.md"""
    if kind == "learner":
        stem = f"studybuddy-report-{_slug(name)}"
    elif kind == "night":
        stem = f"studybuddy-night-{_slug(name)}"
    else:
        stem = "studybuddy-group"
    return f"{stem}-{day.isoformat()}.{SUFFIXES[fmt]}"


def save(content: str | bytes, path: Path) -> Path:
    """Written beside the target and renamed, so a reader never sees half a report."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # a read-only folder refuses even this
            partial.unlink(missing_ok=True)
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def write_learner_report(
    store,
    profile: str,
    question_info: Mapping[str, QuestionInfo],
    folder: Path,
    *,
    catalog: Catalog | None = None,
    now: datetime | None = None,
    tz: tzinfo | None = None,
) -> Path:
    """The default report (HTML, every answer so far) written into `folder`; returns its path."""
    now = now or datetime.now(UTC)
    zone = tz or build.local_tz()
    name = store.learner(profile).name
    page = learner_report(
        store,
        name,
        "html",
        catalog=catalog or bundled_catalog(),
        question_info=question_info,
        now=now,
        tz=zone,
    )
    filename = default_filename("learner", "html", now.astimezone(zone).date(), name)
    return save(page, Path(folder) / filename)
