"""The book's six-token example (ch. 3) and causal masking, against hand calculations."""

from __future__ import annotations

import math

import pytest

from studybuddy.demos import run_demo

INPUTS = [
    [0.43, 0.15, 0.89],
    [0.55, 0.87, 0.66],
    [0.57, 0.85, 0.64],
    [0.22, 0.58, 0.33],
    [0.77, 0.25, 0.10],
    [0.05, 0.80, 0.55],
]


def _dot(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_dot_products_match_a_hand_computation():
    result = run_demo("dot-product-similarity", {"query_index": 1})
    expected = [_dot(row, INPUTS[1]) for row in INPUTS]
    assert result.values["dot_products"] == pytest.approx(expected, abs=1e-5)
    # the book's attention scores for the query "journey"
    assert result.values["dot_products"] == pytest.approx(
        [0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865], abs=1e-4
    )


def test_simplified_self_attention_reproduces_the_book():
    result = run_demo("self-attention-simple", {"query_index": 1})
    assert result.values["context"] == pytest.approx([0.4419, 0.6515, 0.5683], abs=1e-4)
    # and by hand: softmax of the dot products, then the weighted sum of the inputs
    scores = [_dot(row, INPUTS[1]) for row in INPUTS]
    exps = [math.exp(s) for s in scores]
    weights = [e / sum(exps) for e in exps]
    context = [sum(w * row[j] for w, row in zip(weights, INPUTS, strict=True)) for j in range(3)]
    assert result.values["weights"] == pytest.approx(weights, abs=1e-6)
    assert result.values["context"] == pytest.approx(context, abs=1e-6)


def test_trainable_self_attention_reproduces_the_book_with_seed_123():
    import torch

    result = run_demo("self-attention-trainable", {"query_index": 1, "d_out": 2})
    assert result.values["query"] == pytest.approx([0.4306, 1.4551], abs=1e-4)
    assert result.values["context"] == pytest.approx([0.3061, 0.8210], abs=1e-4)
    # the same three draws made directly, in the book's order
    torch.manual_seed(123)
    w_query, w_key, w_value = (torch.rand(3, 2) for _ in range(3))
    assert result.values["W_query"] == w_query.tolist()
    assert result.values["W_key"] == w_key.tolist()
    assert result.values["W_value"] == w_value.tolist()
    x = torch.tensor(INPUTS)
    scores = (x @ w_key) @ (x[1] @ w_query)
    weights = torch.softmax(scores / math.sqrt(2), dim=0)
    assert result.values["context"] == pytest.approx((weights @ (x @ w_value)).tolist(), abs=1e-6)
    assert result.values["engine_context"] == pytest.approx(result.values["context"], abs=1e-6)


@pytest.mark.parametrize("n_tokens", [2, 6, 12])
def test_causal_rows_sum_to_one_with_zeros_above_the_diagonal(n_tokens):
    result = run_demo("causal-mask", {"n_tokens": n_tokens})
    weights = result.values["minus_inf"]
    assert len(weights) == n_tokens
    for i, row in enumerate(weights):
        assert sum(row) == pytest.approx(1.0, abs=1e-6)
        assert all(w == 0.0 for w in row[i + 1 :])
        assert all(w > 0.0 for w in row[: i + 1])


def test_minus_inf_trick_equals_renormalising_the_masked_softmax():
    result = run_demo("causal-mask", {"n_tokens": 6, "seed": 789})
    unmasked = result.values["unmasked"]
    # renormalise by hand from the unmasked weights
    for i, row in enumerate(unmasked):
        kept = row[: i + 1]
        expected = [w / sum(kept) for w in kept] + [0.0] * (len(row) - i - 1)
        assert result.values["minus_inf"][i] == pytest.approx(expected, abs=1e-6)
    assert result.values["max_abs_difference"] < 1e-6
