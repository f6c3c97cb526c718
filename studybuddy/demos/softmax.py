"""Softmax demos: why the hand-written version overflows, and why scores are scaled by sqrt(d_k)."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field

from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, rounded
from studybuddy.demos.registry import register


class SoftmaxScalingParams(DemoParams):
    d_k: int = Field(64, ge=1, le=4096, description="Dimension of queries and keys.")
    n_keys: int = Field(6, ge=2, le=32, description="How many keys the query attends to.")


def _entropy(weights) -> float:
    import torch

    return float(-(weights * torch.log(weights.clamp_min(1e-30))).sum())


@register(
    "softmax-scaling",
    "Why divide attention scores by sqrt(d_k)",
    "Softmax of q.k scores with and without 1/sqrt(d_k) as the dimension grows.",
    SoftmaxScalingParams,
)
def softmax_scaling(p: SoftmaxScalingParams) -> DemoResult:
    import torch

    generator = torch.Generator().manual_seed(p.seed)
    # Entries with unit variance, as after a well-initialised projection.
    query = torch.randn(p.d_k, generator=generator)
    keys = torch.randn(p.n_keys, p.d_k, generator=generator)
    scores = keys @ query
    plain = torch.softmax(scores, dim=0)
    scaled = torch.softmax(scores / math.sqrt(p.d_k), dim=0)

    labels = [f"key {i}" for i in range(p.n_keys)]
    table = Table(
        "scores and weights",
        ["q.k", "softmax(q.k)", "softmax(q.k / sqrt(d_k))"],
        [
            list(row)
            for row in zip(rounded(scores, 3), rounded(plain), rounded(scaled), strict=True)
        ],
        row_labels=labels,
        heat=True,
    )

    # The spread of q.k grows like d_k; measure it over many random pairs for a range of sizes.
    dims = [d for d in (1, 4, 16, 64, 256, 1024) if d <= max(p.d_k, 64)]
    variances, max_plain, max_scaled = [], [], []
    for d in dims:
        q = torch.randn(2000, d, generator=generator)
        k = torch.randn(2000, d, generator=generator)
        variances.append(float((q * k).sum(dim=1).var()))
        s = torch.randn(p.n_keys, d, generator=generator) @ torch.randn(d, generator=generator)
        max_plain.append(float(torch.softmax(s, 0).max()))
        max_scaled.append(float(torch.softmax(s / math.sqrt(d), 0).max()))
    spread = Table(
        "how q.k grows with d_k",
        ["d_k", "var(q.k)", "max weight unscaled", "max weight scaled"],
        [
            [d, round(v, 2), round(a, 3), round(b, 3)]
            for d, v, a, b in zip(dims, variances, max_plain, max_scaled, strict=True)
        ],
    )
    chart = Series(
        "largest attention weight",
        [float(d) for d in dims],
        {"unscaled": max_plain, "scaled": max_scaled},
        "d_k",
        "max weight",
    )

    top_plain, top_scaled = float(plain.max()), float(scaled.max())
    entropy_plain, entropy_scaled = _entropy(plain), _entropy(scaled)
    notes = [
        f"With d_k = {p.d_k} the largest weight is {top_plain:.2f} without scaling "
        f"and {top_scaled:.2f} with it.",
        f"Entropy of the weights: {entropy_plain:.2f} nats unscaled, {entropy_scaled:.2f} scaled "
        f"(a uniform spread over {p.n_keys} keys would be {math.log(p.n_keys):.2f}).",
        "The variance of q.k grows in step with d_k, so dividing by sqrt(d_k) brings it back to "
        "about 1 and keeps the softmax out of its flat, near one-hot region.",
    ]
    return DemoResult(
        "softmax-scaling",
        "Scaling attention scores by 1/sqrt(d_k)",
        p.model_dump(),
        tables=[table, spread],
        series=[chart],
        notes=notes,
        values={
            "scores": rounded(scores, 6),
            "weights_unscaled": rounded(plain, 6),
            "weights_scaled": rounded(scaled, 6),
            "max_weight_unscaled": top_plain,
            "max_weight_scaled": top_scaled,
            "entropy_unscaled": entropy_plain,
            "entropy_scaled": entropy_scaled,
            "qk_variance_by_dim": dict(zip(dims, variances, strict=True)),
        },
    )


# exp overflows a float32 above this argument (ln of the largest float32, 3.4e38).
FLOAT32_EXP_LIMIT = math.log(3.4028234663852886e38)

Score = Annotated[float, Field(ge=-1000, le=1000)]


class SoftmaxNaiveParams(DemoParams):
    scores: list[Score] = Field(
        [2.0, 1.0, 0.1], min_length=2, max_length=16, description="Attention scores (logits)."
    )


def _hand_softmax(scores: list[float]) -> list[float] | None:
    """exp(x) / sum(exp(x)) with Python floats, as first written by hand; None on overflow."""
    try:
        exps = [math.exp(s) for s in scores]
    except OverflowError:
        return None
    total = sum(exps)
    if total == 0.0 or math.isinf(total):
        return None
    return [e / total for e in exps]


def _divide_by_sum(scores: list[float]) -> list[float] | None:
    total = sum(scores)
    return None if total == 0 else [s / total for s in scores]


@register(
    "softmax-naive",
    "Softmax by hand, and where it breaks",
    "Divide-by-sum vs exp/sum vs torch.softmax; exp overflows on large scores.",
    SoftmaxNaiveParams,
)
def softmax_naive(p: SoftmaxNaiveParams) -> DemoResult:
    import torch

    scores = torch.tensor(p.scores, dtype=torch.float32)
    by_sum = _divide_by_sum(p.scores)
    hand = _hand_softmax(p.scores)
    exps = torch.exp(scores)
    naive = exps / exps.sum()  # float32, as a tensor written without care
    stable_exps = torch.exp(scores - scores.max())
    stable = stable_exps / stable_exps.sum()
    library = torch.softmax(scores, dim=0)

    def cell(values: list[float] | None, i: int) -> object:
        return "undefined" if values is None else round(values[i], 4)

    rows = [
        [
            p.scores[i],
            cell(by_sum, i),
            cell(hand, i) if hand is not None else "overflow",
            _finite_or_word(float(naive[i])),
            round(float(stable[i]), 4),
            round(float(library[i]), 4),
        ]
        for i in range(len(p.scores))
    ]
    table = Table(
        "four ways to turn scores into weights",
        [
            "score",
            "x / sum(x)",
            "math.exp by hand",
            "exp(x) / sum (float32)",
            "exp(x - max) / sum",
            "torch.softmax",
        ],
        rows,
        row_labels=[f"x{i + 1}" for i in range(len(p.scores))],
    )
    naive_broken = not bool(torch.isfinite(naive).all())
    max_diff = float((stable - library).abs().max())
    notes = _softmax_notes(p.scores, by_sum, hand, naive_broken, max_diff, stable.tolist())
    ticks = [f"x{i + 1}" for i in range(len(p.scores))]
    chart = Series(
        "weights per score",
        [float(i) for i in range(len(p.scores))],
        {"softmax": stable.tolist()} | ({"x / sum(x)": by_sum} if by_sum is not None else {}),
        "score",
        "weight",
        kind="bar",
        x_ticks=ticks,
    )
    return DemoResult(
        "softmax-naive",
        "Softmax by hand, and where it breaks",
        p.model_dump(),
        tables=[table],
        series=[chart],
        notes=notes,
        values={
            "scores": p.scores,
            "divide_by_sum": by_sum,
            "hand_softmax": hand,
            "naive_float32": naive.tolist(),
            "naive_overflows": naive_broken,
            "stable_softmax": stable.tolist(),
            "torch_softmax": library.tolist(),
            "max_abs_diff_stable_vs_torch": max_diff,
        },
    )


def _finite_or_word(value: float) -> object:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf"
    return round(value, 4)


def _softmax_notes(
    scores: list[float],
    by_sum: list[float] | None,
    hand: list[float] | None,
    naive_broken: bool,
    max_diff: float,
    weights: list[float],
) -> list[str]:
    notes = []
    top = max(scores)
    if naive_broken:
        notes.append(
            f"The largest score is {top:g}; exp of anything above {FLOAT32_EXP_LIMIT:.2f} is inf "
            "in float32, so exp(x) / sum(exp(x)) gives inf / inf = nan."
        )
    if hand is None:
        notes.append(
            f"Python's math.exp stops at about 709.78 (float64), so exp({top:g}) raises "
            "OverflowError before anything is divided."
            if top > 709.78
            else "Every exp(x) underflowed to 0, so the hand softmax divides 0 by 0."
        )
    notes.append(
        f"Subtracting the largest score first keeps every exponent at or below 0; the result "
        f"matches torch.softmax to within {max_diff:.1e}, because the common factor exp(-max) "
        "cancels in the division."
    )
    if by_sum is None:
        notes.append("The scores sum to 0, so dividing by their sum is undefined.")
    elif any(w < 0 for w in by_sum):
        notes.append(
            "Dividing by the sum gives negative weights for negative scores: those are not "
            "probabilities. exp makes every weight positive."
        )
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    first, second = order[0], order[1]
    if by_sum is not None and by_sum[second] > 0 and scores[second] > 0 and weights[second] > 0:
        notes.append(
            f"Scores {scores[first]:g} and {scores[second]:g}: divide-by-sum weights them "
            f"{by_sum[first] / by_sum[second]:.2f} : 1, softmax "
            f"{weights[first] / weights[second]:.2f} : 1 (= e^{scores[first] - scores[second]:g})"
            ", since softmax depends on differences of scores, not on ratios."
        )
    return notes
