"""Does the TUI stay responsive while fsrs's optimiser and the workload simulator run?

Run: .venv/bin/python benchmarks/tui_responsiveness.py [--reviews 900] [--cards 300]

The app runs headless (Textual's Pilot) on a temporary database holding a synthetic learner
(studybuddy.memory.synthetic). Three phases, each measured the same way:

- idle: nothing running (the baseline);
- fit: Settings, Ctrl+O: fsrs's real Optimizer fits `--reviews` reviews in its thread worker
  (torch is imported inside it on first use, as in the app);
- simulator: Progress, `e`, for a second learner with `--cards` cards: the report export,
  whose memory section runs the workload simulator (8 retentions x 30/90 days) in its worker.

Two figures per phase: how late a 50 ms interval timer fires (the event loop's lag: what a
spinner or the elapsed-seconds counter feels), and how long a key press takes to take effect
(a key bound to an action that only counts it, until it has counted). The worker threads
share the GIL with the event loop, so the lag measures exactly that contention. Keep the
history small: the fit of 900 reviews takes about half a minute on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from textual import events

from studybuddy.memory import fitting, history, synthetic

TICK = 0.05
PING_KEY = "f9"
BANKS = Path(__file__).resolve().parent.parent / "tests" / "tui" / "fixtures" / "banks"


def _learner(name: str, cards: int, days: int, reviews: int | None = None) -> dict:
    """One learner in `db export`'s format: synthetic attempts and the cards they give."""
    from studybuddy.store import scheduling

    learner = synthetic.Learner(true=synthetic.forgetful_parameters())
    records = synthetic.attempts(learner, cards=cards, days=days)[:reviews]
    states = history.cards_now(history.replay(records))
    return {
        "name": name,
        "created_at": synthetic.START.isoformat(),
        "desired_retention": 0.9,
        "attempts": [
            {
                "question_id": r.question_id,
                "bank_id": "synthetic",
                "bank_version": 1,
                "answer": None,
                "correct": r.correct,
                "score": r.score,
                "seconds": r.seconds,
                "mode": r.mode,
                "answered_at": r.answered_at.isoformat(),  # type: ignore[union-attr]
                "rating": r.rating,
            }  # fmt: skip
            for r in records
        ],
        "review_states": [
            {"question_id": q, **scheduling.card_fields(card)} for q, card in states.items()
        ],
    }


def seed(database: str, folder: Path, reviews: int, cards: int) -> int:
    """'ada' with about `reviews` reviews (for the fit) and 'bo' with `cards` cards over two
    weeks (for the simulator), imported in one go as `db import` would; returns the reviews
    of ada's that the optimiser counts."""
    import json

    from studybuddy.store import Store

    per_card = 12.1  # what the synthetic learner averages over 120 days (benchmarks/fsrs_fit.py)
    ada = _learner("ada", max(1, round(reviews / per_card)), 120, reviews)
    bo = _learner("bo", cards, 14)
    path = folder / "seed.json"
    document = {"format": "studybuddy-export", "version": 1, "schema_version": 2}
    path.write_text(json.dumps({**document, "learners": [ada, bo]}, default=str))
    store = Store(database)
    try:
        store.import_from(path)
        counted = fitting.counted_reviews(history.review_logs(store.attempts("ada")))
    finally:
        store.close()
    return counted


def _summary(values: list[float]) -> str:
    if not values:
        return "no samples"
    ms = sorted(1000 * v for v in values)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):6.1f}  p95 {p95:6.1f}  max {ms[-1]:6.1f} ms"


async def measure(
    app, pilot, label: str, running: Callable[[], bool], at_most: float, presses: bool = True
) -> None:
    late: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, now - last[0] - TICK))
        last[0] = now

    timer = app.set_interval(TICK, tick)
    keys: list[float] = []
    start = time.perf_counter()
    while running() and time.perf_counter() - start < at_most:
        if presses:
            seen = app.pings
            pressed = time.perf_counter()
            # straight into the app's queue, as the terminal driver does: Pilot's press also
            # waits for every widget to be idle, which an animated bar never quite is
            app.post_message(events.Key(PING_KEY, None))
            while app.pings == seen:
                await asyncio.sleep(0.001)
            keys.append(time.perf_counter() - pressed)
        await asyncio.sleep(0.25)
    timer.stop()
    took = time.perf_counter() - start
    print(f"{label:10} {took:6.1f} s   timer lateness: {_summary(late)}")
    print(f"{'':10} {'':8}   key to effect:  {_summary(keys)}  ({len(keys)} presses)")


async def run(database: str, fit_seconds: float) -> None:
    from studybuddy.tui.app import StudyBuddyApp, make_app

    StudyBuddyApp.WARM_UP_POLL = None  # no show-me warm-up mixing torch into the figures
    app = make_app(database=database, profile="ada", banks_dir=BANKS)
    # a key whose action only counts: what is measured is the loop getting to it, not the
    # work a real key does (Ctrl+T re-styles every widget and takes far longer on its own)
    app.pings = 0

    def action_bench_ping() -> None:
        app.pings += 1

    app.action_bench_ping = action_bench_ping  # type: ignore[attr-defined]
    app.bind(PING_KEY, "bench_ping", show=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await measure(app, pilot, "idle", lambda: True, 3.0)

        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        await pilot.press("ctrl+o")
        await pilot.pause()
        await measure(app, pilot, "fit", lambda: screen.fitting, fit_seconds)
        if screen.fitting:
            print("  (the fit ran past --fit-seconds; waiting for it to end)")
            while screen.fitting:
                await asyncio.sleep(0.5)
        print(f"{'':10} {'':8}   fit: {screen.query_one('#fit-status').render()}")

        await pilot.press("escape")
        assert app.switch_profile("bo")  # the learner with many cards
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("e")

        def exporting() -> bool:
            return any(w.group == "export" and w.is_running for w in app.workers)

        await measure(app, pilot, "simulator", exporting, 60.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=900, help="history size (>= ~800)")
    parser.add_argument("--cards", type=int, default=300, help="cards for the simulator")
    parser.add_argument("--fit-seconds", type=float, default=120.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["STUDYBUDDY_DATA_DIR"] = folder  # the export goes here, not into ~
        database = str(Path(folder) / "bench.sqlite3")
        started = time.perf_counter()
        counted = seed(database, Path(folder), args.reviews, args.cards)
        print(
            f"seeded ada, {args.reviews} reviews ({counted} the optimiser counts), and bo, "
            f"{args.cards} cards, in "
            f"{time.perf_counter() - started:.1f} s; python {sys.version.split()[0]}, load "
            f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        if counted < fitting.MIN_REVIEWS:
            raise SystemExit(f"only {counted} counted reviews: raise --reviews")
        asyncio.run(run(database, args.fit_seconds))


if __name__ == "__main__":
    main()
