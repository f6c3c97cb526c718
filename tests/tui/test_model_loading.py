"""SmolLM2 loads in a worker after the warm-up: the show-me screen says so while it loads, and
the app (home screen, quiz, other demos) does not wait for it. The load is a fake that blocks
until the test releases it, so nothing here depends on the real half-gigabyte model."""

from __future__ import annotations

import threading

from studybuddy.tui.app import StudyBuddyApp
from studybuddy.tui.screens.quiz import QuizScreen
from studybuddy.tui.screens.show_me import ShowMeScreen


async def _until(pilot, condition, tries: int = 200) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


async def test_the_model_loads_in_a_worker_with_a_visible_indicator(app_factory, monkeypatch):
    import studybuddy.demos.warmup as warmup

    monkeypatch.setattr(warmup, "warm_up", lambda: None)
    monkeypatch.setattr(StudyBuddyApp, "WARM_UP_POLL", 0.05)
    monkeypatch.setattr(StudyBuddyApp, "PRELOAD_MODEL", True)
    release = threading.Event()
    calls: list[int] = []

    def slow_loader() -> str:
        calls.append(1)
        release.wait(timeout=600)  # the test sets it; the bound only ends a hung run
        return "SmolLM2 loaded"

    app = app_factory()
    app.model_loader = slow_loader
    ticks = iter(range(0, 1000, 3))  # each look at the clock: 3 s later
    app.clock = lambda: float(next(ticks))
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: app.model_loading_since is not None)
        # the quiz does not wait for the model
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, QuizScreen))
        await pilot.press("escape")
        await _until(pilot, lambda: not isinstance(app.screen, QuizScreen))
        # a show-me opened meanwhile says what is loading and for how long, and a demo that
        # needs no model still runs
        screen = ShowMeScreen("rope")
        app.push_screen(screen)
        await _until(pilot, lambda: screen.runs >= 1)
        status = screen.query_one("#model-status")
        await _until(pilot, lambda: "loading SmolLM2 …" in str(status.render()))
        assert status.display
        assert str(status.render()).rstrip().endswith(" s")
        release.set()
        await _until(pilot, lambda: app.model_loading_since is None)
        await _until(pilot, lambda: not status.display)
        assert app.model_status == "SmolLM2 loaded"
        assert calls == [1]  # loaded once


async def test_a_failed_load_is_kept_as_one_line(app_factory, monkeypatch):
    import studybuddy.demos.warmup as warmup

    monkeypatch.setattr(warmup, "warm_up", lambda: None)
    monkeypatch.setattr(StudyBuddyApp, "WARM_UP_POLL", 0.05)
    monkeypatch.setattr(StudyBuddyApp, "PRELOAD_MODEL", True)

    def broken() -> str:
        raise ValueError("/x/model.gguf: sha256 is 00..., expected b1...")

    app = app_factory()
    app.model_loader = broken
    async with app.run_test(size=(100, 32)) as pilot:
        await _until(pilot, lambda: app.model_status != "")
        assert app.model_status.startswith("/x/model.gguf: sha256")
        assert app.model_loading_since is None


async def test_a_load_a_demo_started_is_shown_too(app_factory, monkeypatch):
    """Before the app's own load begins (the warm-up still running), a show-me on SmolLM2
    loads it itself; the screen says so all the same."""
    from studybuddy.demos import shipped

    seconds: list[float | None] = [4.2]
    monkeypatch.setattr(shipped, "loading_seconds", lambda: seconds[0])
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = ShowMeScreen("rope")
        app.push_screen(screen)
        await _until(pilot, lambda: screen.runs >= 1)
        status = screen.query_one("#model-status")
        await _until(pilot, lambda: "loading SmolLM2 … 4 s" in str(status.render()))
        seconds[0] = None
        await _until(pilot, lambda: not status.display)
