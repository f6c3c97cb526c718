"""Why transformers scale: what training a large model costs in compute, time and money, and why
attention suits parallel hardware where an RNN does not (one step after another, and gradients
that fade with distance)."""

from __future__ import annotations

import math
import time
from typing import Any

from pydantic import Field

from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, plural, significant
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import register

SECONDS_PER_YEAR = 365.25 * 24 * 3600


# --- training-cost -------------------------------------------------------------------------------


class TrainingCostParams(DemoParams):
    parameters_billion: float = Field(
        175.0, ge=0.001, le=10_000.0, description="Model size N in billions (175: GPT-3)."
    )
    tokens_billion: float = Field(
        300.0, ge=0.001, le=100_000.0, description="Training tokens D in billions (300: GPT-3)."
    )
    tflops_per_gpu: float = Field(
        28.0,
        ge=0.1,
        le=10_000.0,
        description=(
            "Sustained TFLOP/s per GPU (28: what Lambda's 2020 estimate of 355 V100-years for "
            "3.15e23 FLOPs implies)."
        ),
    )
    gpus: int = Field(1, ge=1, le=1_000_000, description="GPUs working in parallel.")
    dollars_per_gpu_hour: float = Field(
        1.5,
        ge=0.0,
        le=1_000.0,
        description=(
            "Price of one GPU for one hour (1.5: that estimate's $4.6M over its 355 GPU-years)."
        ),
    )


@register(
    "training-cost",
    "What one training run costs: FLOPs, GPU time, dollars",
    "C = 6ND FLOPs -> GPU-years and dollars.",
    TrainingCostParams,
    random=False,
    section="1",
)
def training_cost(p: TrainingCostParams) -> DemoResult:
    n, d = p.parameters_billion * 1e9, p.tokens_billion * 1e9
    flops = 6 * n * d  # 2 per parameter and token forward, 4 backward
    gpu_seconds = flops / (p.tflops_per_gpu * 1e12)
    wall_seconds = gpu_seconds / p.gpus
    gpu_hours = gpu_seconds / 3600
    dollars = gpu_hours * p.dollars_per_gpu_hour
    rows = [
        ["compute C = 6 N D", f"{flops:.3e} FLOPs"],
        ["one GPU", f"{gpu_seconds / SECONDS_PER_YEAR:,.1f} years"],
        [plural(p.gpus, "GPU"), _duration(wall_seconds)],
        ["GPU-hours", f"{gpu_hours:,.0f}"],
        ["cost", f"${dollars:,.0f}"],
    ]
    notes = [
        f"C = 6 x {n:.3g} parameters x {d:.3g} tokens = {flops:.3e} FLOPs: each token costs about "
        "2 operations per parameter forward and 4 backward.",
        f"At {p.tflops_per_gpu:g} TFLOP/s, kept up without a pause, one GPU needs "
        f"{gpu_seconds / SECONDS_PER_YEAR:,.1f} years"
        + (
            f"; {p.gpus:,} GPUs working together need {_duration(wall_seconds)}."
            if p.gpus > 1
            else "."
        ),
        f"At ${p.dollars_per_gpu_hour:g} per GPU-hour that is ${dollars / 1e6:,.2f} million for "
        "a single run, before any experiment, failed run or evaluation.",
        "The cost grows with N x D: a model ten times larger trained on ten times the tokens "
        "costs a hundred times as much, which is why most people start from released weights.",
    ]
    return DemoResult(
        f"Training {p.parameters_billion:g}B parameters on {p.tokens_billion:g}B tokens",
        tables=[Table("one training run", ["", "value"], rows)],
        notes=notes,
        values={
            "flops": flops,
            "gpu_years": gpu_seconds / SECONDS_PER_YEAR,
            "wall_days": wall_seconds / 86400,
            "dollars": dollars,
        },
    )


def _duration(seconds: float) -> str:
    if seconds >= SECONDS_PER_YEAR:
        return f"{seconds / SECONDS_PER_YEAR:,.1f} years"
    if seconds >= 86400:
        return f"{seconds / 86400:,.1f} days"
    return f"{seconds / 3600:,.2f} hours"


# --- sequential-vs-parallel ----------------------------------------------------------------------


class SequentialParams(DemoParams):
    num_tokens: int = Field(256, ge=2, le=2048, description="Sequence length n.")
    d: int = Field(64, ge=2, le=256, description="Width of the token vectors.")


