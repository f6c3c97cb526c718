"""The host's projector view: tiles with shapes, answer bars with the right tile marked, the
leaderboard's rank changes, the podium; Pilot for behaviour, snapshots at 80×24 and 120×40."""

from __future__ import annotations

import pytest
from test_night_hotseat import NIGHT_BANKS, FakeClock, plain

from studybuddy.night import room as room_module
from studybuddy.night.records import NightSettings
from studybuddy.night.room import Night
from studybuddy.store import Store
from studybuddy.study.catalog import Catalog
from studybuddy.tui.night_app import NightApp
from studybuddy.tui.screens.night_host import NightHostScreen
from studybuddy.tui.screens.night_projector import NightProjectorScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
QUESTIONS = ("night-mc", "night-tf", "night-numeric")  # softmax is 2; the statement is false


@pytest.fixture
def night_at(tmp_path, monkeypatch):
    """A room of four played up to `phase`: "question" (the first, 5 s in, two answered),
    "reveal" (the second closed, after the first moved the board) or "finished"."""
    monkeypatch.setattr(room_module, "new_code", lambda: "KXBPT")
    clock = FakeClock()

    def build(phase: str, *, podium_size: int | None = None, projector: bool = True):
        from studybuddy.banks.loader import bank_files, load_banks

        database = str(tmp_path / "night.sqlite3")
        store = Store(database)
        catalog = Catalog(load_banks(bank_files(NIGHT_BANKS)).banks)
        night = Night.create(
            store, [catalog[q] for q in QUESTIONS], NightSettings(timer=20), clock=clock
        )
        ann, ben, cat, dan = (night.join(name) for name in ("Ann", "Ben", "Cat", "Dan"))
        night.start()
        clock.advance(2)
        night.answer(ann, 0, [1])  # right, 950
        clock.advance(3)
        night.answer(ben, 0, [3])  # GELU, wrong
        if phase != "question":
            night.answer(cat, 0, [1])  # right at 5 s: 875
            night.answer(dan, 0, [0])  # ReLU, wrong
            night.advance()  # reveal 1: Ann 950, Cat 875, Ben 0, Dan 0
            night.advance()  # question 2 (true or false: false)
            clock.advance(1)
            night.answer(dan, 1, False)  # right at 1 s: 975
            night.answer(ben, 1, False)  # right at 1 s: 975
            night.answer(ann, 1, True)  # wrong
            clock.advance(19)  # Cat lets the time run out
        if phase == "finished":
            night.advance()
            night.advance()  # question 3
            night.answer(cat, 2, "1.25")  # right at 0 s: 1000, Cat 1875
            night.advance()
            night.advance()  # finished
        app = NightApp(
            database,
            None,
            entry=lambda app: NightHostScreen(
                Night(app.store, night.id, clock=clock), projector=projector
            ),
            banks_dir=NIGHT_BANKS,
            podium_size=podium_size,
        )
        return app, night

    return build


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_projector_question_and_tiles(snap_compare, night_at, size):
    app, _ = night_at("question")
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_projector_answer_distribution(snap_compare, night_at, size):
    app, _ = night_at("reveal")
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_projector_podium(snap_compare, night_at, size):
    app, _ = night_at("finished")
    assert snap_compare(app, terminal_size=size, run_before=_settle)


async def test_tiles_carry_a_shape_and_the_key_number(night_at):
    app, _ = night_at("question")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        projector = app.screen
        assert isinstance(projector, NightProjectorScreen)
        tiles = [plain(tile).strip() for tile in projector.query(".tile")]
        assert tiles == ["▲ 1  ReLU", "◆ 2  softmax", "● 3  tanh", "■ 4  GELU"]
        assert len({str(tile.styles.background) for tile in projector.query(".tile")}) == 4
        assert "2 of 4 answered" in plain(projector.query_one("#night-banner"))
        assert "15 s" in plain(projector.query_one("#projector-countdown"))  # 20 s, 5 s gone


async def test_the_reveal_counts_the_room_and_moves_the_board(night_at):
    app, _ = night_at("reveal")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        projector = app.screen
        bars = plain(projector.query_one("#projector-bars"))
        lines = [line.split() for line in bars.splitlines() if line.strip()]
        # True by Ann, False (right) by Dan and Ben; Cat did not answer
        assert lines[0][:3] == ["▲", "1", "True"] and lines[0][-1] == "1" and "✓" not in lines[0]
        assert lines[1][:4] == ["◆", "2", "False", "✓"] and lines[1][-1] == "2"
        assert "1 did not answer in time" in bars
        board = [
            line.split() for line in plain(projector.query_one("#projector-board")).splitlines()
        ]
        rows = [row for row in board if row and row[0].isdigit()]
        # before: Ann 950 (1), Cat 875 (2), Ben 0 and Dan 0 (3, tied); after: Dan 975, Ben 975
        # (1, tied), Ann 950 (3), Cat 875 (4)
        assert rows == [
            ["1", "↑2", "Ben", "975", "+975"],
            ["1", "↑2", "Dan", "975", "+975"],
            ["3", "↓2", "Ann", "950"],
            ["4", "↓2", "Cat", "875"],
        ]
        await pilot.press("p")  # back to the host's own view
        await _settle(pilot)
        assert isinstance(app.screen, NightHostScreen)
        await pilot.press("p")
        await _settle(pilot)
        assert isinstance(app.screen, NightProjectorScreen)


async def test_the_host_moves_the_night_on_from_the_projector(night_at):
    app, night = night_at("reveal", projector=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, NightHostScreen)
        await pilot.press("p")
        await _settle(pilot)
        await pilot.press("n")  # question 3 opens: a typed answer, so no tiles
        await _settle(pilot)
        projector = app.screen
        assert night.state().phase == "question" and night.state().current == 2
        assert "What is 1 / (1 - p)" in plain(projector.query_one("#projector-prompt"))
        assert len(projector.query(".tile")) == 0
        await pilot.press("escape")  # never leaves the night from the wall
        await _settle(pilot)
        assert isinstance(app.screen, NightHostScreen)
    assert app.return_code is None or app.return_code == 0


async def test_a_podium_of_two_on_request(night_at):
    app, _ = night_at("finished", podium_size=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        podium = plain(app.screen.query_one("#projector-podium"))
        # Cat 1875, Ben 975 and Dan 975 share second, Ann 950 is off a podium of two
        assert "Cat" in podium and "Ben, Dan" in podium and "Ann" not in podium
        assert "1,875" in podium and "975" in podium
