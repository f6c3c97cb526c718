"""Self-attention step by step on the book's six-token example (ch. 3), on the engine's classes."""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field

from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, rounded
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import register

# "Your journey starts with one step" as six 3-dimensional embeddings, the book's running example.
WORDS = ["Your", "journey", "starts", "with", "one", "step"]
INPUTS = [
    [0.43, 0.15, 0.89],
    [0.55, 0.87, 0.66],
    [0.57, 0.85, 0.64],
    [0.22, 0.58, 0.33],
    [0.77, 0.25, 0.10],
    [0.05, 0.80, 0.55],
]


def _inputs() -> Any:
    import torch

    return torch.tensor(INPUTS)


def _labels() -> list[str]:
    return [f"x{i + 1} {word}" for i, word in enumerate(WORDS)]


def _matrix(title: str, values: Any, columns: list[str], labels: list[str]) -> Table:
    return Table(title, columns, rounded(values), row_labels=labels, heat=True)


class QueryParams(DemoParams):
    query_index: int = Field(
        1, ge=0, le=5, description="Which token is the query (0 = 'Your', 1 = 'journey', ...)."
    )


@register(
    "dot-product-similarity",
    "Dot products as similarity",
    "Dot products (and cosines) of the six example embeddings with one query.",
    QueryParams,
)
def dot_product_similarity(p: QueryParams) -> DemoResult:
    import torch

    inputs = _inputs()
    query = inputs[p.query_index]
    dots = inputs @ query
    norms = inputs.norm(dim=1)
    cosines = dots / (norms * query.norm())
    labels = _labels()
    table = Table(
        f"similarity to the query x{p.query_index + 1} ({WORDS[p.query_index]!r})",
        ["x_i . q", "|x_i|", "cos(x_i, q)"],
        [list(r) for r in zip(rounded(dots), rounded(norms), rounded(cosines), strict=True)],
        row_labels=labels,
        heat=True,
    )
    others = [i for i in range(len(WORDS)) if i != p.query_index]
    closest = max(others, key=lambda i: float(dots[i]))
    farthest = min(others, key=lambda i: float(dots[i]))
    best_cos = max(others, key=lambda i: float(cosines[i]))
    notes = [
        f"x{p.query_index + 1} . x{closest + 1} = {float(dots[closest]):.4f} is the largest dot "
        f"product with another token ({WORDS[closest]!r}); {WORDS[farthest]!r} is the least "
        f"similar at {float(dots[farthest]):.4f}.",
        "A dot product is |a| |b| cos(angle): it grows with length as well as with alignment. "
        f"By angle alone the closest is {WORDS[best_cos]!r} "
        f"(cos = {float(cosines[best_cos]):.4f}).",
        "These dot products are exactly the unnormalised attention scores of the query "
        "(see self-attention-simple).",
    ]
    return DemoResult(
        "dot-product-similarity",
        f"Dot products with the query {WORDS[p.query_index]!r}",
        p.model_dump(),
        tables=[_matrix("embeddings", inputs, ["d1", "d2", "d3"], labels), table],
        series=[
            Series(
                "x_i . q",
                [float(i) for i in range(6)],
                {"dot product": dots.tolist()},
                "token",
                "score",
                kind="bar",
                x_ticks=WORDS,
            )
        ],
        notes=notes,
        values={
            "query": query.tolist(),
            "dot_products": dots.tolist(),
            "cosines": cosines.tolist(),
            "reference_dots": [float(torch.dot(row, query)) for row in inputs],
        },
    )


