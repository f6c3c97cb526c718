"""The show-me warm-up: after the first frame, once the home screen has loaded, a worker
imports torch and runs a tiny demo, so the first `s` does not wait for them."""

from __future__ import annotations

import subprocess
import sys

from studybuddy.tui.app import StudyBuddyApp


async def test_the_warm_up_runs_once_the_home_screen_is_idle(app_factory, monkeypatch):
    import studybuddy.demos.warmup as warmup

    app = app_factory()
    seen: list[list[str]] = []

    def spy() -> None:
        # what else was running when the warm-up began: nothing but the warm-up itself
        seen.append([w.group for w in app.workers if w.is_running and w.group != "warm-up"])

    monkeypatch.setattr(warmup, "warm_up", spy)
    monkeypatch.setattr(StudyBuddyApp, "WARM_UP_POLL", 0.05)
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if seen:
                break
        await pilot.pause(0.3)
        assert seen == [[]]  # once, and after the banks and the progress had loaded


async def test_no_warm_up_when_it_is_switched_off(app_factory, monkeypatch):
    import studybuddy.demos.warmup as warmup

    calls: list[int] = []
    monkeypatch.setattr(warmup, "warm_up", lambda: calls.append(1))
    monkeypatch.setattr(StudyBuddyApp, "WARM_UP_POLL", None)
    app = app_factory()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause(0.5)
    assert calls == []


def test_warm_up_loads_torch_the_engine_and_the_highlighter():
    code = (
        "import sys\nfrom studybuddy.demos.warmup import warm_up\n"
        "assert 'torch' not in sys.modules\nwarm_up()\n"
        "print(' '.join(m for m in ('torch', 'studybuddy.engine.attention', "
        "'pygments.lexers.python', 'plotext') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [
        "torch",
        "studybuddy.engine.attention",
        "pygments.lexers.python",
        "plotext",
    ]
