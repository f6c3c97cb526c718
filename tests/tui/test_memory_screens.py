"""The memory model in the TUI: Settings fits (in a worker, the screen still answering keys) and
reverts, Progress shows true retention, calibration and the heatmap, `a` reviews ahead."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Rating
from sqlalchemy import text

from studybuddy.memory import fitting, synthetic
from studybuddy.memory.ahead import EARLY_MODE
from studybuddy.store import Store
from studybuddy.store import fitted as stored_fits
from studybuddy.store.db import writer
from studybuddy.tui.app import make_app
from studybuddy.tui.screens.progress import ProgressScreen
from studybuddy.tui.screens.quiz import QuizScreen
from studybuddy.tui.screens.settings import SettingsScreen

FIXTURE_BANKS = Path(__file__).parent / "fixtures" / "banks"
NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
FITTED = synthetic.forgetful_parameters()
BEFORE = fitting.Evaluation(600, 0.537, 0.411)
AFTER = fitting.Evaluation(600, 0.505, 0.402)


def _answer(store, question_id, rating, at, learner="ada"):
    store.record_attempt(
        learner, question_id=question_id, bank_id="tui-sample", bank_version=1, answer=None,
        correct=rating != Rating.Again, score=float(rating != Rating.Again), seconds=12.0,
        rating=rating, at=at,
    )  # fmt: skip


def _seed(database, learner="ada"):
    """Three questions over three weeks: tui-mc and tui-tf reach review, tui-numeric not."""
    store = Store(database)
    start = NOW - timedelta(days=21)
    for day, question_id, rating in [
        (0, "tui-mc", Rating.Easy),
        (0, "tui-tf", Rating.Easy),
        (0, "tui-numeric", Rating.Again),
        (9, "tui-mc", Rating.Good),
        (9, "tui-tf", Rating.Again),
        (15, "tui-mc", Rating.Good),
    ]:
        _answer(store, question_id, rating, start + timedelta(days=day), learner)
    store.close()


async def _until(pilot, condition, seconds: float = 10.0) -> None:
    """Let the app run until `condition()` holds (the fit worker blocks: no wait_for_complete)."""
    for _ in range(int(seconds / 0.02)):
        await pilot.pause()
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the app never got there")


def _text(screen, selector) -> str:
    return str(screen.query_one(selector).render())


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _app(database, profile="ada"):
    app = make_app(database=database, profile=profile, banks_dir=FIXTURE_BANKS)
    app.now = NOW
    return app


async def test_optimize_runs_in_a_worker_keys_still_work_and_revert_undoes_it(database):
    _seed(database)
    release = threading.Event()
    started = threading.Event()

    def slow_fit(logs, *, progress=False):  # stands in for fsrs's minute-long Optimizer
        started.set()
        assert release.wait(20)
        return fitting.Fit(FITTED, 600, BEFORE, AFTER)

    app = _app(database)
    app.session.fitter = slow_fit
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("o")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        assert "fsrs's default parameters" in _text(screen, "#model-status")
        assert screen.query_one("#revert").disabled  # nothing to revert yet

        await pilot.press("ctrl+o")
        await _until(pilot, started.is_set)
        assert screen.query_one("#fit-progress").display
        assert screen.query_one("#optimize").disabled
        assert "Fitting fsrs's parameters" in _text(screen, "#fit-status")

        # the fit is still running: the screen answers keys meanwhile
        theme = app.theme
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme != theme
        screen.query_one("#retention").focus()
        screen.query_one("#retention").value = ""
        await pilot.press("0", ".", "8", "5", "enter")
        await pilot.pause()
        assert "Saved" in _text(screen, "#retention-status")
        assert screen.fitting  # still fitting

        release.set()
        await _until(pilot, lambda: not screen.fitting)
        await _settle(pilot)
        status = _text(screen, "#fit-status")
        assert "log loss 0.537 → 0.505" in status and "RMSE 0.411 → 0.402" in status
        assert "3 questions rescheduled" in status
        assert not screen.query_one("#fit-progress").display
        assert "fitted on 2026-11-20 to 600" in _text(screen, "#model-status")
        assert not screen.query_one("#revert").disabled

        await pilot.click("#revert")
        await _settle(pilot)
        assert "now using fsrs's default parameters" in _text(screen, "#fit-status")
        assert "fsrs's default parameters" in _text(screen, "#model-status")

    store = Store(database)
    try:
        assert store.settings("ada").desired_retention == 0.85
        from studybuddy.memory import service

        assert service.model(store, "ada").fits == 0
    finally:
        store.close()


async def test_below_512_reviews_optimize_says_how_many_and_changes_nothing(database):
    _seed(database)
    store = Store(database)
    before = store.cards("ada")
    store.close()
    app = _app(database)  # the real optimiser: it refuses before importing torch
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("o")
        await _settle(pilot)
        screen = app.screen
        # by hand: tui-mc's reviews on days 9 and 15 and tui-tf's on day 9 follow one a day
        # or more before; the day-0 answers are firsts
        assert "3 of 512 reviews so far" in _text(screen, "#model-status")
        await pilot.press("ctrl+o")
        await _until(pilot, lambda: not screen.fitting)
        status = _text(screen, "#fit-status")
        assert "3 of 512 reviews so far" in status and "nothing was changed" in status
    store = Store(database)
    try:
        assert store.cards("ada") == before
    finally:
        store.close()


async def test_no_reviews_and_a_corrupt_fit_are_said_plainly(database):
    store = Store(database)
    store.add_learner("new")
    for minute in range(30):
        _answer(store, "tui-mc", Rating.Good, NOW - timedelta(hours=5, minutes=minute), "day")
    learner_id = store.learner_id("[b]ada[/b]")
    _answer(store, "tui-mc", Rating.Good, NOW - timedelta(days=3), "[b]ada[/b]")
    with writer(store.engine).begin() as connection:
        fit_id = stored_fits.add_fit(
            connection, learner_id, parameters=FITTED, reviews=600, log_loss=(0.5, 0.4),
            rmse=(0.4, 0.3), at=NOW,
        )  # fmt: skip
        connection.execute(
            text("UPDATE parameter_fit SET parameters = '[1, 2' WHERE id = :id"), {"id": fit_id}
        )
    store.close()

    app = _app(database, "new")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("o")
        await _settle(pilot)
        screen = app.screen
        assert "0 of 512 reviews so far" in _text(screen, "#model-status")
        await pilot.press("ctrl+o")
        await _until(pilot, lambda: not screen.fitting)
        assert "'new' has no reviews yet: 0 of 512" in _text(screen, "#fit-status")

    app = _app(database, "day")  # thirty answers within one morning
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("o")
        await _settle(pilot)
        screen = app.screen
        await pilot.press("ctrl+o")
        await _until(pilot, lambda: not screen.fitting)
        status = _text(screen, "#fit-status")
        assert "0 of 512 reviews so far" in status and "all on one day" in status

    app = _app(database, "[b]ada[/b]")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("o")
        await _settle(pilot)
        shown = _text(app.screen, "#model-status")
        # the learner's name as typed (markup-like, shown literally) and the defaults in use
        assert "'[b]ada[/b]' on 2026-11-20 cannot be read" in shown
        assert "fsrs's default parameters" in shown
        await pilot.press("escape", "p")
        await _settle(pilot)
        assert isinstance(app.screen, ProgressScreen)
        assert "cannot be read" in _text(app.screen, "#memory-model")


def _fsrs_recall(card, at) -> float:
    """fsrs's own retrievability, the reference for our binning and ordering."""
    from fsrs import Scheduler

    return float(Scheduler(enable_fuzzing=False).get_card_retrievability(card, at))


