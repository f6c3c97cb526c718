"""The quiz-night set-up screen at 80x24 and 120x40, against approved SVG snapshots: one chapter
ticked (only its row marked), the host's options, and Start in sight at both sizes."""

from __future__ import annotations

from pathlib import Path

import pytest

from studybuddy.tui.app import make_app

NIGHT_BANKS = Path(__file__).parents[1] / "night" / "fixtures" / "banks"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_night_setup(snap_compare, tmp_path, monkeypatch, size):
    monkeypatch.chdir(tmp_path)
    app = make_app(database="progress.sqlite3", profile="ada", banks_dir=NIGHT_BANKS)

    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        pilot.app.screen.query_one("#night-chapters").select("night-sample/training")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