@register(
    "sequential-vs-parallel",
    "An RNN's chain of steps against attention's few big matmuls",
    "RNN: n steps in a row; attention: 3 matmuls.",
    SequentialParams,
    section="3.1",
)
def sequential_vs_parallel(p: SequentialParams) -> DemoResult:
    import torch

    with seeded(p.seed):
        x = torch.randn(1, p.num_tokens, p.d)
        rnn = torch.nn.RNN(p.d, p.d, batch_first=True)
        w_q, w_k, w_v = (torch.randn(p.d, p.d) / p.d**0.5 for _ in range(3))

    def recurrent() -> Any:
        # one step per token: step t needs the state of step t - 1, so they cannot overlap
        weights = dict(rnn.named_parameters())  # typed as tensors, unlike the attributes
        w_ih, w_hh = weights["weight_ih_l0"], weights["weight_hh_l0"]
        bias = weights["bias_ih_l0"] + weights["bias_hh_l0"]
        h = torch.zeros(1, p.d)
        states = []
        for t in range(p.num_tokens):
            h = torch.tanh(x[:, t] @ w_ih.T + h @ w_hh.T + bias)
            states.append(h)
        return torch.stack(states, dim=1)

    def attention() -> Any:
        # every token at once: three projections, one score matrix, one weighted sum
        q, k, v = x @ w_q, x @ w_k, x @ w_v
        mask = torch.triu(torch.ones(p.num_tokens, p.num_tokens, dtype=torch.bool), 1)
        scores = (q @ k.transpose(1, 2) / p.d**0.5).masked_fill(mask, float("-inf"))
        return torch.softmax(scores, dim=-1) @ v

    with torch.no_grad():
        rnn_out, rnn_ms = _timed(recurrent)
        att_out, att_ms = _timed(attention)
        reference, _ = rnn(x)
        sdpa = torch.nn.functional.scaled_dot_product_attention(
            x @ w_q, x @ w_k, x @ w_v, is_causal=True
        )
    n, d = p.num_tokens, p.d
    rnn_flops = n * 2 * (2 * d * d)
    att_flops = 3 * 2 * n * d * d + 2 * (2 * n * n * d)
    rows = [
        ["RNN (tanh)", n, f"{rnn_flops:.3g}", round(rnn_ms, 2)],
        ["causal self-attention", 1, f"{att_flops:.3g}", round(att_ms, 2)],
    ]
    notes = [
        f"The RNN runs {n} steps in a row: step t needs the state of step t - 1, so however many "
        "cores a machine has, only one step's small matrix-vector products can run at a time.",
        f"Attention treats all {n} tokens at once: its {n} x {n} score matrix is one large "
        f"matrix product of {n * n:,} independent dot products, the kind of work a GPU "
        "splits over thousands of cores.",
        f"Attention does {att_flops / rnn_flops:.1f}x the arithmetic here ({att_flops:.3g} against "
        f"{rnn_flops:.3g} FLOPs) and still took {att_ms:.2f} ms against the RNN's {rnn_ms:.2f} ms "
        "on this CPU: the chain of steps, not the arithmetic, sets the pace.",
        f"Checks: the step-by-step RNN matches torch.nn.RNN to within "
        f"{float((rnn_out - reference).abs().max()):.1e}, the attention matches "
        f"F.scaled_dot_product_attention to within {float((att_out - sdpa).abs().max()):.1e}.",
    ]
    return DemoResult(
        f"{n} tokens of width {d}: RNN against attention",
        tables=[Table("one pass over the sequence", ["", "steps in a row", "FLOPs", "ms"], rows)],
        notes=notes,
        values={
            "steps": {"rnn": n, "attention": 1},
            "flops": {"rnn": rnn_flops, "attention": att_flops},
            "ms": {"rnn": rnn_ms, "attention": att_ms},
            "rnn_vs_torch": float((rnn_out - reference).abs().max()),
            "attention_vs_sdpa": float((att_out - sdpa).abs().max()),
        },
    )


def _timed(fn: Any) -> tuple[Any, float]:
    """The result and the best of three wall times in ms (the best is the least disturbed by a
    busy machine)."""
    best = float("inf")
    out = None
    for _ in range(3):
        start = time.perf_counter()
        out = fn()
        best = min(best, (time.perf_counter() - start) * 1000)
    return out, best


# --- gradient-path -------------------------------------------------------------------------------


class GradientPathParams(DemoParams):
    num_tokens: int = Field(32, ge=2, le=256, description="Sequence length.")
    d: int = Field(16, ge=2, le=128, description="Width of the vectors.")


