"""Progress and its exported report: written under the data folder, the same figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studybuddy.store import Store
from studybuddy.tui.app import make_app
from studybuddy.tui.screens.progress import ProgressScreen

FIXTURE_BANKS = Path(__file__).parent / "fixtures" / "banks"
NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


def _seed(database: str) -> None:
    store = Store(database)
    answers = [("tui-mc", True, 40.0), ("tui-tf", False, 25.0), ("tui-numeric", True, 95.0)]
    for day, (question_id, correct, seconds) in enumerate(answers):
        store.record_attempt(
            "ada",
            question_id=question_id,
            bank_id="tui-sample",
            bank_version=1,
            answer=None,
            correct=correct,
            score=float(correct),
            seconds=seconds,
            at=NOW - timedelta(days=10 - day),
        )
    store.close()


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_export_goes_to_the_reports_folder_and_agrees_with_the_screen(
    database, tmp_path, monkeypatch, isolated_user_data
):
    monkeypatch.chdir(tmp_path)
    _seed(database)
    app = make_app(database=database, profile="ada", banks_dir=FIXTURE_BANKS)
    app.now = NOW
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("p")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        summary = str(screen.query_one("#progress-summary").render())
        sessions_shown = screen.query_one("#sessions").row_count
        await pilot.press("e")
        await _settle(pilot)
        notices = [str(n.message) for n in app._notifications]

    written = list((isolated_user_data / "reports").glob("*.html"))
    assert len(written) == 1
    assert not list(tmp_path.glob("*.html"))  # never silently into the current folder
    assert any(str(written[0]) in notice for notice in notices), notices

    page = written[0].read_text(encoding="utf-8")

    def tile(label: str) -> str:
        match = re.search(r'<span class="value">([^<]*)</span><span class="label">' + label, page)
        assert match, label
        return match.group(1)

    # by hand: 40 + 25 + 95 s = 160 s, which both round to 3 min; three days, three sessions
    assert "studied 3 min" in summary and tile("time answering") == "3 min"
    due = re.search(r"(\d+) due now", summary)
    assert due and tile("reviews due now") == due.group(1)
    assert "over 3 answers" in summary and "2 of 3 answers right" in page
    report_sessions = page.count("<tr><td>", page.index("Recent sessions"))
    assert sessions_shown == report_sessions == 3


def test_plurals_in_reports():
    from studybuddy.reports.formatting import plural

    assert plural(1, "study day") == "1 study day"
    assert plural(2, "study day") == "2 study days"
    assert plural(1200, "answer") == "1,200 answers"
