"""fsrs fitting and the workload simulator on a synthetic learner: wall times.

Run: .venv/bin/python benchmarks/fsrs_fit.py [--sizes 2000 20000] [--cards 1000]

For each size, a synthetic learner (studybuddy.memory.synthetic, a memory weaker than fsrs's
defaults) with about that many reviews is fitted once with fsrs's Optimizer (5 epochs, what
`profile optimize` runs in its worker); log loss before and after is printed with the time.
Then the simulator (8 retentions x 30 and 90 days) runs for a learner with `--cards` cards.
One run each: the optimiser is deterministic and takes seconds to minutes, so noise from a
shared machine shows as a few percent, not as a different order.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from studybuddy.memory import fitting, history, synthetic, workload

DAYS = 120
REVIEWS_PER_CARD = 12.1  # what the synthetic learner averages over DAYS (measured: 17,855 on 1,471)


def learner_with(reviews: int, seed: int = 0):
    cards = max(1, round(reviews / REVIEWS_PER_CARD))
    learner = synthetic.Learner(true=synthetic.forgetful_parameters())
    return synthetic.attempts(learner, cards=cards, days=DAYS, seed=seed)


def bench_fit(size: int) -> None:
    records = learner_with(size)
    logs = history.review_logs(records)
    start = time.perf_counter()
    fit = fitting.fit(logs)
    seconds = time.perf_counter() - start
    print(
        f"fit {len(logs):6} reviews ({fit.reviews:6} counted): {seconds:7.1f} s   "
        f"log loss {fit.before.log_loss:.4f} -> {fit.after.log_loss:.4f}   "
        f"RMSE {fit.before.rmse:.4f} -> {fit.after.rmse:.4f}"
    )


def bench_simulator(cards: int) -> None:
    learner = synthetic.Learner(true=synthetic.forgetful_parameters())
    records = synthetic.attempts(learner, cards=cards, days=60, new_per_day=cards // 30 or 1)
    start = time.perf_counter()
    reviews = history.replay(records)
    replayed = time.perf_counter() - start
    now = reviews[-1].at + timedelta(hours=1)
    cards_now = history.cards_now(reviews)
    start = time.perf_counter()
    table = workload.workload_table(cards_now, workload.Habits.from_reviews(reviews), now)
    simulated = time.perf_counter() - start
    print(
        f"simulator, {len(cards_now)} cards ({len(reviews)} past reviews): "
        f"replay {replayed:.2f} s, "
        f"{len(table)} scenarios (8 retentions x 30/90 days) {simulated:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 20000])
    parser.add_argument("--cards", type=int, default=1000)
    args = parser.parse_args()
    bench_simulator(args.cards)
    for size in args.sizes:
        bench_fit(size)


if __name__ == "__main__":
    main()
