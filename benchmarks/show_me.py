"""Show-me latency in the TUI: the first `s` and the later ones, with and without the warm-up.

Each configuration runs in a fresh interpreter (so torch is not imported yet) that drives the
real app with Pilot at 120x40: it waits on the home screen as a reader would (READ_S), then
opens show-me screens one after another and times each from the push to the result on screen.
It does not wait for the warm-up: it says when that finished, counted from the first
frame, and an `s` pressed before then waits for the rest of it. The machine is shared and
noisy: compare the two columns of one run, side by side.

    PYTHONPATH=$PWD python benchmarks/show_me.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

READ_S = 10.0  # seconds from the first frame to the first `s` (reading, then answering)
DEMOS = [
    ("self-attention-simple", {}),  # the first show-me: a chapter-3 question's demo
    ("causal-mask", {"n_tokens": 8}),
    ("self-attention-trainable", {"d_out": 3}),
    ("multi-head-wrapper", {}),
    ("layer-norm", {}),
    ("self-attention-simple", {"query_index": 4}),
]

CHILD = r"""
import asyncio, json, sys, time
from studybuddy.tui.app import StudyBuddyApp
from studybuddy.tui.screens.show_me import ShowMeScreen

import studybuddy.demos.warmup as warmup
real_warm_up = warmup.warm_up

def timed_warm_up():
    real_warm_up()
    app.warm_done = time.perf_counter()

warmup.warm_up = timed_warm_up  # the app imports it when it starts the warm-up

class Bench(StudyBuddyApp):
    WARM_UP_POLL = 0.25 if WARM else None
    def on_ready(self):
        self.first_frame = time.perf_counter()
        super().on_ready()

async def main():
    global app
    app = Bench(database=DB)
    out = {"torch_before_s": None, "warm_done_s": None, "latencies": []}
    async with app.run_test(size=(120, 40)) as pilot:
        while not hasattr(app, "first_frame"):
            await asyncio.sleep(0.01)
        await asyncio.sleep(READ_S)
        out["torch_before_s"] = "torch" in sys.modules
        for demo_id, params in DEMOS:
            start = time.perf_counter()
            screen = ShowMeScreen(demo_id, params)
            app.push_screen(screen)
            while screen.runs < 1 and not screen.failed:
                await asyncio.sleep(0.002)
            out["latencies"].append(time.perf_counter() - start)
            await pilot.pause()
            app.pop_screen()
            await pilot.pause()
        if WARM:
            out["warm_done_s"] = app.warm_done - app.first_frame
    print("RESULT " + json.dumps(out), flush=True)

asyncio.run(main())
"""


def one_run(db: str, warm: bool) -> dict:
    code = f"DB = {db!r}\nWARM = {warm}\nREAD_S = {READ_S}\nDEMOS = {DEMOS!r}\n" + CHILD
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "STUDYBUDDY_DATA_DIR": os.path.dirname(db)},
        timeout=300,
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    raise SystemExit(f"no result from the benchmark child:\n{done.stderr[-2000:]}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = os.path.join(folder, "bench.sqlite3")
        one_run(db, warm=False)  # create the database, fill the file-system cache
        cold, warm = one_run(db, warm=False), one_run(db, warm=True)
    print(f"first `s` {READ_S:g} s after the first frame; ms from pushing the screen to its result")
    print(f"{'demo':34} {'no warm-up':>11} {'warm-up':>9}")
    for (demo_id, params), a, b in zip(DEMOS, cold["latencies"], warm["latencies"], strict=True):
        label = demo_id + (" " + ",".join(f"{k}={v}" for k, v in params.items()) if params else "")
        print(f"{label:34} {a * 1000:11.0f} {b * 1000:9.0f}")
    print(f"warm-up finished {warm['warm_done_s']:.2f} s after the first frame")
    print(
        f"torch imported before the first `s`: {cold['torch_before_s']} / {warm['torch_before_s']}"
    )


if __name__ == "__main__":
    main()
