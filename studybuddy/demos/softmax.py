"""Softmax demos: where the hand-written version overflows or underflows, and why attention
scores are scaled by sqrt(d_k)."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field

from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, rounded, significant
from studybuddy.demos.registry import register


class SoftmaxScalingParams(DemoParams):
    d_k: int = Field(64, ge=1, le=4096, description="Dimension of queries and keys.")
    n_keys: int = Field(6, ge=2, le=32, description="How many keys the query attends to.")


# The sizes swept in the "how it grows" table and charts: powers of two on a log axis.
SWEEP_DIMS = tuple(2**i for i in range(11))  # 1 .. 1024
SWEEP_SCORES = 1152  # at least this many q.k pairs per size, spread over the draws
SWEEP_MIN_DRAWS = 192  # queries averaged per size, so the curves rise steadily


def _entropy(weights) -> float:
    import torch

    return float(-(weights * torch.log(weights.clamp_min(1e-30))).sum(dim=-1).mean())


def softmax_jacobian_norm(weights):
    """Frobenius norm of d softmax / d scores, diag(p) - p p^T, for each row of weights.

    Built entry by entry (at most 32 x 32 per row): the closed form sum p^2 - 2 sum p^3 +
    (sum p^2)^2 cancels to noise when the softmax is nearly one-hot, the very case shown here.
    """
    import torch

    jacobian = torch.diag_embed(weights) - weights.unsqueeze(-1) * weights.unsqueeze(-2)
    return jacobian.flatten(-2).norm(dim=-1)


@register(
    "softmax-scaling",
    "Why divide attention scores by sqrt(d_k)",
    "Softmax and its gradient, with and without 1/√d_k.",
    SoftmaxScalingParams,
    section="3.4",
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
    grad_plain = float(softmax_jacobian_norm(plain))
    grad_scaled = float(softmax_jacobian_norm(scaled))

    labels = [f"key {i}" for i in range(p.n_keys)]
    table = Table(
        "scores and weights",
        ["q.k", "softmax(q.k)", "softmax(q.k/√d_k)"],
        [
            list(row)
            for row in zip(rounded(scores, 3), rounded(plain), rounded(scaled), strict=True)
        ],
        row_labels=labels,
        heat=True,
    )

    # Averaged over many random queries per size, so each column changes steadily with d_k.
    # Each size uses the first d entries of the same long vectors: one draw for all sizes, and
    # the sizes differ only by the entries added, which keeps the curves smooth.
    dims = sorted(set(SWEEP_DIMS) | {p.d_k})
    draws = max(SWEEP_MIN_DRAWS, math.ceil(SWEEP_SCORES / p.n_keys))
    q = torch.randn(draws, dims[-1], 1, generator=generator)
    k = torch.randn(draws, p.n_keys, dims[-1], generator=generator)
    variances, max_plain, max_scaled, grads_plain, grads_scaled = [], [], [], [], []
    s = torch.zeros(draws, p.n_keys)
    done = 0
    for d in dims:
        # q.k over the first d entries: the previous size's sum plus the entries added since.
        s = s + (k[:, :, done:d] @ q[:, done:d]).squeeze(-1)  # (draws, n_keys)
        done = d
        variances.append(float(s.var()))
        weights_plain = torch.softmax(s, dim=-1)
        weights_scaled = torch.softmax(s / math.sqrt(d), dim=-1)
        max_plain.append(float(weights_plain.max(dim=-1).values.mean()))
        max_scaled.append(float(weights_scaled.max(dim=-1).values.mean()))
        grads_plain.append(float(softmax_jacobian_norm(weights_plain).mean()))
        grads_scaled.append(float(softmax_jacobian_norm(weights_scaled).mean()))
    spread = Table(
        f"as d_k grows (means over {draws} random queries)",
        ["d_k", "var(q.k)", "max w", "max w scaled", "|grad|", "|grad| scaled"],
        [
            [d, round(v, 2), round(a, 3), round(b, 3), significant(g, 3), significant(h, 3)]
            for d, v, a, b, g, h in zip(
                dims, variances, max_plain, max_scaled, grads_plain, grads_scaled, strict=True
            )
        ],
    )
    xs = [float(d) for d in dims]
    charts = [
        Series(
            "largest attention weight (mean)",
            xs,
            {"unscaled": max_plain, "scaled": max_scaled},
            "d_k",
            "max weight",
            log_x=True,
        ),
        Series(
            "gradient of the softmax wrt the scores, |J| (mean)",
            xs,
            {"unscaled": grads_plain, "scaled": grads_scaled},
            "d_k",
            "|d softmax / d scores|",
            log_x=True,
            log_y=True,
        ),
    ]

    top_plain, top_scaled = float(plain.max()), float(scaled.max())
    entropy_plain, entropy_scaled = _entropy(plain), _entropy(scaled)
    notes = [
        f"With d_k = {p.d_k} the largest weight is {top_plain:.2f} without scaling "
        f"and {top_scaled:.2f} with it; the gradient of the softmax with respect to the scores "
        f"has norm {grad_plain:.2g} without scaling and {grad_scaled:.2g} with it.",
        f"Entropy of the weights: {entropy_plain:.2f} nats unscaled, {entropy_scaled:.2f} scaled "
        f"(a uniform spread over {p.n_keys} keys would be {math.log(p.n_keys):.2f}).",
    ]
    low, high = variances[0], variances[dims.index(max(SWEEP_DIMS))]
    if 0.5 < (high / low) / (max(SWEEP_DIMS) / min(SWEEP_DIMS)) < 2:
        notes.append(
            f"var(q.k) grows in step with d_k ({low:.2f} at d_k = 1, {high:.0f} at "
            f"{max(SWEEP_DIMS)}); dividing by sqrt(d_k) brings it back to about 1."
        )
    big = dims.index(max(SWEEP_DIMS))
    if grads_plain[big] < grads_scaled[big] / 2:
        notes.append(
            f"That is the reason for the scaling: at d_k = {max(SWEEP_DIMS)} the unscaled "
            f"softmax is nearly one-hot (mean max weight {max_plain[big]:.2f}) and its gradient "
            f"is {_times(grads_scaled[big] / max(grads_plain[big], 1e-30))} smaller than the "
            "scaled one's, so the scores, and W_query and W_key behind them, would barely learn."
        )
    if p.d_k == 1:
        notes.append("With d_k = 1, sqrt(d_k) = 1 and scaling changes nothing.")
    elif grad_plain == 0.0:
        notes.append(
            "For this draw the unscaled weights are exactly one-hot in float32: the softmax "
            "passes no gradient at all back to the scores."
        )
    elif grad_plain < grad_scaled / 2 and top_plain > top_scaled:
        notes.append(
            f"For this draw too the unscaled weights are peakier and pass "
            f"{_times(grad_scaled / grad_plain)} less gradient."
        )
    return DemoResult(
        "Scaling attention scores by 1/sqrt(d_k)",
        tables=[table, spread],
        series=charts,
        notes=notes,
        values={
            "scores": rounded(scores, 6),
            "weights_unscaled": rounded(plain, 6),
            "weights_scaled": rounded(scaled, 6),
            "max_weight_unscaled": top_plain,
            "max_weight_scaled": top_scaled,
            "entropy_unscaled": entropy_plain,
            "entropy_scaled": entropy_scaled,
            "grad_norm_unscaled": grad_plain,
            "grad_norm_scaled": grad_scaled,
            "sweep_dims": dims,
            "sweep_draws": draws,
            "qk_variance_by_dim": dict(zip(dims, variances, strict=True)),
            "mean_max_weight_unscaled": max_plain,
            "mean_max_weight_scaled": max_scaled,
            "mean_grad_norm_unscaled": grads_plain,
            "mean_grad_norm_scaled": grads_scaled,
        },
    )


def _times(ratio: float) -> str:
    return f"{ratio:.0f}x" if ratio < 1000 else f"{ratio:.1e}x"


# exp overflows a float32 above this argument (ln of the largest float32, 3.4e38).
FLOAT32_EXP_LIMIT = math.log(3.4028234663852886e38)
MATH_EXP_LIMIT = math.log(1.7976931348623157e308)  # the same for Python floats (float64)

Score = Annotated[float, Field(ge=-1000, le=1000)]


class SoftmaxNaiveParams(DemoParams):
    scores: list[Score] = Field(
        [2.0, 1.0, 0.1], min_length=2, max_length=16, description="Attention scores (logits)."
    )


def _hand_softmax(scores: list[float]) -> tuple[list[float] | None, str | None]:
    """exp(x) / sum(exp(x)) with Python floats, as first written by hand.

    Returns the weights, or None and why not: "overflow" (math.exp raised, or the sum of the
    exponentials passed the largest float64) or "underflow" (every exp(x) was 0).
    """
    try:
        exps = [math.exp(s) for s in scores]
    except OverflowError:
        return None, "overflow"
    total = sum(exps)
    if math.isinf(total):
        return None, "overflow"
    if total == 0.0:
        return None, "underflow"
    return [e / total for e in exps], None


def _divide_by_sum(scores: list[float]) -> list[float] | None:
    total = sum(scores)
    return None if total == 0 else [s / total for s in scores]


@register(
    "softmax-naive",
    "Softmax by hand, and where it breaks",
    "Softmax by hand: where exp overflows or underflows.",
    SoftmaxNaiveParams,
    random=False,
    section="3.3",
)
def softmax_naive(p: SoftmaxNaiveParams) -> DemoResult:
    import torch

    scores = torch.tensor(p.scores, dtype=torch.float32)
    by_sum = _divide_by_sum(p.scores)
    hand, hand_failure = _hand_softmax(p.scores)
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
            cell(hand, i) if hand is not None else hand_failure,
            _finite_or_word(float(naive[i])),
            round(float(stable[i]), 4),
            round(float(library[i]), 4),
        ]
        for i in range(len(p.scores))
    ]
    table = Table(
        "four ways to turn scores into weights: x / sum(x); exp(x) / sum(exp(x)) by hand "
        "(math.exp) and as a float32 tensor; exp(x - max) / sum (stable); torch.softmax",
        ["score", "x / sum", "math.exp", "float32", "stable", "torch"],
        rows,
        row_labels=[f"x{i + 1}" for i in range(len(p.scores))],
    )
    # float32 fails one of two ways: some exp(x) is inf (overflow: inf / inf = nan), or every
    # exp(x) is 0 (underflow: 0 / 0 = nan).
    overflows = bool(torch.isinf(exps).any())
    underflows = not overflows and float(exps.sum()) == 0.0
    max_diff = float((stable - library).abs().max())
    notes = _softmax_notes(
        p.scores, by_sum, hand_failure, overflows, underflows, max_diff, stable.tolist()
    )
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
        "Softmax by hand, and where it breaks",
        tables=[table],
        series=[chart],
        notes=notes,
        values={
            "scores": p.scores,
            "divide_by_sum": by_sum,
            "hand_softmax": hand,
            "naive_float32": naive.tolist(),
            "naive_overflows": overflows,
            "naive_underflows": underflows,
            "naive_is_nan": bool(torch.isnan(naive).any()),
            "hand_failure": hand_failure,
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
    hand_failure: str | None,
    overflows: bool,
    underflows: bool,
    max_diff: float,
    weights: list[float],
) -> list[str]:
    notes = []
    top = max(scores)
    if overflows:
        notes.append(
            f"Overflow: the largest score is {top:g}, and exp of anything above "
            f"{FLOAT32_EXP_LIMIT:.2f} is inf in float32, so exp(x) / sum(exp(x)) gives "
            "inf / inf = nan."
        )
    elif underflows:
        notes.append(
            f"Underflow: even the largest score, {top:g}, is so negative that every exp(x) "
            "rounds to 0 in float32 (below about -103.97), so exp(x) / sum(exp(x)) gives "
            "0 / 0 = nan."
        )
    if hand_failure == "overflow":
        notes.append(
            f"Python's math.exp stops at about 709.78 (float64), so exp({top:g}) raises "
            "OverflowError before anything is divided."
            if top > MATH_EXP_LIMIT
            else "In float64 each exp(x) still fits, but their sum passes the largest float, "
            "inf, so the hand softmax fails too."
        )
    elif hand_failure == "underflow":
        notes.append(
            "Even in float64 every exp(x) underflows to 0 (below about -745), so the hand "
            "softmax divides 0 by 0."
        )
    notes.append(
        f"Subtracting the largest score first keeps every exponent at or below 0 and the largest "
        f"at exactly 0 (exp(0) = 1, so the sum is never 0 or inf); the result matches "
        f"torch.softmax to within {max_diff:.1e}, because the common factor exp(-max) cancels "
        "in the division."
    )
    if by_sum is None:
        notes.append("The scores sum to 0, so dividing by their sum is undefined.")
    elif any(w < 0 for w in by_sum):
        negative = [f"x{i + 1}" for i, w in enumerate(by_sum) if w < 0]
        notes.append(
            f"Dividing by the sum gives negative weights ({', '.join(negative[:4])}): those are "
            "not probabilities. exp makes every weight positive."
        )
    elif sum(scores) < 0 and len(set(scores)) > 1:
        notes.append(
            "Every score is negative, so their sum is too, and dividing by it turns the order "
            "round: the smallest score gets the largest weight. exp keeps the order."
        )
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    first, second = order[0], order[1]
    if (
        by_sum is not None
        and by_sum[second] > 0
        and scores[second] > 0
        and weights[second] > 0
        and scores[first] > scores[second]
    ):
        notes.append(
            f"Scores {scores[first]:g} and {scores[second]:g}: divide-by-sum weights them "
            f"{by_sum[first] / by_sum[second]:.2f} : 1, softmax "
            f"{weights[first] / weights[second]:.2f} : 1 (= e^{scores[first] - scores[second]:g})"
            ", since softmax depends on differences of scores, not on ratios."
        )
    return notes