@register(
    "self-attention-simple",
    "Self-attention without trainable weights",
    "Scores, softmax weights and context vectors of the 6x3 'Your journey...' example.",
    QueryParams,
)
def self_attention_simple(p: QueryParams) -> DemoResult:
    from studybuddy.engine.attention import SimplifiedSelfAttention

    inputs = _inputs()
    attention = SimplifiedSelfAttention()
    scores = attention.scores(inputs)
    weights = attention.weights(inputs)
    context = attention(inputs)
    q = p.query_index
    labels = _labels()
    weighted = weights[q].unsqueeze(1) * inputs  # each input scaled by its weight for the query
    breakdown = Table(
        f"context vector of x{q + 1} as a weighted sum",
        ["score", "weight", "w*d1", "w*d2", "w*d3"],
        [
            [round(float(scores[q, i]), 4), round(float(weights[q, i]), 4), *rounded(weighted[i])]
            for i in range(6)
        ]
        + [["", round(float(weights[q].sum()), 4), *rounded(context[q])]],
        row_labels=[*labels, "sum"],
    )
    top = int(weights[q].argmax())
    notes = [
        f"The query {WORDS[q]!r} gives its largest weight, {float(weights[q, top]):.4f}, to "
        f"{WORDS[top]!r}; the smallest, {float(weights[q].min()):.4f}, to "
        f"{WORDS[int(weights[q].argmin())]!r}. Its weights sum to {float(weights[q].sum()):.4f}.",
        f"Context vector z{q + 1} = {_vector(context[q])}: the inputs averaged with those "
        "weights, so the tokens most similar to the query contribute most.",
        "No parameters are trained here: scores are plain dot products of the inputs, which is "
        "why every token attends most to itself or its near-duplicates.",
    ]
    return DemoResult(
        "self-attention-simple",
        f"Simplified self-attention, query {WORDS[q]!r}",
        p.model_dump(),
        tables=[
            _matrix("attention scores x_i . x_j", scores, WORDS, labels),
            _matrix("attention weights (softmax of each row)", weights, WORDS, labels),
            breakdown,
            _matrix("context vectors", context, ["d1", "d2", "d3"], labels),
        ],
        notes=notes,
        values={
            "scores": scores[q].tolist(),
            "weights": weights[q].tolist(),
            "context": context[q].tolist(),
            "all_scores": scores.tolist(),
            "all_weights": weights.tolist(),
            "all_context": context.tolist(),
        },
    )


class TrainableParams(QueryParams):
    d_out: int = Field(2, ge=1, le=8, description="Width of queries, keys and values.")


@register(
    "self-attention-trainable",
    "Self-attention with trainable weights",
    "W_query, W_key, W_value = torch.rand(3, d_out) after manual_seed; scaled scores, context.",
    TrainableParams,
)
def self_attention_trainable(p: TrainableParams) -> DemoResult:
    import torch

    from studybuddy.engine.attention import SelfAttentionV1

    inputs = _inputs()
    with seeded(p.seed):
        attention = SelfAttentionV1(3, p.d_out)  # draws W_query, W_key, W_value in that order
    with torch.no_grad():
        w_query, w_key, w_value = attention.W_query, attention.W_key, attention.W_value
        queries, keys, values = inputs @ w_query, inputs @ w_key, inputs @ w_value
        q = p.query_index
        scores = keys @ queries[q]
        scaled = scores / math.sqrt(p.d_out)
        weights = torch.softmax(scaled, dim=0)
        context = weights @ values
        engine_context = attention(inputs)[q]
    dims = [f"d{j + 1}" for j in range(p.d_out)]
    labels = _labels()
    steps = Table(
        f"query x{q + 1} against every key",
        ["q . k_i", "/ sqrt(d_out)", "softmax"],
        [list(r) for r in zip(rounded(scores), rounded(scaled), rounded(weights), strict=True)],
        row_labels=labels,
        heat=True,
    )
    notes = [
        f"With seed {p.seed}, query q{q + 1} = x{q + 1} @ W_query = {_vector(queries[q])}.",
        f"Scores are divided by sqrt(d_out) = {math.sqrt(p.d_out):.4f} before the softmax; the "
        f"largest weight goes to {WORDS[int(weights.argmax())]!r} ({float(weights.max()):.4f}).",
        f"Context z{q + 1} = weights @ values = {_vector(context)}; the engine's "
        f"SelfAttentionV1 gives the same to within "
        f"{float((context - engine_context).abs().max()):.1e}.",
        "Unlike the simplified version, W_query and W_key let a token attend to tokens that are "
        "not simply similar to it; training sets these matrices.",
    ]
    return DemoResult(
        "self-attention-trainable",
        f"Trainable self-attention, query {WORDS[q]!r}, d_out = {p.d_out}",
        p.model_dump(),
        tables=[
            _matrix("W_query", w_query, dims, ["in d1", "in d2", "in d3"]),
            _matrix("W_key", w_key, dims, ["in d1", "in d2", "in d3"]),
            _matrix("W_value", w_value, dims, ["in d1", "in d2", "in d3"]),
            _matrix("keys (x @ W_key)", keys, dims, labels),
            steps,
            _matrix(f"context vector z{q + 1}", context.unsqueeze(0), dims, [f"z{q + 1}"]),
        ],
        notes=notes,
        values={
            "W_query": w_query.tolist(),
            "W_key": w_key.tolist(),
            "W_value": w_value.tolist(),
            "query": queries[q].tolist(),
            "keys": keys.tolist(),
            "values": values.tolist(),
            "scores": scores.tolist(),
            "weights": weights.tolist(),
            "context": context.tolist(),
            "engine_context": engine_context.tolist(),
        },
    )


