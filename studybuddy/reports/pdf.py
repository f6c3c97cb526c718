"""PDF reports: the HTML report laid out for A4 by WeasyPrint (its print styles apply)."""

from __future__ import annotations

import logging

from studybuddy.reports.errors import ReportError


def html_to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        # OSError: WeasyPrint installs from PyPI but needs the system's Pango library
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReportError(
            f"PDF needs WeasyPrint and the Pango library ({reason}); "
            "use --format html and print it to PDF from a browser instead"
        ) from None
    # WeasyPrint warns about CSS it skips (e.g. screen-only rules); the PDF is still complete
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return HTML(string=html).write_pdf()
    finally:
        logger.setLevel(level)
