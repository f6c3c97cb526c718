"""PDF reports through WeasyPrint, where it and the Pango library are installed."""

from __future__ import annotations

import re
import zlib
from datetime import UTC

import pytest
from report_fixtures import NOW

from studybuddy.reports.make import learner_report


def _weasyprint_missing() -> str | None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:  # OSError: the system's Pango library is missing
        return f"WeasyPrint cannot be imported here ({str(exc).splitlines()[0]})"
    return None


def _objects(pdf: bytes) -> list[bytes]:
    """The file's bytes and every deflated stream in it, inflated (page objects may sit in an
    object stream)."""
    found = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            found.append(zlib.decompress(stream))
        except zlib.error:
            pass  # images and fonts with other filters
    return found


@pytest.mark.slow
@pytest.mark.skipif(_weasyprint_missing() is not None, reason=str(_weasyprint_missing()))
def test_learner_report_as_pdf(store, catalog):
    pdf = learner_report(store, "ada", "pdf", catalog=catalog, now=NOW, tz=UTC)
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b", b"".join(_objects(pdf))))
    # A4 with print styles: the charts and tables of a short history fit in a few pages
    assert 2 <= pages <= 6
