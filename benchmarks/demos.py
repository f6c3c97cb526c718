"""Warm latency of every "show me" demo: median of several runs after one warm-up run.

Run: .venv/bin/python benchmarks/demos.py [--runs N]

Each demo runs with its default parameters. The first run of a process pays for importing torch
and loading the model; it is printed as "first" and left out of the median. Demos on the shipped
model use data/model/; while that is missing, a randomly initialised model of the same preset
(gpt-study) stands in, which costs the same to run, and the output says so.
"""

from __future__ import annotations

import argparse
import statistics
import time

BUDGET_MS = 150
EXEMPT = {"train-steps"}  # streams progress instead


def stand_in_if_needed() -> str:
    from studybuddy.demos import shipped
    from studybuddy.engine.pretrained import shipped_model_path

    if shipped_model_path().is_file():
        shipped.model()
        return f"shipped model {shipped_model_path()}"
    import torch

    from studybuddy.engine.config import get_preset
    from studybuddy.engine.model import GPTModel

    torch.manual_seed(0)
    model = GPTModel(get_preset("gpt-study")).eval()
    shipped.model = lambda: model
    return "data/model/ missing: a random gpt-study model stands in (same size and cost)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    from studybuddy.demos import all_demos

    demos = all_demos()
    print(f"registry import + listing: {(time.perf_counter() - started) * 1000:.0f} ms")
    print(stand_in_if_needed())
    print(f"{'demo':28} {'first':>9} {'median':>9} {'max':>9}")
    slow = []
    for demo_id, demo in demos.items():
        start = time.perf_counter()
        demo.run({})
        first = time.perf_counter() - start
        times = []
        runs = 2 if demo_id in EXEMPT else args.runs
        for _ in range(runs):
            start = time.perf_counter()
            demo.run({})
            times.append(time.perf_counter() - start)
        median = statistics.median(times) * 1000
        flag = ""
        if demo_id in EXEMPT:
            flag = "  (exempt: streams progress)"
        elif median > BUDGET_MS:
            flag = f"  OVER {BUDGET_MS} ms"
            slow.append(demo_id)
        print(
            f"{demo_id:28} {first * 1000:7.1f}ms {median:7.1f}ms {max(times) * 1000:7.1f}ms{flag}"
        )
    print(f"over budget: {', '.join(slow) if slow else 'none'}")


if __name__ == "__main__":
    main()