@register(
    "gradient-path",
    "How far a gradient reaches back: RNN against attention",
    "Gradient of the last output per input position.",
    GradientPathParams,
    section="3.1",
)
def gradient_path(p: GradientPathParams) -> DemoResult:
    import torch

    from studybuddy.engine.attention import CausalAttention

    with seeded(p.seed):
        x = torch.randn(1, p.num_tokens, p.d)
        rnn = torch.nn.RNN(p.d, p.d, batch_first=True)
        attention = CausalAttention(p.d, p.d, p.num_tokens, 0.0).eval()

    def gradient_norms(model: Any) -> list[float]:
        inputs = x.clone().requires_grad_(True)
        out = model(inputs)
        out = out[0] if isinstance(out, tuple) else out
        (grad,) = torch.autograd.grad(out[0, -1].sum(), inputs)  # the last position only
        return [float(g) for g in grad[0].norm(dim=-1)]

    rnn_grads = gradient_norms(rnn)
    att_grads = gradient_norms(attention)
    n = p.num_tokens
    first_rnn, last_rnn = rnn_grads[0], rnn_grads[-1]
    first_att, last_att = att_grads[0], att_grads[-1]
    ratio_rnn = first_rnn / last_rnn if last_rnn else 0.0
    ratio_att = first_att / last_att if last_att else 0.0
    shown = sorted({0, 1, n // 4, n // 2, n - 2, n - 1})
    rows = [
        [t + 1, n - 1 - t, significant(rnn_grads[t], 3), significant(att_grads[t], 3)]
        for t in shown
    ]
    notes = [
        f"The gradient of the last output with respect to each input, |d out_{n} / d x_t|. In "
        f"the RNN it must pass back through {n - 1} tanh steps to reach the first token; "
        f"there it is {significant(first_rnn, 3)}, {significant(ratio_rnn, 3)} of its size at "
        f"the last token.",
        f"In attention every earlier token is one step away from the output (through its "
        f"attention weight): the first token's gradient is {significant(first_att, 3)}, "
        f"{significant(ratio_att, 3)} of the last token's.",
        "A gradient that shrinks with every step back (it is multiplied by the recurrent "
        "weights and tanh's slope below 1 each time) is the vanishing gradient: far-back tokens "
        "barely change what an RNN learns. Attention's direct paths do not fade with distance.",
    ]
    return DemoResult(
        f"Gradients over {n} tokens",
        tables=[
            Table(
                "gradient of the last output per input token",
                ["token", "steps back", "RNN", "attention"],
                rows,
            )
        ],
        series=[
            Series(
                "gradient size per input position",
                [float(t + 1) for t in range(n)],
                {"RNN": _log10(rnn_grads), "attention": _log10(att_grads)},
                "input position",
                "log10 |gradient|",
            )
        ],
        notes=notes,
        values={"rnn": rnn_grads, "attention": att_grads},
    )


def _log10(values: list[float]) -> list[float]:
    import math

    return [math.log10(v) if v > 0 else -40.0 for v in values]


# --- scaling-law ---------------------------------------------------------------------------------

# The loss fit of Hoffmann et al. (2022, "Training Compute-Optimal Large Language Models"):
# L(N, D) = E + A / N^alpha + B / D^beta, N parameters, D training tokens.
CHINCHILLA = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def chinchilla_loss(n: float, d: float) -> float:
    c = CHINCHILLA
    return c["E"] + c["A"] / n ** c["alpha"] + c["B"] / d ** c["beta"]


class ScalingLawParams(DemoParams):
    tokens_billion: float = Field(
        300.0, ge=0.001, le=100_000.0, description="Training tokens D for the size sweep."
    )
    parameters_billion: float = Field(
        70.0, ge=0.001, le=10_000.0, description="Model size N for the data sweep."
    )


@register(
    "scaling-law",
    "Scaling laws: loss as a smooth function of size and data",
    "A published fit L(N, D): loss falls smoothly.",
    ScalingLawParams,
    random=False,
    section="1",
)
def scaling_law(p: ScalingLawParams) -> DemoResult:
    d_fixed, n_fixed = p.tokens_billion * 1e9, p.parameters_billion * 1e9
    sizes = [10.0**e for e in (7, 8, 9, 10, 11, 12)]
    by_size = [chinchilla_loss(n, d_fixed) for n in sizes]
    by_data = [chinchilla_loss(n_fixed, d) for d in sizes]
    rows = [
        [f"{s:.0e}".replace("e+", "e"), round(a, 4), round(b, 4)]
        for s, a, b in zip(sizes, by_size, by_data, strict=True)
    ]
    c = CHINCHILLA
    factor = 10 ** c["alpha"]
    notes = [
        f"The fit L(N, D) = {c['E']} + {c['A']} / N^{c['alpha']} + {c['B']} / D^{c['beta']} "
        "(Hoffmann et al., 2022) predicts next-token loss from parameters N and training tokens "
        "D alone, before any model is trained.",
        f"With D = {p.tokens_billion:g}B tokens, each tenfold increase in N divides the N term by "
        f"10^{c['alpha']} = {factor:.2f}: the loss falls from {by_size[0]:.3f} at 10M "
        f"parameters to {by_size[-1]:.3f} at 1T, smoothly, with no jumps.",
        f"It never falls below E = {c['E']} (the text's own unpredictability) however large N "
        f"and D get; with N fixed at {p.parameters_billion:g}B, more data helps until the N term "
        f"({c['A'] / n_fixed ** c['alpha']:.3f}) dominates.",
    ]
    return DemoResult(
        "Loss predicted from size and data",
        tables=[
            Table(
                "predicted loss",
                [
                    "N or D",
                    f"N varies, D = {p.tokens_billion:g}B",
                    f"D varies, N = {p.parameters_billion:g}B",
                ],
                rows,
            )  # fmt: skip
        ],
        series=[
            Series(
                "predicted loss against N (D fixed) and D (N fixed)",
                [math.log10(s) for s in sizes],
                {"N varies": by_size, "D varies": by_data},
                "log10 of N or D",
                "loss",
            )
        ],
        notes=notes,
        values={"by_size": by_size, "by_data": by_data},
    )


# --- compute-per-token ---------------------------------------------------------------------------


class ComputePerTokenParams(DemoParams):
    answer_tokens: int = Field(1, ge=1, le=100, description="Tokens of an immediate answer.")
    worked_tokens: int = Field(60, ge=1, le=2000, description="Tokens of a worked solution.")
    context_tokens: int = Field(100, ge=1, le=8192, description="Tokens already in the context.")


@register(
    "compute-per-token",
    "Computation per token: why thinking step by step helps",
    "Fixed FLOPs per token: more tokens, more compute.",
    ComputePerTokenParams,
    random=False,
    section="1",
)
def compute_per_token(p: ComputePerTokenParams) -> DemoResult:
    import torch

    from studybuddy.demos.llama import smollm2_config
    from studybuddy.engine.llama import LlamaConfig, LlamaModel

    cfg = smollm2_config()
    notes: list[str] = []
    if cfg is None:
        from studybuddy.engine import smollm2

        notes.append(f"{smollm2.missing_message()}; using SmolLM2's published sizes.")
        cfg = LlamaConfig(vocab_size=49152, context_length=8192, emb_dim=576, n_heads=9,
                          n_kv_heads=3, n_layers=30, hidden_dim=1536)  # fmt: skip
    with torch.device("meta"):  # shapes only
        model = LlamaModel(cfg)
    # one token's forward pass: a multiply and an add for every weight of every linear layer
    matmul = sum(
        2 * m.in_features * m.out_features
        for m in model.modules()
        if isinstance(m, torch.nn.Linear)
    )
    # and attention over the context: q . k and the weighted sum, per head and layer
    attention = 2 * 2 * cfg.n_layers * cfg.n_heads * cfg.head_dim * p.context_tokens
    per_token = matmul + attention
    params = sum(q.numel() for q in model.parameters())
    rows = [
        ["answer at once", p.answer_tokens, f"{per_token * p.answer_tokens:.3g}"],
        ["work it out first", p.worked_tokens, f"{per_token * p.worked_tokens:.3g}"],
    ]
    notes += [
        f"One token of SmolLM2 ({cfg.n_layers} layers, width {cfg.emb_dim}) costs {matmul:.3g} "
        f"FLOPs in its matrix products (counted from the model's linear layers: 2 per weight, "
        f"close to 2 x its {params:,} parameters, as the embedding matrix is reused as the "
        f"output head) plus {attention:.3g} for attention over {p.context_tokens} tokens.",
        "That cost is the same for every token, whether the next token is 'the' or the answer "
        "to a hard sum: the model cannot think longer about a difficult step.",
        f"Answering at once gives the problem {plural(p.answer_tokens, 'token')} of computation; "
        f"writing out {p.worked_tokens} tokens of working first gives it "
        f"{p.worked_tokens / p.answer_tokens:.0f} times as much, and each step can use the ones "
        "written before. A calculator tool takes the arithmetic away altogether.",
    ]
    return DemoResult(
        "Computation per generated token",
        tables=[Table("computation spent on the problem", ["", "tokens", "FLOPs"], rows)],
        notes=notes,
        values={"per_token": per_token, "matmul": matmul, "attention": attention},
    )
