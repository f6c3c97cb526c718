"""Attention against hand computation, the book's printed numbers, and torch's own SDPA."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional as F

from studybuddy.engine.attention import (
    CausalAttention,
    MultiHeadAttention,
    MultiHeadAttentionWrapper,
    SelfAttentionV1,
    SelfAttentionV2,
    SimplifiedSelfAttention,
)

# "Your journey starts with one step": the book's 3-d embeddings (ch. 3).
ROWS = [[0.43, 0.15, 0.89], [0.55, 0.87, 0.66], [0.57, 0.85, 0.64],
        [0.22, 0.58, 0.33], [0.77, 0.25, 0.10], [0.05, 0.80, 0.55]]  # fmt: skip
INPUTS = torch.tensor(ROWS)


def hand_attention(queries, keys, values, scale=1.0):
    """Scores, weights and context vectors with plain Python loops and math.exp."""
    scores = [[sum(q * k for q, k in zip(qr, kr, strict=True)) for kr in keys] for qr in queries]
    weights = []
    for row in scores:
        exps = [math.exp(s / scale) for s in row]
        weights.append([e / sum(exps) for e in exps])
    context = [
        [sum(w * v[j] for w, v in zip(wr, values, strict=True)) for j in range(len(values[0]))]
        for wr in weights
    ]
    return scores, weights, context


def close(tensor, expected, tol=1e-4):
    return torch.allclose(tensor.detach().float(), torch.tensor(expected), atol=tol, rtol=0)


def test_simplified_attention_matches_hand_computation():
    scores, weights, context = hand_attention(ROWS, ROWS, ROWS)
    attention = SimplifiedSelfAttention()
    assert close(attention.scores(INPUTS), scores, 1e-6)
    assert close(attention.weights(INPUTS), weights, 1e-6)
    assert close(attention(INPUTS), context, 1e-6)


def test_simplified_attention_reproduces_the_books_figures():
    attention = SimplifiedSelfAttention()
    # Query x_2 ("journey"): the book's scores, weights and context vector z_2.
    assert close(attention.scores(INPUTS)[1], [0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865])
    assert close(attention.weights(INPUTS)[1], [0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581])
    assert close(attention(INPUTS)[1], [0.4419, 0.6515, 0.5683])
    # And the first row of the book's matrix of all context vectors ("Your").
    assert close(attention(INPUTS)[0], [0.4421, 0.5931, 0.5790])


def test_trainable_attention_reproduces_the_books_example():
    torch.manual_seed(123)
    attention = SelfAttentionV1(d_in=3, d_out=2)
    x_2 = INPUTS[1]
    assert close(x_2 @ attention.W_query, [0.4306, 1.4551])
    assert close(x_2 @ attention.W_key, [0.4433, 1.1419])
    keys = INPUTS @ attention.W_key
    assert close(
        (x_2 @ attention.W_query) @ keys.T, [1.2705, 1.8524, 1.8111, 1.0795, 0.5577, 1.5440]
    )
    assert close(attention.weights(INPUTS)[1], [0.1500, 0.2264, 0.2199, 0.1311, 0.0906, 0.1820])
    assert close(attention(INPUTS)[1], [0.3061, 0.8210])


def test_trainable_attention_matches_hand_computation():
    torch.manual_seed(123)
    attention = SelfAttentionV1(d_in=3, d_out=2)
    w_q, w_k, w_v = (
        m.detach().tolist() for m in (attention.W_query, attention.W_key, attention.W_value)
    )

    def project(matrix):
        return [[sum(x[i] * matrix[i][j] for i in range(3)) for j in range(2)] for x in ROWS]

    _, weights, context = hand_attention(project(w_q), project(w_k), project(w_v), math.sqrt(2))
    assert close(attention.weights(INPUTS), weights, 1e-6)
    assert close(attention(INPUTS), context, 1e-6)


def test_v2_equals_v1_with_the_same_matrices():
    torch.manual_seed(0)
    v2 = SelfAttentionV2(3, 2)
    v1 = SelfAttentionV1(3, 2)
    with torch.no_grad():  # nn.Linear holds W.T
        v1.W_query.copy_(v2.W_query.weight.T)
        v1.W_key.copy_(v2.W_key.weight.T)
        v1.W_value.copy_(v2.W_value.weight.T)
    assert torch.allclose(v1(INPUTS), v2(INPUTS), atol=1e-6)


def test_causal_attention_equals_torch_sdpa():
    torch.manual_seed(1)
    x = torch.rand(2, 6, 3)
    head = CausalAttention(3, 4, context_length=8, dropout=0.0).eval()
    expected = F.scaled_dot_product_attention(
        head.W_query(x), head.W_key(x), head.W_value(x), is_causal=True
    )
    assert torch.allclose(head(x), expected, atol=1e-6)
    weights = head.weights(x)
    assert torch.all(weights.triu(diagonal=1) == 0)  # no token looks ahead
    assert torch.allclose(weights.sum(-1), torch.ones(2, 6))


def test_attention_dropout_zeroes_or_rescales_weights():
    torch.manual_seed(2)
    x = torch.rand(1, 6, 3)
    head = CausalAttention(3, 4, context_length=6, dropout=0.5).train()
    kept = head.dropout(head.weights(x))
    plain = head.weights(x)
    # Inverted dropout: each weight is either dropped or scaled by 1 / (1 - p) = 2.
    assert torch.all((kept == 0) | torch.isclose(kept, 2 * plain))
    assert (kept == 0).any() and (kept != 0).any()


def test_efficient_multi_head_attention_equals_sdpa_per_head():
    torch.manual_seed(3)
    b, t, d, heads = 2, 7, 12, 3
    x = torch.rand(b, t, d)
    mha = MultiHeadAttention(d, d, context_length=10, dropout=0.0, num_heads=heads, qkv_bias=True)
    mha.eval()

    def split(z):
        return z.view(b, t, heads, d // heads).transpose(1, 2)

    q, k, v = split(mha.W_query(x)), split(mha.W_key(x)), split(mha.W_value(x))
    context = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    expected = mha.out_proj(context.transpose(1, 2).reshape(b, t, d))
    assert torch.allclose(mha(x), expected, atol=1e-6)


def test_wrapper_equals_efficient_version_with_stacked_heads():
    torch.manual_seed(4)
    d_in, d_head, heads = 6, 2, 3
    wrapper = MultiHeadAttentionWrapper(d_in, d_head, 5, 0.0, num_heads=heads).eval()
    mha = MultiHeadAttention(d_in, d_head * heads, 5, 0.0, num_heads=heads).eval()
    with torch.no_grad():
        for name in ("W_query", "W_key", "W_value"):
            stacked = torch.cat([getattr(h, name).weight for h in wrapper.heads])
            getattr(mha, name).weight.copy_(stacked)
        mha.out_proj.weight.copy_(torch.eye(d_head * heads))
        mha.out_proj.bias.zero_()
    x = torch.rand(2, 5, d_in)
    assert wrapper(x).shape == (2, 5, d_head * heads)
    assert torch.allclose(wrapper(x), mha(x), atol=1e-6)


@pytest.mark.parametrize("chunks", [[1, 1, 1, 1, 1, 1], [4, 2], [3, 1, 2]])
def test_kv_cache_attention_equals_full_attention(chunks):
    from studybuddy.engine.kv_cache import KVCache

    torch.manual_seed(5)
    mha = MultiHeadAttention(8, 8, context_length=6, dropout=0.0, num_heads=2).eval()
    x = torch.rand(1, 6, 8)
    cache = KVCache(1, 1, 2, 6, 4, torch.float32)
    outputs, start = [], 0
    for size in chunks:
        outputs.append(mha(x[:, start : start + size], cache))
        cache.advance(size)  # a model does this after its last layer
        start += size
    assert cache.length == 6
    assert torch.allclose(torch.cat(outputs, dim=1), mha(x), atol=1e-6)
