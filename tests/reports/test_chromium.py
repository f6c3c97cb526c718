"""The HTML report as a browser draws it: headless Chromium screenshots, desktop and phone.

The PNGs land in tests/reports/artifacts/ (not committed) for a person to look at; the test
checks that Chromium drew a page with something on it, at both widths.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import UTC
from pathlib import Path

import pytest
from report_fixtures import EVIL, NOW

from studybuddy.reports.make import group_report, learner_report, save

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"


def screenshot(page: Path, png: Path, width: int, height: int) -> None:
    profile = tempfile.mkdtemp(prefix="studybuddy-chromium-")
    try:
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={width},{height}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK), reason=f"needs Debian's chromium at {CHROMIUM}"
)
def test_reports_render_in_chromium(store, catalog):
    import matplotlib.image

    ARTIFACTS.mkdir(exist_ok=True)
    pages = {
        "learner": learner_report(store, "ada", "html", catalog=catalog, now=NOW, tz=UTC),
        "learner-escaped": learner_report(store, EVIL, "html", catalog=catalog, now=NOW, tz=UTC),
        "group": group_report(store, "html", catalog=catalog, now=NOW, tz=UTC),
    }
    shots = [
        ("learner", 1200, 2000),
        ("learner", 400, 2000),
        ("learner-escaped", 400, 900),
        ("group", 1200, 1600),
    ]
    for name, width, height in shots:
        page = save(pages[name], ARTIFACTS / f"{name}.html")
        png = ARTIFACTS / f"{name}-{width}px.png"
        png.unlink(missing_ok=True)
        screenshot(page, png, width, height)
        pixels = matplotlib.image.imread(png)
        assert pixels.shape[:2] == (height, width)
        # a blank or error page is one flat colour; a report has text, tiles and charts
        assert pixels.std() > 0.05, f"{png.name} looks empty"
