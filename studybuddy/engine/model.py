"""The GPT model of ch. 4, from its parts: LayerNorm, GELU, FeedForward, TransformerBlock, GPTModel.

`LayerNorm` and `GELU` are written out formula by formula, as the book builds them (the demos and
tests use them). The model itself runs `FusedLayerNorm`, `FusedGELU` and
`FusedMultiHeadAttention`: subclasses with the same parameters whose forward is one torch kernel
each (`F.layer_norm`, `F.gelu(approximate="tanh")`, `F.scaled_dot_product_attention`). The tests
check that both give the same numbers; the fused ones are faster and store fewer intermediates.

Parameter names match the book's, so `model.state_dict()` keys read like the book's code:
`tok_emb`, `pos_emb`, `trf_blocks.{i}.att.{W_query,W_key,W_value,out_proj}`,
`trf_blocks.{i}.ff.layers.{0,2}`, `trf_blocks.{i}.norm1|norm2.{scale,shift}`,
`final_norm.{scale,shift}`, `out_head`.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from studybuddy.engine.attention import FusedMultiHeadAttention
from studybuddy.engine.config import GPTConfig
from studybuddy.engine.errors import EngineError
from studybuddy.engine.kv_cache import KVCache


class LayerNorm(nn.Module):
    """Normalise each token's features to mean 0 and variance 1, then scale and shift them.

    The variance is the biased one (divide by n, not n - 1), as GPT-2 and `nn.LayerNorm` use.
    """

    def __init__(self, emb_dim: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps  # keeps the division finite when a token's features are all equal
        self.scale = nn.Parameter(torch.ones(emb_dim))
        self.shift = nn.Parameter(torch.zeros(emb_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        norm_x = (x - mean) / torch.sqrt(var + self.eps)
        return self.scale * norm_x + self.shift


class GELU(nn.Module):
    """GELU in the tanh approximation GPT-2 was trained with."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


class FusedLayerNorm(LayerNorm):
    """`LayerNorm` computed by one kernel (`F.layer_norm`, also biased variance): same
    parameters, same numbers, no intermediate tensors for mean, variance and difference."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, self.scale.shape, self.scale, self.shift, self.eps)


class FusedGELU(GELU):
    """`GELU` computed by one kernel, `F.gelu` in the same tanh approximation."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(x, approximate="tanh")


class FeedForward(nn.Module):
    """Per-token MLP: expand to 4x the width, GELU, project back."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(cfg.emb_dim, 4 * cfg.emb_dim),
            FusedGELU(),
            nn.Linear(4 * cfg.emb_dim, cfg.emb_dim),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class TransformerBlock(nn.Module):
    """Attention then feed-forward, each normalised first (pre-LayerNorm) and wrapped in a
    shortcut connection so gradients reach early layers undiminished."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.att = FusedMultiHeadAttention(
            d_in=cfg.emb_dim,
            d_out=cfg.emb_dim,
            context_length=cfg.context_length,
            dropout=cfg.drop_rate,
            num_heads=cfg.n_heads,
            qkv_bias=cfg.qkv_bias,
        )
        self.ff = FeedForward(cfg)
        self.norm1 = FusedLayerNorm(cfg.emb_dim)
        self.norm2 = FusedLayerNorm(cfg.emb_dim)
        self.drop_shortcut = nn.Dropout(cfg.drop_rate)

    def forward(
        self, x: torch.Tensor, cache: KVCache | None = None, layer: int = 0
    ) -> torch.Tensor:
        shortcut = x
        x = self.norm1(x)
        x = self.att(x, cache, layer)
        x = self.drop_shortcut(x)
        x = x + shortcut

        shortcut = x
        x = self.norm2(x)
        x = self.ff(x)
        x = self.drop_shortcut(x)
        return x + shortcut


