"""One call per report kind: gather, render in the asked format, write the file."""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from studybuddy.reports import build, html, jsondoc, markdown, tables
from studybuddy.reports.errors import ReportError
from studybuddy.reports.formats import FORMATS
from studybuddy.reports.formatting import moment
from studybuddy.reports.models import AttemptLine, GroupReport, LearnerReport
from studybuddy.reports.night import NightResults
from studybuddy.store.records import QuestionInfo
from studybuddy.study.catalog import Catalog


def bundled_catalog() -> Catalog:
    from studybuddy.banks.loader import load_bundled_banks

    return Catalog(load_bundled_banks().banks)


def _pdf(page: str) -> bytes:
    from studybuddy.reports.pdf import html_to_pdf

    return html_to_pdf(page)


# One renderer per format and report kind. Attempts (CSV rows, the JSON's answers) are read
# only by the formats that list them: `attempts` is called on demand.
Attempts = Callable[[], list[AttemptLine]]
R = TypeVar("R", LearnerReport, GroupReport)


def _history_formats(
    page: Callable[[R], str],
    md: Callable[[R], str],
    document: Callable[[R, list[AttemptLine]], Any],
) -> dict[str, Callable[[R, Attempts], str | bytes]]:
    """The formats of a report over answers (a learner's, the group's)."""
    return {
        "html": lambda report, attempts: page(report),
        "pdf": lambda report, attempts: _pdf(page(report)),
        "md": lambda report, attempts: md(report),
        "csv": lambda report, attempts: tables.attempts_csv(attempts()),
        "json": lambda report, attempts: jsondoc.dumps(document(report, attempts())),
    }


LEARNER_FORMATS = _history_formats(html.learner_html, markdown.learner_md, jsondoc.learner_document)
GROUP_FORMATS = _history_formats(html.group_html, markdown.group_md, jsondoc.group_document)
NIGHT_FORMATS: dict[str, Callable[[NightResults, datetime, tzinfo], str | bytes]] = {
    "html": lambda night, now, zone: html.night_html(night, tz=zone, generated=now),
    "pdf": lambda night, now, zone: _pdf(html.night_html(night, tz=zone, generated=now)),
    "md": lambda night, now, zone: markdown.night_md(night, generated=moment(now, zone)),
    "csv": lambda night, now, zone: tables.night_csv(night),
    "json": lambda night, now, zone: jsondoc.dumps(jsondoc.night_document(night, now)),
}
assert set(LEARNER_FORMATS) == set(GROUP_FORMATS) == set(NIGHT_FORMATS) == set(FORMATS)


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

    def attempts() -> list[AttemptLine]:
        return build.attempt_lines(
            store, [report.name], info, since=build.start_of(since, report.tz)
        )

    memory = None
    if fmt in ("html", "pdf", "md") and not report.empty:  # the memory section (fsrs)
        from studybuddy.reports import memory_section

        memory = memory_section.build(
            store,
            report.name,
            now=report.generated_at,
            tz=report.tz,
            since=build.start_of(since, report.tz),
        )
    page = functools.partial(html.learner_html, memory=memory)
    md = functools.partial(markdown.learner_md, memory=memory)
    formats = _history_formats(page, md, jsondoc.learner_document)
    return formats[fmt](report, attempts)


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

    def attempts() -> list[AttemptLine]:
        return build.attempt_lines(
            store,
            [row.name for row in report.leaderboard if row.attempts],
            catalog.question_info(),
            since=build.start_of(since, report.tz),
        )

    return GROUP_FORMATS[fmt](report, attempts)


def night_report(
    night: NightResults, fmt: str, *, now: datetime | None = None, tz: tzinfo | None = None
) -> str | bytes:
    return NIGHT_FORMATS[fmt](night, now or datetime.now(UTC), tz or build.local_tz())


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
    return f"{stem}-{day.isoformat()}.{fmt}"  # each format's name is its file suffix


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