class CausalMaskParams(DemoParams):
    n_tokens: int = Field(6, ge=2, le=12, description="Sequence length.")


@register(
    "causal-mask",
    "Causal mask: renormalise vs -inf",
    "Zeroing future weights and renormalising equals masking scores with -inf; rows sum to 1.",
    CausalMaskParams,
)
def causal_mask_demo(p: CausalMaskParams) -> DemoResult:
    import torch

    from studybuddy.engine.attention import CausalAttention, scaled_softmax

    n = p.n_tokens
    with seeded(p.seed):
        extra = torch.rand(max(0, n - 6), 3)  # beyond the six example tokens
        attention = CausalAttention(3, 2, context_length=n, dropout=0.0)
    inputs = torch.cat([_inputs()[:n], extra])
    words = (WORDS + [f"tok{i + 1}" for i in range(6, n)])[:n]
    with torch.no_grad():
        queries, keys = attention.W_query(inputs), attention.W_key(inputs)
        plain = scaled_softmax(queries @ keys.T, keys.shape[-1])
        below = torch.tril(torch.ones(n, n))
        zeroed = plain * below
        renormalised = zeroed / zeroed.sum(dim=-1, keepdim=True)
        minus_inf = attention.weights(inputs)  # the engine: scores above the diagonal -> -inf
    difference = float((renormalised - minus_inf).abs().max())
    above = float(minus_inf.triu(diagonal=1).abs().max())
    row_sums = minus_inf.sum(dim=-1)
    lost = 1 - zeroed.sum(dim=-1)
    worst = int(lost.argmax())
    labels = [f"{i + 1} {w}" for i, w in enumerate(words)]
    notes = [
        f"Renormalising the zeroed weights and masking the scores with -inf agree to within "
        f"{difference:.1e}: exp(-inf) = 0 drops the future keys, and the softmax's own division "
        "does the renormalising.",
        f"Every row sums to 1 (largest error {float((row_sums - 1).abs().max()):.1e}) and every "
        f"weight above the diagonal is {above:g}.",
        f"Zeroing alone leaves row {worst + 1} ({words[worst]!r}) summing to "
        f"{float(zeroed[worst].sum()):.4f}; that is why the first way must renormalise.",
        f"Token 1 ({words[0]!r}) may only look at itself, so its weight is "
        f"{float(minus_inf[0, 0]):.4f}.",
    ]
    if n > 6:
        notes.append(f"Tokens 7 to {n} are random inputs added to the six-token example.")
    return DemoResult(
        "causal-mask",
        f"Causal attention over {n} tokens",
        p.model_dump(),
        tables=[
            Table("weights without a mask", words, rounded(plain), labels, heat=True),
            Table(
                "future weights zeroed (rows no longer sum to 1)",
                words,
                rounded(zeroed),
                labels,
                heat=True,
            ),
            Table("zeroed, then renormalised", words, rounded(renormalised), labels, heat=True),
            Table(
                "scores masked with -inf, then softmax",
                words,
                rounded(minus_inf),
                labels,
                heat=True,
            ),
        ],
        notes=notes,
        values={
            "inputs": inputs.tolist(),
            "unmasked": plain.tolist(),
            "renormalised": renormalised.tolist(),
            "minus_inf": minus_inf.tolist(),
            "row_sums": row_sums.tolist(),
            "max_abs_difference": difference,
            "max_above_diagonal": above,
        },
    )


def _vector(values: Any) -> str:
    return "[" + ", ".join(f"{float(v):.4f}" for v in values) + "]"
