"""Generation speed with and without the KV cache, and one gpt2-small forward pass.

Prints tokens per second for batch 1 and 200 new tokens (greedy) on the shipped model and on
randomly initialised gpt2-small weights, then the time of a gpt2-small forward pass over
1 x 1024 tokens. Each figure is the best of a few runs, so a busy moment on a shared machine
does not decide it. Threads: $STUDYBUDDY_BENCH_THREADS or 2.
"""

from __future__ import annotations

import os
import time

import torch

from studybuddy.engine import GPTModel, generate, load_pretrained
from studybuddy.engine.config import get_preset
from studybuddy.engine.tokenizer import encode

NEW_TOKENS = 200
PROMPT = "Self-attention"


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def generation_rates(model: GPTModel, runs: int) -> tuple[float, float]:
    idx = torch.tensor([encode(PROMPT)])
    rates = []
    for use_cache in (False, True):
        seconds = best_of(
            runs, lambda cache=use_cache: generate(model, idx, NEW_TOKENS, use_cache=cache)
        )
        rates.append(NEW_TOKENS / seconds)
    cached = generate(model, idx, NEW_TOKENS, use_cache=True)
    plain = generate(model, idx, NEW_TOKENS, use_cache=False)
    assert torch.equal(cached, plain), "KV cache changed the generated tokens"
    return rates[0], rates[1]


def main() -> None:
    threads = int(os.environ.get("STUDYBUDDY_BENCH_THREADS", "2"))
    torch.set_num_threads(threads)
    print(f"torch {torch.__version__}, {threads} threads, batch 1, {NEW_TOKENS} new tokens")

    shipped = load_pretrained()
    torch.manual_seed(0)
    small = GPTModel(get_preset("gpt2-small")).eval()
    for name, model, runs in (
        ("gpt-study (shipped)", shipped, 3),
        ("gpt2-small (random)", small, 2),
    ):
        plain, cached = generation_rates(model, runs)
        print(
            f"{name:22} no cache {plain:8.1f} tok/s   KV cache {cached:8.1f} tok/s"
            f"   ({cached / plain:.1f}x)"
        )

    ids = torch.randint(0, 50257, (1, 1024))
    with torch.no_grad():
        seconds = best_of(3, lambda: small(ids))
    rate = 1024 / seconds
    print(f"gpt2-small forward, 1 x 1024 tokens: {seconds * 1000:.0f} ms ({rate:,.0f} tok/s)")


if __name__ == "__main__":
    main()