async def test_progress_shows_true_retention_calibration_and_the_heatmap(database):
    from fsrs import Card, Scheduler
    from fsrs.scheduler import DEFAULT_PARAMETERS

    _seed(database)
    app = _app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("p")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        rows = {
            r[0]: r[1:]
            for r in (
                screen.query_one("#true-retention").get_row_at(i)
                for i in range(screen.query_one("#true-retention").row_count)
            )
        }
        # by hand: the reviews of cards already in review are tui-mc's on days 9 and 15
        # (remembered) and tui-tf's on day 9 (Again); tui-numeric never left learning
        assert rows["all time"][2] == "67% of 3"
        assert rows["past week"][2] == "100% of 1"  # only day 15 is within the week
        assert rows["past day"][2] == "– of 0"
        assert all(r[3] == "90%" for r in rows.values())  # the desired retention beside it
        assert "desired retention of 90%" in _text(screen, "#retention-heading")

        # calibration by hand: tui-mc and tui-tf were both Easy on day 0 (stability w3) and
        # reviewed 9 days later, so fsrs predicted the same recall for both: one remembered
        w = DEFAULT_PARAMETERS
        first = (1 + (0.9 ** (-1 / w[20]) - 1) * 9 / w[3]) ** -w[20]
        start = NOW - timedelta(days=21)
        scheduler = Scheduler(enable_fuzzing=False)
        card, _ = scheduler.review_card(Card(card_id=1, due=start), Rating.Easy, start)
        card, _ = scheduler.review_card(card, Rating.Good, start + timedelta(days=9))
        second = _fsrs_recall(card, start + timedelta(days=15))
        expected = {int(first * 10): [2, first, 0.5], int(second * 10): [1, second, 1.0]}
        assert len(expected) == 2  # different bins
        table = screen.query_one("#calibration")
        shown = [table.get_row_at(i) for i in range(table.row_count)]
        assert [
            [f"{k / 10:.0%}–{(k + 1) / 10:.0%}", str(n), f"{p:.0%}", f"{kept:.0%}"]
            for k, (n, p, kept) in sorted(expected.items())
        ] == shown

        heatmap = _text(screen, "#heatmap")
        assert heatmap.count("■") == 3 + 4  # three days with reviews, and the legend's four
        assert "Mon" in heatmap and "less" in heatmap
        assert "fsrs's default parameters" in _text(screen, "#memory-model")
        assert "3 of 512 reviews so far" in _text(screen, "#memory-model")


