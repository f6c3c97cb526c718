"""Demos about attention scores: softmax, scaling by sqrt(d_k)."""

from __future__ import annotations

import math

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