class GPTModel(nn.Module):
    """Token + position embeddings, `n_layers` transformer blocks, a final norm, and a linear
    head that scores every vocabulary entry as the next token."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.emb_dim)
        self.pos_emb = nn.Embedding(cfg.context_length, cfg.emb_dim)
        self.drop_emb = nn.Dropout(cfg.drop_rate)
        # A ModuleList (not Sequential) so a KV cache can go to each block; the names are the same.
        self.trf_blocks = nn.ModuleList(TransformerBlock(cfg) for _ in range(cfg.n_layers))
        self.final_norm = FusedLayerNorm(cfg.emb_dim)
        self.out_head = nn.Linear(cfg.emb_dim, cfg.vocab_size, bias=False)
        if cfg.tie_weights:
            # One matrix now both embeds tokens and scores them. nn.Embedding's N(0, 1) start
            # would make the first logits ~sqrt(emb_dim) wide (loss far above ln(vocab_size));
            # GPT-2's N(0, 0.02) keeps them near zero. pos_emb gets the same scale so the two
            # embeddings start out comparable.
            nn.init.normal_(self.tok_emb.weight, std=0.02)
            nn.init.normal_(self.pos_emb.weight, std=0.02)
            self.out_head.weight = self.tok_emb.weight

    def new_cache(self, batch: int, max_len: int | None = None) -> KVCache:
        """An empty KV cache for `batch` sequences of up to `max_len` tokens (default: the
        context length), in the model's dtype and on its device."""
        return KVCache.for_model(
            n_layers=self.cfg.n_layers,
            n_kv_heads=self.cfg.n_heads,  # GPT-2 gives every query head its own keys
            head_dim=self.cfg.head_dim,
            context_length=self.cfg.context_length,
            weight=self.tok_emb.weight,
            batch=batch,
            max_len=max_len,
        )

    def attention_weights(self, in_idx: torch.Tensor, layer: int) -> torch.Tensor:
        """Causal softmax weights (batch, n_heads, tokens, tokens) of every head at block
        `layer`, for demos: the blocks before it run as in `forward`, the rest not at all."""
        _, num_tokens = in_idx.shape
        if not 0 <= layer < self.cfg.n_layers:
            raise EngineError(f"layer must be 0..{self.cfg.n_layers - 1}, got {layer}")
        if num_tokens > self.cfg.context_length:
            raise EngineError(
                f"{num_tokens} tokens exceed context_length {self.cfg.context_length}"
            )
        positions = torch.arange(num_tokens, device=in_idx.device)
        x = self.drop_emb(self.tok_emb(in_idx) + self.pos_emb(positions))
        for block in self.trf_blocks[:layer]:
            x = block(x)
        block = self.trf_blocks[layer]
        assert isinstance(block, TransformerBlock)
        queries, keys, _, _ = block.att.project(block.norm1(x))
        return block.att.attention_weights(queries, keys)

    def forward(
        self, in_idx: torch.Tensor, cache: KVCache | None = None, last_only: bool = False
    ) -> torch.Tensor:
        """Logits of shape (batch, num_tokens, vocab_size) for token ids (batch, num_tokens).

        With a cache, `in_idx` holds only the tokens after those already cached: their positions
        start at `cache.length`, they are added to the cache, and `cache.length` grows by
        num_tokens. `last_only=True` scores only the last position, (batch, 1, vocab_size): all
        that generation needs, and it skips most of the largest matmul (emb_dim x vocab_size per
        token).
        """
        _, num_tokens = in_idx.shape
        start = cache.length if cache is not None else 0
        if start + num_tokens > self.cfg.context_length:
            raise EngineError(
                f"{start + num_tokens} tokens exceed context_length {self.cfg.context_length}"
            )
        positions = torch.arange(start, start + num_tokens, device=in_idx.device)
        x = self.tok_emb(in_idx) + self.pos_emb(positions)  # (batch, num_tokens, emb_dim)
        x = self.drop_emb(x)
        for layer, block in enumerate(self.trf_blocks):
            x = block(x, cache, layer)
        if cache is not None:
            cache.advance(num_tokens)
        if last_only:
            x = x[:, -1:]
        x = self.final_norm(x)
        return self.out_head(x)


def count_parameters(model: nn.Module) -> int:
    """Parameters the model trains: a matrix shared by two layers counts once."""
    return sum(p.numel() for p in model.parameters())


def count_parameters_untied(model: GPTModel) -> int:
    """Parameters as if out_head had its own matrix (the book's 163M for gpt2-small)."""
    total = count_parameters(model)
    if model.out_head.weight is model.tok_emb.weight:
        total += model.out_head.weight.numel()
    return total


def count_parameters_tied(model: GPTModel) -> int:
    """Parameters with out_head sharing tok_emb's matrix, as GPT-2 does (124M for gpt2-small)."""
    return count_parameters_untied(model) - model.out_head.weight.numel()
