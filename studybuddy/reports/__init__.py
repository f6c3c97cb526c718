"""Progress reports: a learner's, the reading group's, a quiz night's; HTML, Markdown, CSV,
JSON or PDF.

Importing this package is cheap (the TUI and the CLI do it at start-up); the store, the banks,
Jinja2 and matplotlib load when a report is first made.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from studybuddy.reports.formats import FORMATS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from studybuddy.store.records import QuestionInfo


def write_learner_report(
    store: Any, profile: str, question_info: Mapping[str, QuestionInfo], folder: Path, **options
) -> Path:
    """Write `profile`'s HTML report into `folder` under a dated name and return its path."""
    from studybuddy.reports.make import write_learner_report as write

    return write(store, profile, question_info, folder, **options)


__all__ = ["FORMATS", "write_learner_report"]
