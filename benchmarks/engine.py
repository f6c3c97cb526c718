"""The engine against this machine's limits and against Hugging Face transformers, side by side.

Run: .venv/bin/python benchmarks/engine.py [--runs N] [--threads N] [--only SECTION,...]

Sections (all by default):
  matmul    GFLOP/s of a large fp32 (and bf16) matmul: the most this CPU delivers to a model
  forward   gpt2-small shapes, 1 x 1024 tokens, fp32: ours / transformers' GPT2LMHeadModel with
            the same random weights, and ours as a share of the matmul limit
  generate  greedy, batch 1, 20-token prompt + 200 new tokens with the KV cache: tokens/s of
            ours and of transformers' generate(use_cache=True); the tokens must be identical
  bf16      forward and generation speed in bf16 / fp32, and top-1 agreement with fp32 on the
            shipped (trained) model over validation text
  threads   the forward pass, generation and the shipped model's next-token step on 1 and 2
            threads (the demos pin one)
  demos     every "show me" demo (default and largest parameters) with DEMO_THREADS 1 and 2
  memory    the KV cache over 1,024 tokens: its fixed size, that its buffers never move, and the
            process's peak memory growth while it fills (a fresh subprocess)
  gpu       when CUDA is present: forward and generation on the GPU, fp32 and bf16, vs transformers

The machine is shared, so every comparison alternates the contenders run by run in one process
and reports the median (and the spread); the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import torch

from studybuddy.engine import GPTModel, generate, load_pretrained
from studybuddy.engine.config import GPTConfig, get_preset

PROMPT_TOKENS = 20
NEW_TOKENS = 200
FORWARD_TOKENS = 1024
SECTIONS = ("matmul", "forward", "generate", "bf16", "threads", "demos", "memory", "gpu")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} CPUs)"


def cpu_features() -> str:
    try:
        flags = next(
            line for line in open("/proc/cpuinfo", encoding="utf-8") if line.startswith("flags")
        ).split()
    except (OSError, StopIteration):
        return "unknown"
    wanted = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")
    return ", ".join(name for name in wanted if name in flags) or "none of avx2/avx512/amx"


def timed(fn: Callable[[], object], sync: Callable[[], None] = lambda: None) -> float:
    sync()
    start = time.perf_counter()
    fn()
    sync()
    return time.perf_counter() - start


def side_by_side(
    contenders: dict[str, Callable[[], object]],
    runs: int,
    sync: Callable[[], None] = lambda: None,
    warmup: bool = True,
) -> dict[str, list[float]]:
    """Seconds per run of each contender, alternating them run by run (after one warm-up each
    unless the caller has just run them), so a busy moment on the shared machine hits all of
    them alike."""
    for fn in contenders.values():
        if warmup:
            fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            times[name].append(timed(fn, sync))
    return times


def med(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    return f"[{min(values) * 1000:,.0f} .. {max(values) * 1000:,.0f} ms]"


# --- models -------------------------------------------------------------------------------------


def gpt2_small_pair(device: str = "cpu") -> tuple[GPTModel, torch.nn.Module]:
    """Our GPTModel and transformers' GPT2LMHeadModel with the same random gpt2-small weights
    (transformers' initialisation, copied into ours through the checkpoint importer)."""
    import transformers

    from studybuddy.engine.checkpoint import hf_state_to_gpt, load_state_into

    torch.manual_seed(0)
    hf_cfg = transformers.GPT2Config(resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    hf = transformers.GPT2LMHeadModel(hf_cfg).eval()
    cfg = get_preset("gpt2-small").replace(qkv_bias=True, tie_weights=True, drop_rate=0.0)
    ours = load_state_into(GPTModel(cfg), hf_state_to_gpt(hf.state_dict(), cfg), "transformers")
    return ours.eval().to(device), hf.to(device)


def forward_flops(cfg: GPTConfig, tokens: int) -> float:
    """Multiply-adds x 2 of one forward pass: the linear layers (12 d^2 weights a layer: q, k, v,
    out, and the 4x feed-forward), causal attention (q k^T and weights @ v, half the square
    being masked), and the output head."""
    d, t = cfg.emb_dim, tokens
    linear = 2 * t * 12 * d * d
    attention = 2 * 2 * d * t * (t + 1) / 2
    head = 2 * t * d * cfg.vocab_size
    return cfg.n_layers * (linear + attention) + head


# --- sections -----------------------------------------------------------------------------------


def matmul_limit(runs: int, dtype: torch.dtype = torch.float32, device: str = "cpu") -> float:
    """Best GFLOP/s of a 2048^3 matmul (best, not median: it is the ceiling we compare with)."""
    n = 2048
    a = torch.randn(n, n, dtype=dtype, device=device)
    b = torch.randn(n, n, dtype=dtype, device=device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    times = side_by_side({"mm": lambda: a @ b}, max(runs, 3), sync)["mm"]
    return 2 * n**3 / min(times) / 1e9


def bench_forward(runs: int) -> None:
    """Ours against transformers, and a large matmul of about the same FLOP count alternating
    with both, so the limit is measured under the same load as the model."""
    ours, hf = gpt2_small_pair()
    ids = torch.randint(0, 50257, (1, FORWARD_TOKENS))
    flops = forward_flops(ours.cfg, FORWARD_TOKENS)
    n = 2048
    repeats = max(1, round(flops / (2 * n**3)))
    a, b = torch.randn(n, n), torch.randn(n, n)

    def matmuls() -> None:
        for _ in range(repeats):
            a @ b

    with torch.no_grad():
        assert (ours(ids) - hf(ids).logits).abs().max() < 1e-3, "ours and transformers differ"
        times = side_by_side(
            {"ours": lambda: ours(ids), "transformers": lambda: hf(ids), "matmul": matmuls}, runs
        )
    o, t = med(times["ours"]), med(times["transformers"])
    print(
        f"forward 1 x {FORWARD_TOKENS} fp32: ours {o * 1000:,.0f} ms {spread(times['ours'])}, "
        f"transformers {t * 1000:,.0f} ms {spread(times['transformers'])}: "
        f"ours/transformers {o / t:.2f} (target <= 1.00)"
    )
    limit = repeats * 2 * n**3 / med(times["matmul"]) / 1e9
    rate = flops / o / 1e9
    print(
        f"  {flops / 1e9:,.0f} GFLOP a pass: ours {rate:,.1f} GFLOP/s = {rate / limit:.0%} of "
        f"{limit:,.1f} GFLOP/s, the median of {repeats} x 2048^3 fp32 matmuls run alternately"
    )


def hf_greedy(hf: torch.nn.Module, idx: torch.Tensor, new: int) -> torch.Tensor:
    # min_new_tokens and no eos: exactly `new` tokens, as ours makes (random weights may pick
    # the end-of-text id early).
    return hf.generate(  # type: ignore[operator]
        idx,
        attention_mask=torch.ones_like(idx),
        max_new_tokens=new,
        min_new_tokens=new,
        do_sample=False,
        use_cache=True,
        eos_token_id=None,
        pad_token_id=0,
    )


def bench_generate(runs: int, device: str = "cpu", dtype: torch.dtype = torch.float32) -> None:
    ours, hf = gpt2_small_pair(device)
    ours, hf = ours.to(dtype), hf.to(dtype)
    torch.manual_seed(1)
    idx = torch.randint(0, 50257, (1, PROMPT_TOKENS), device=device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    with torch.no_grad():
        same = torch.equal(generate(ours, idx, NEW_TOKENS), hf_greedy(hf, idx, NEW_TOKENS))
        times = side_by_side(
            {
                "ours": lambda: generate(ours, idx, NEW_TOKENS),
                "transformers": lambda: hf_greedy(hf, idx, NEW_TOKENS),
            },
            runs,
            sync,
            warmup=False,  # the comparison of their tokens just ran both
        )
    o, t = NEW_TOKENS / med(times["ours"]), NEW_TOKENS / med(times["transformers"])
    name = {torch.float32: "fp32", torch.bfloat16: "bf16"}.get(dtype, str(dtype))
    print(
        f"generate {device} {name}, {PROMPT_TOKENS} + {NEW_TOKENS} tokens, KV cache: ours "
        f"{o:,.1f} tok/s {spread(times['ours'])}, transformers {t:,.1f} tok/s "
        f"{spread(times['transformers'])}: ours/transformers {o / t:.2f} "
        f"(target >= 1.00); same tokens: {'yes' if same else 'NO'}"
    )


def bench_bf16(runs: int) -> None:
    small = GPTModel(get_preset("gpt2-small").replace(drop_rate=0.0)).eval()
    small16 = GPTModel(get_preset("gpt2-small").replace(drop_rate=0.0)).eval()
    small16.load_state_dict(small.state_dict())
    small16.to(torch.bfloat16)
    ids = torch.randint(0, 50257, (1, FORWARD_TOKENS))
    idx = ids[:, :PROMPT_TOKENS]
    with torch.no_grad():
        fwd = side_by_side({"fp32": lambda: small(ids), "bf16": lambda: small16(ids)}, runs)
        generate(small, idx, 5), generate(small16, idx, 5)
        gen = side_by_side(
            {
                "fp32": lambda: generate(small, idx, NEW_TOKENS),
                "bf16": lambda: generate(small16, idx, NEW_TOKENS),
            },
            runs,
            warmup=False,  # warmed by the short runs above
        )
    print(
        f"bf16 / fp32 speed, gpt2-small: forward 1 x {FORWARD_TOKENS} "
        f"{med(fwd['fp32']) / med(fwd['bf16']):.2f}x "
        f"(fp32 {med(fwd['fp32']) * 1000:,.0f} ms, bf16 {med(fwd['bf16']) * 1000:,.0f} ms); "
        f"generation {med(gen['fp32']) / med(gen['bf16']):.2f}x "
        f"(fp32 {NEW_TOKENS / med(gen['fp32']):,.1f} tok/s, "
        f"bf16 {NEW_TOKENS / med(gen['bf16']):,.1f} tok/s); >1 means bf16 is faster"
    )
    from studybuddy.engine.recipe import TrainingRecipe, load_corpus
    from studybuddy.locations import data_dir

    fp32, bf16 = load_pretrained(), load_pretrained(dtype=torch.bfloat16)
    corpus = load_corpus(data_dir() / "corpus", TrainingRecipe().val_fraction)
    n = fp32.cfg.context_length
    val = torch.tensor(corpus.val_ids[: 8 * n]).view(8, n)
    with torch.no_grad():
        exact, reduced = fp32(val), bf16(val).float()
    agree = (exact.argmax(-1) == reduced.argmax(-1)).float().mean().item()
    print(
        f"  top-1 agreement bf16 vs fp32, shipped model, {val.numel():,} validation tokens: "
        f"{agree:.1%}; largest logit difference {(exact - reduced).abs().max().item():.3f}"
    )


def bench_threads(runs: int) -> None:
    from studybuddy.demos.common import torch_threads

    small = GPTModel(get_preset("gpt2-small").replace(drop_rate=0.0)).eval()
    shipped = load_pretrained()
    ids = torch.randint(0, 50257, (1, FORWARD_TOKENS))
    prompt = ids[:, :PROMPT_TOKENS]

    def on(threads: int, fn: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            with torch_threads(threads):
                return fn()

        return run

    cases: list[tuple[str, Callable[[], object], int]] = [
        ("gpt2-small forward 1 x 1024", lambda: small(ids), runs),
        # 50 new tokens, not 200: on a busy machine two threads can be several times slower.
        ("gpt2-small generate 20 + 50", lambda: generate(small, prompt, 50), runs),
        # What the next-token demo does per step: one token through the shipped model.
        ("shipped model, generate 5 tokens", lambda: generate(shipped, prompt, 5), runs * 10),
        ("shipped model, 256-token forward", lambda: shipped(ids[:, :256]), runs * 10),
    ]
    with torch.no_grad():
        for name, fn, n in cases:
            t = side_by_side({"1": on(1, fn), "2": on(2, fn)}, n)
            one, two = med(t["1"]), med(t["2"])
            print(
                f"threads {name}: 1 thread {one * 1000:,.1f} ms, 2 threads {two * 1000:,.1f} ms "
                f"(2/1 time {two / one:.2f})"
            )


def bench_demos(runs: int) -> None:
    """Each demo on 1 and on 2 threads, alternating, at its default and at its largest
    parameters (train-steps left out: it streams progress for seconds)."""
    from demos import EXEMPT, LARGEST  # benchmarks/demos.py, beside this script

    from studybuddy.demos import all_demos, base

    totals = {1: 0.0, 2: 0.0}
    rows = []
    for demo_id, demo in all_demos().items():
        if demo_id in EXEMPT:
            continue
        for label, params in (("default", {}), ("largest", LARGEST.get(demo_id, {}))):
            if label == "largest" and not params:
                continue

            def on(threads: int, d=demo, p=params) -> Callable[[], object]:
                def run() -> object:
                    base.DEMO_THREADS = threads
                    return d.run(p)

                return run

            t = side_by_side({"1": on(1), "2": on(2)}, runs)
            one, two = med(t["1"]), med(t["2"])
            totals[1] += one
            totals[2] += two
            rows.append((f"{demo_id} ({label})", one, two))
    base.DEMO_THREADS = 1
    slower = [name for name, one, two in rows if two > one * 1.1]
    faster = [name for name, one, two in rows if two < one / 1.1]
    for name, one, two in sorted(rows, key=lambda r: -max(r[1], r[2]))[:8]:
        print(f"  {name:36} 1 thread {one * 1000:8.1f} ms   2 threads {two * 1000:8.1f} ms")
    print(
        f"demos, sum of medians over {len(rows)} runs: 1 thread {totals[1] * 1000:,.0f} ms, "
        f"2 threads {totals[2] * 1000:,.0f} ms; 2 threads >10% faster on {len(faster)}, "
        f">10% slower on {len(slower)}"
    )


MEMORY_CHILD = """
import resource, sys, torch
from studybuddy.engine import GPTModel, generate
from studybuddy.engine.config import get_preset
torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
model = GPTModel(get_preset("gpt2-small").replace(drop_rate=0.0)).eval()
idx = torch.randint(0, 50257, (1, 20))
generate(model, idx, 4)  # warm-up: kernels, thread pool, allocator
caches = []
new_cache = model.new_cache
model.new_cache = lambda b, n=None: caches.append(new_cache(b, n)) or caches[-1]
pointers = set()
def record(module, args, kwargs, output):
    cache = kwargs.get("cache", args[1] if len(args) > 1 else None)
    pointers.add(tuple(t.data_ptr() for t in (*cache.keys, *cache.values)))
model.register_forward_hook(record, with_kwargs=True)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = generate(model, idx, 1024 - 20 + 1)  # fills all 1,024 positions
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cache = caches[0]
print(cache.nbytes, cache.length, len(caches), len(pointers), (after - before) * 1024)
"""


def bench_memory() -> None:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(torch.get_num_threads())],
        capture_output=True,
        text=True,
        check=True,
    )
    nbytes, length, caches, pointer_sets, growth = (int(v) for v in out.stdout.split())
    mib = 2**20
    # What a cache grown by torch.cat copies: at step s every earlier key and value again.
    per_token = nbytes // 1024
    cat_copies = sum(per_token * s for s in range(1, 1025))
    print(
        f"KV cache over {length:,} tokens (gpt2-small fp32): {nbytes / mib:,.0f} MiB allocated "
        f"once ({caches} cache, buffers at {pointer_sets} address set over all steps); peak "
        f"process memory grew {growth / mib:,.0f} MiB while generating (the cache included); "
        f"a torch.cat cache would copy {cat_copies / 1e9:,.0f} GB"
    )


def gpu_forward(runs: int, dtype: torch.dtype) -> None:
    ours, hf = gpt2_small_pair("cuda")
    ours, hf = ours.to(dtype), hf.to(dtype)
    ids = torch.randint(0, 50257, (1, FORWARD_TOKENS), device="cuda")
    with torch.no_grad():
        t = side_by_side(
            {"ours": lambda: ours(ids), "transformers": lambda: hf(ids)},
            runs * 5,
            torch.cuda.synchronize,
        )
    o, theirs = med(t["ours"]), med(t["transformers"])
    print(
        f"  forward {dtype}: ours {o * 1000:.2f} ms, transformers {theirs * 1000:.2f} ms, "
        f"ours/transformers {o / theirs:.2f}; "
        f"{forward_flops(ours.cfg, FORWARD_TOKENS) / o / 1e9:,.0f} GFLOP/s"
    )


def bench_gpu(runs: int) -> None:
    if not torch.cuda.is_available():
        print("gpu: no CUDA device here; skipped")
        return
    print(f"gpu: {torch.cuda.get_device_name()}")
    for dtype in (torch.float32, torch.bfloat16):
        print(f"  matmul limit {dtype}: {matmul_limit(runs, dtype, 'cuda'):,.0f} GFLOP/s")
        gpu_forward(runs, dtype)
        bench_generate(runs, "cuda", dtype)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per contender")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    args = parser.parse_args()
    only = set(args.only.split(","))
    unknown = only - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {sorted(unknown)}; expected some of {SECTIONS}")
    torch.set_num_threads(args.threads)
    import transformers

    print(
        f"torch {torch.__version__}, transformers {transformers.__version__}, "
        f"{args.threads} threads, CPU features: {cpu_features()}, {args.runs} runs, medians"
    )
    print(f"before: {load()}")
    if "matmul" in only:
        limit = matmul_limit(args.runs)
        bf16_limit = matmul_limit(args.runs, torch.bfloat16)
        print(
            f"matmul 2048^3 limit: fp32 {limit:,.1f} GFLOP/s, bf16 {bf16_limit:,.1f} GFLOP/s "
            f"(bf16/fp32 {bf16_limit / limit:.2f})"
        )
    if "forward" in only:
        bench_forward(args.runs)
    if "generate" in only:
        bench_generate(args.runs)
    if "bf16" in only:
        bench_bf16(args.runs)
    if "threads" in only:
        bench_threads(args.runs)
    if "demos" in only:
        bench_demos(args.runs)
    if "memory" in only:
        bench_memory()
    if "gpu" in only:
        bench_gpu(args.runs)
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