async def test_a_reviews_the_chapter_ahead_least_remembered_first(database):
    _seed(database)
    store = Store(database)
    cards = store.cards("ada")
    store.close()
    app = _app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("a")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        assert screen.study.mode == "ahead"
        # the three questions met, by fsrs's own recall now, lowest first; the unmet left out
        expected = sorted(cards, key=lambda q: _fsrs_recall(cards[q], NOW))
        assert screen.study.question_ids == expected
        assert expected[0] == "tui-numeric"  # wrong on its only answer, three weeks ago
        await pilot.press(*"1.25", "enter")
        await _settle(pilot)
    store = Store(database)
    try:
        last = store.attempts("ada")[-1]
        assert (last.question_id, last.mode, last.correct) == ("tui-numeric", EARLY_MODE, True)
    finally:
        store.close()


async def test_a_on_a_chapter_never_met_says_so(database):
    app = _app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("a")
        await _settle(pilot)
        assert not isinstance(app.screen, QuizScreen)
        assert any("study it first" in str(n.message) for n in app._notifications)


async def test_leaving_settings_mid_fit_keeps_one_fit_and_still_tells_the_result(database):
    _seed(database)
    release = threading.Event()
    calls = []

    def slow_fit(logs, *, progress=False):
        calls.append(len(logs))
        assert release.wait(20)
        return fitting.Fit(FITTED, 600, BEFORE, AFTER)

    app = _app(database)
    app.session.fitter = slow_fit
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("o")
        await _settle(pilot)
        await pilot.press("ctrl+o")
        await _until(pilot, lambda: calls)
        await pilot.press("escape", "o")  # away and back: a new Settings screen
        await _until(pilot, lambda: "Reading" not in _text(app.screen, "#model-status"))
        screen = app.screen
        await pilot.press("ctrl+o")
        await _until(pilot, lambda: not screen.fitting)
        assert "a fit is already running" in _text(screen, "#fit-status")
        release.set()
        await _until(
            pilot, lambda: any("Fitted to 600" in str(n.message) for n in app._notifications)
        )
    assert len(calls) == 1


async def test_the_palette_offers_each_chapter_before_the_meeting(database):
    from textual.command import CommandPalette

    _seed(database)
    app = _app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("p")  # from another screen: the command goes home first
        await _settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"before the meeting every")
        await pilot.pause(0.6)
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, QuizScreen) and app.screen.study.mode == "ahead"
        assert app.screen.study.title == "Before the meeting · Every question type"
