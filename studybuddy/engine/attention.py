"""Self-attention, built up the way ch. 3 builds it: one small class per step.

1. `SimplifiedSelfAttention`: no weights; scores are dot products of the inputs themselves.
2. `SelfAttentionV1`: trainable W_query, W_key, W_value as plain parameter matrices.
3. `SelfAttentionV2`: the same with `nn.Linear` layers (better initialisation, optional bias).
4. `CausalAttention`: a token may not look ahead (mask), plus dropout on the attention weights.
5. `MultiHeadAttentionWrapper`: several causal heads side by side, outputs concatenated.
6. `MultiHeadAttention`: the same idea with one projection split into heads, every step written
   out (scores, mask, softmax, weights @ values); it can also read and extend a KV cache.
7. `FusedMultiHeadAttention`: what GPTModel runs. The same weights and the same numbers, but
   scores, mask, softmax and weights @ values are one call to `F.scaled_dot_product_attention`,
   which need not store the (tokens x tokens) score matrix. Its `attention_weights` still
   computes the weights step by step for anyone who wants to look at them.

Inputs to 1-3 are (num_tokens, d_in) like the book's examples (a batch dimension in front also
works); 4-7 take (batch, num_tokens, d_in).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from studybuddy.engine.kv_cache import KVCache


def causal_mask(context_length: int) -> torch.Tensor:
    """True above the diagonal: the (query, key) pairs where the key comes after the query."""
    return torch.triu(torch.ones(context_length, context_length, dtype=torch.bool), diagonal=1)


def scaled_softmax(scores: torch.Tensor, d_k: int) -> torch.Tensor:
    # Dividing by sqrt(d_k) keeps the scores' spread independent of d_k, so softmax stays soft.
    return torch.softmax(scores / d_k**0.5, dim=-1)


class SimplifiedSelfAttention(nn.Module):
    """Attention with no trainable weights: each token's context vector is a softmax-weighted
    average of all input vectors, weighted by their dot products with it."""

    def scores(self, x: torch.Tensor) -> torch.Tensor:
        return x @ x.transpose(-2, -1)  # (T, T): row i holds x_i . x_j for every j

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        # No sqrt(d) scaling yet; the book introduces it with trainable weights.
        return torch.softmax(self.scores(x), dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weights(x) @ x


class SelfAttentionV1(nn.Module):
    """Scaled dot-product attention with trainable projection matrices (the book's
    `SelfAttention_v1`): queries, keys and values are x @ W_query, x @ W_key, x @ W_value."""

    def __init__(self, d_in: int, d_out: int) -> None:
        super().__init__()
        # Drawn in this order so torch.manual_seed reproduces the book's numbers.
        self.W_query = nn.Parameter(torch.rand(d_in, d_out))
        self.W_key = nn.Parameter(torch.rand(d_in, d_out))
        self.W_value = nn.Parameter(torch.rand(d_in, d_out))

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        queries, keys = x @ self.W_query, x @ self.W_key
        return scaled_softmax(queries @ keys.transpose(-2, -1), keys.shape[-1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weights(x) @ (x @ self.W_value)


class SelfAttentionV2(nn.Module):
    """`SelfAttentionV1` with `nn.Linear` projections (the book's `SelfAttention_v2`). A Linear
    layer stores the transposed matrix: W_query.weight.T plays the role of V1's W_query."""

    def __init__(self, d_in: int, d_out: int, qkv_bias: bool = False) -> None:
        super().__init__()
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        queries, keys = self.W_query(x), self.W_key(x)
        return scaled_softmax(queries @ keys.transpose(-2, -1), keys.shape[-1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weights(x) @ self.W_value(x)


class CausalAttention(nn.Module):
    """One attention head that only looks back: scores for later tokens are set to -inf before
    the softmax, and dropout randomly drops attention weights while training."""

    def __init__(
        self, d_in: int, d_out: int, context_length: int, dropout: float, qkv_bias: bool = False
    ) -> None:
        super().__init__()
        self.d_out = d_out
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.dropout = nn.Dropout(dropout)
        # A buffer moves with .to(device) but is not trained; not saved, since it is derived.
        self.mask: torch.Tensor
        self.register_buffer("mask", causal_mask(context_length), persistent=False)

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        """Attention weights before dropout, (batch, num_tokens, num_tokens)."""
        num_tokens = x.shape[-2]
        queries, keys = self.W_query(x), self.W_key(x)
        scores = queries @ keys.transpose(-2, -1)
        scores = scores.masked_fill(self.mask[:num_tokens, :num_tokens], -torch.inf)
        return scaled_softmax(scores, keys.shape[-1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.weights(x)) @ self.W_value(x)


class MultiHeadAttentionWrapper(nn.Module):
    """`num_heads` independent causal heads; their outputs are concatenated, so the result has
    `num_heads * d_out` features."""

    def __init__(
        self,
        d_in: int,
        d_out: int,
        context_length: int,
        dropout: float,
        num_heads: int,
        qkv_bias: bool = False,
    ) -> None:
        super().__init__()
        self.heads = nn.ModuleList(
            CausalAttention(d_in, d_out, context_length, dropout, qkv_bias)
            for _ in range(num_heads)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([head(x) for head in self.heads], dim=-1)


class MultiHeadAttention(nn.Module):
    """Causal multi-head attention computed for all heads at once.

    One d_in -> d_out projection each for queries, keys and values is viewed as `num_heads` heads
    of `d_out // num_heads` features; the heads attend in parallel, are put back side by side and
    mixed by `out_proj`. Given a `KVCache` (and this layer's index in it), the keys and values
    of earlier tokens come from the cache and only the new tokens are projected.
    """

    def __init__(
        self,
        d_in: int,
        d_out: int,
        context_length: int,
        dropout: float,
        num_heads: int,
        qkv_bias: bool = False,
    ) -> None:
        super().__init__()
        assert d_out % num_heads == 0, "d_out must be divisible by num_heads"
        self.d_out = d_out
        self.num_heads = num_heads
        self.head_dim = d_out // num_heads
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.out_proj = nn.Linear(d_out, d_out)
        self.dropout = nn.Dropout(dropout)
        self.mask: torch.Tensor
        self.register_buffer("mask", causal_mask(context_length), persistent=False)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        b, num_tokens, _ = x.shape
        x = x.view(b, num_tokens, self.num_heads, self.head_dim)
        return x.transpose(1, 2)  # (b, num_heads, num_tokens, head_dim)

    def project(
        self, x: torch.Tensor, cache: KVCache | None = None, layer: int = 0
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]:
        """Queries, keys, values per head, and how many earlier tokens the cache supplied.

        With a cache, the keys and values cover every token so far (earlier ones from the cache,
        the new ones written into it at `layer`); queries only the new tokens.
        """
        queries = self._split_heads(self.W_query(x))
        keys = self._split_heads(self.W_key(x))
        values = self._split_heads(self.W_value(x))
        past = 0
        if cache is not None:
            past = cache.length
            keys, values = cache.update(layer, keys, values)
        return queries, keys, values, past

    def attention_weights(
        self, queries: torch.Tensor, keys: torch.Tensor, past: int = 0
    ) -> torch.Tensor:
        """Causal softmax weights, (b, num_heads, new_tokens, past + new_tokens)."""
        num_queries, num_keys = queries.shape[-2], keys.shape[-2]
        scores = queries @ keys.transpose(2, 3)
        # New token i sits at position past + i and may see keys 0 .. past + i.
        mask = self.mask[past : past + num_queries, :num_keys]
        scores = scores.masked_fill(mask, -torch.inf)
        return scaled_softmax(scores, self.head_dim)

    def attend(
        self, queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, past: int
    ) -> torch.Tensor:
        """Context vectors per head, (b, num_heads, new_tokens, head_dim)."""
        weights = self.dropout(self.attention_weights(queries, keys, past))
        return weights @ values

    def forward(
        self, x: torch.Tensor, cache: KVCache | None = None, layer: int = 0
    ) -> torch.Tensor:
        b, num_tokens, _ = x.shape
        queries, keys, values, past = self.project(x, cache, layer)
        context = self.attend(queries, keys, values, past)
        context = context.transpose(1, 2).reshape(b, num_tokens, self.d_out)
        return self.out_proj(context)


class FusedMultiHeadAttention(MultiHeadAttention):
    """`MultiHeadAttention` with the head computation in one `F.scaled_dot_product_attention`
    call: the same parameters (a state dict moves between the two unchanged) and the same
    outputs to float rounding, in less time and memory. GPTModel uses this one."""

    def attend(
        self, queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, past: int
    ) -> torch.Tensor:
        num_queries, num_keys = queries.shape[-2], keys.shape[-2]
        dropout_p = self.dropout.p if self.training else 0.0
        if past == 0:
            # Queries and keys are the same tokens: the kernel's own causal mask is ours.
            return F.scaled_dot_product_attention(
                queries, keys, values, dropout_p=dropout_p, is_causal=True
            )
        if num_queries == 1:
            # One new token after the cached ones: it may see every key, so nothing is masked.
            return F.scaled_dot_product_attention(queries, keys, values, dropout_p=dropout_p)
        # Several new tokens after cached ones: `is_causal` would align the mask to the top-left
        # corner (query 0 sees key 0 only), but query i sits at position past + i. SDPA's boolean
        # mask marks the pairs that may attend, the opposite of ours.
        allowed = ~self.mask[past : past + num_queries, :num_keys]
        return F.scaled_dot_product_attention(
            queries, keys, values, attn_mask=allowed, dropout_p=dropout_p
        )
