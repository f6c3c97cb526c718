"""Time from process start to the TUI's first frame (median of 5 runs).

Each run is a fresh interpreter that imports the CLI the way `studybuddy` does, builds the app
through the same factory, and exits on Textual's `Ready` event (sent once the first frame is
displayed). The clock starts before the interpreter is spawned, so its start-up counts too.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import studybuddy.cli  # what the console script imports first
from studybuddy.tui.app import StudyBuddyApp

class FirstFrame(StudyBuddyApp):
    def on_ready(self) -> None:
        print("ready", flush=True)
        self.exit()

FirstFrame(database=DB).run(headless=True)
"""


def one_run(db: str) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", f"DB = {db!r}\n" + CHILD],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "STUDYBUDDY_DATA_DIR": os.path.dirname(db)},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.wait(timeout=30)
    if line.strip() != "ready":
        raise SystemExit(f"the app did not report its first frame (got {line!r})")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = os.path.join(folder, "bench.sqlite3")
        one_run(db)  # warm the file-system cache and create the database
        times = [one_run(db) for _ in range(5)]
    print(
        f"first frame: median {statistics.median(times) * 1000:.0f} ms "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, 5 runs)"
    )


if __name__ == "__main__":
    main()
