"""Warm latency of every "show me" demo: median of several runs after one warm-up run.

Run: .venv/bin/python benchmarks/demos.py [--runs N] [--largest]

Each demo runs with its default parameters, or with `--largest` at the top of every bound (the
slowest request a user can make). The first run of a process pays for importing torch
and loading the model; it is printed as "first" and left out of the median. Demos on the shipped
model use data/model/; while that is missing, a randomly initialised model of the same preset
(gpt-study) stands in, which costs the same to run, and the output says so.
"""

from __future__ import annotations

import argparse
import statistics
import time

BUDGET_MS = 150
LONG_TEXT = "Attention lets every token look back at the tokens before it. " * 32  # 2,000 chars
LARGEST = {
    "softmax-naive": {"scores": [1000.0] * 16},
    "softmax-scaling": {"d_k": 4096, "n_keys": 32},
    "self-attention-trainable": {"d_out": 8},
    "causal-mask": {"n_tokens": 12},
    "dropout-scaling": {"size": 64, "draws": 100_000},
    "register-buffer": {"context_length": 16},
    "multi-head-shapes": {
        "batch": 8,
        "num_tokens": 64,
        "d_in": 1024,
        "d_out": 1024,
        "num_heads": 64,
    },
    "bpe-tokens": {"text": LONG_TEXT[:500]},
    "sliding-window": {"text": LONG_TEXT[:2000], "max_length": 1, "stride": 1},
    "embeddings": {"num_tokens": 16, "output_dim": 768},
    "embedding-neighbours": {"k": 20},
    "layer-norm": {"emb_dim": 1024, "batch": 8},
    "gelu-vs-relu": {"x_min": -10.0, "x_max": 10.0, "points": 401},
    "feed-forward": {"emb_dim": 1024},
    "shortcut-gradients": {"n_layers": 12},
    "param-count": {"preset": "gpt2-xl"},
    "next-token": {"prompt": LONG_TEXT[:200], "steps": 20},
    "temperature": {
        "vocab": "model",
        "temperatures": [0.01, 0.5, 1.0, 2.0, 3.0, 5.0],
        "draws": 10_000,
    },
    "top-k": {"vocab": "model", "k": 50, "draws": 10_000},
    "loss-perplexity": {"text": LONG_TEXT[:2000]},
    "train-steps": {"steps": 50},
    "batch-noise": {"batch_sizes": [1, 2, 64, 128, 256, 512]},
    "bidirectional-attention": {"n_tokens": 12},
    "multi-head-wrapper": {"d_in": 1024, "d_out": 256, "num_heads": 16, "num_tokens": 12},
    "positional-encoding": {"n_tokens": 12, "d_model": 64},
    "tokenization-levels": {"text": LONG_TEXT[:500]},
    "ngram-baseline": {"smoothing": 10.0, "bigram_weight": 0.99},
    "gradient-descent": {"learning_rates": [0.0001, 0.01, 0.1, 1.0], "steps": 200},
    "linear-vs-parameter": {"d_in": 1024, "d_out": 64},
    "rnn-bottleneck": {"hidden": 48, "max_length": 12, "steps": 200},
}


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
    parser.add_argument("--largest", action="store_true", help="every parameter at its bound")
    args = parser.parse_args()

    started = time.perf_counter()
    from studybuddy.demos import all_demos

    demos = all_demos()
    print(f"registry import + listing: {(time.perf_counter() - started) * 1000:.0f} ms")
    print(stand_in_if_needed())
    print(f"{'demo':28} {'first':>9} {'median':>9} {'max':>9}")
    slow = []
    for demo_id, demo in demos.items():
        params = LARGEST.get(demo_id, {}) if args.largest else {}
        start = time.perf_counter()
        demo.run(params)
        first = time.perf_counter() - start
        times = []
        exempt = demo.streams_progress  # long by design: it shows progress as it goes
        runs = 2 if exempt else args.runs
        for _ in range(runs):
            start = time.perf_counter()
            demo.run(params)
            times.append(time.perf_counter() - start)
        median = statistics.median(times) * 1000
        flag = ""
        if exempt:
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
