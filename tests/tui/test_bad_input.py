"""A broken bank or a database that is not ours: a readable notice, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

from studybuddy.tui.app import make_app

FIXTURE_BANKS = Path(__file__).parent / "fixtures" / "banks"


async def test_a_broken_bank_is_named_and_the_others_still_load(tmp_path):
    banks = tmp_path / "banks"
    shutil.copytree(FIXTURE_BANKS, banks)
    (banks / "broken.yaml").write_text(
        "id: broken\ntitle: Broken\nsource: notes\nchapters:\n"
        "  - id: c\n    title: C\n    questions:\n"
        "      - id: bad-mc\n        type: mc\n        prompt: P\n        options: [a, b]\n"
        "        answer: [5]\n        explanation: E\n"
    )
    app = make_app(database=str(tmp_path / "db.sqlite3"), profile="ada", banks_dir=banks)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        notice = str(app.screen.query_one("#bank-problems").render())
        assert "broken.yaml:12: bad-mc: answer" in notice
        assert "tui-sample/every-type" in app.screen.rows


async def test_a_file_that_is_not_a_database_is_reported_and_left_alone(tmp_path):
    not_a_db = tmp_path / "notes.sqlite3"
    not_a_db.write_bytes(b"these are my notes, not a database\n" * 20)
    before = not_a_db.read_bytes()
    app = make_app(database=str(not_a_db), profile="ada", banks_dir=FIXTURE_BANKS)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("not" in m and "notes.sqlite3" in m for m in messages), messages
        assert app.is_running
    assert not_a_db.read_bytes() == before


async def test_every_screen_survives_a_database_that_cannot_be_opened(tmp_path):
    not_a_db = tmp_path / "notes.sqlite3"
    not_a_db.write_bytes(b"not a database\n" * 50)
    app = make_app(database=str(not_a_db), profile="ada", banks_dir=FIXTURE_BANKS)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        for keys in (["enter"], ["r"], ["p"], ["o"], ["l"], ["c"], ["d"], ["g"]):
            await pilot.press(*keys)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running, keys
            await pilot.press("escape")
            await pilot.pause()
    assert not_a_db.read_bytes() == b"not a database\n" * 50
