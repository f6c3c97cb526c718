"""The Llama architecture, the book's bonus step from GPT: what changes and why, one class each.

GPT (ch. 4) -> Llama:
- LayerNorm -> `RMSNorm`: no mean subtraction and no shift, only a learned scale.
- Learned position embeddings -> `RotaryEmbedding`: queries and keys are rotated by an angle
  proportional to their position, so a query-key dot product depends on the distance between
  them, not on where they sit.
- GELU feed-forward -> `FeedForward` with SwiGLU: a SiLU-gated product of two projections.
- Multi-head attention -> `GroupedQueryAttention`: several query heads share one key/value head,
  so the KV cache holds `n_kv_heads` heads instead of `n_heads`.
- No biases anywhere, no dropout (we only run pretrained weights).

Names follow the book's Llama conversion so a reader can map them: `tok_emb`,
`trf_blocks.{i}.att.{W_query,W_key,W_value,out_proj}`, `trf_blocks.{i}.ff.{fc1,fc2,fc3}`,
`trf_blocks.{i}.norm1|norm2.weight`, `final_norm.weight`, `out_head` (tied to `tok_emb`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from studybuddy.engine.errors import EngineError
from studybuddy.engine.kv_cache import KVCache

# Bounds on every size a file can ask for, checked before anything is allocated. They are far
# above SmolLM2-135M (30 layers, width 576) and far below what would exhaust a laptop by mistake.
LIMITS = {
    "vocab_size": 1_000_000,
    "context_length": 32_768,
    "emb_dim": 16_384,
    "hidden_dim": 65_536,
    "n_heads": 256,
    "n_kv_heads": 256,
    "n_layers": 256,
}
MAX_PARAMETERS = 2_000_000_000  # 8 GB in float32: refuse rather than swap


@dataclass(frozen=True)
class LlamaConfig:
    """Hyperparameters of a Llama-family model, read from a GGUF file's metadata."""

    vocab_size: int
    context_length: int
    emb_dim: int
    n_heads: int
    n_kv_heads: int  # key/value heads; the book's Llama 3 code calls them num_kv_groups
    n_layers: int
    hidden_dim: int  # width inside the SwiGLU feed-forward
    rope_base: float = 10_000.0
    rms_eps: float = 1e-5
    tie_weights: bool = True  # out_head reuses tok_emb's matrix

    def __post_init__(self) -> None:
        for name, limit in LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, int) or not 1 <= value <= limit:
                raise EngineError(f"{name} must be an integer in 1..{limit:,}, got {value!r}")
        if self.emb_dim % self.n_heads:
            raise EngineError(
                f"emb_dim ({self.emb_dim}) must be divisible by n_heads ({self.n_heads})"
            )
        if self.n_heads % self.n_kv_heads:
            raise EngineError(
                f"n_heads ({self.n_heads}) must be a multiple of n_kv_heads ({self.n_kv_heads})"
            )
        if self.head_dim % 2:
            raise EngineError(f"head_dim ({self.head_dim}) must be even for rotary embeddings")
        if not (self.rope_base > 1.0 and 0.0 < self.rms_eps < 1.0):
            raise EngineError(
                f"rope_base must be > 1 and rms_eps in (0, 1), got {self.rope_base}, {self.rms_eps}"
            )
        if self.parameter_count() > MAX_PARAMETERS:
            raise EngineError(
                f"{self.parameter_count():,} parameters exceed the limit of {MAX_PARAMETERS:,}"
            )

    @property
    def head_dim(self) -> int:
        return self.emb_dim // self.n_heads

    @property
    def group_size(self) -> int:
        """Query heads that share each key/value head."""
        return self.n_heads // self.n_kv_heads

    def parameter_count(self) -> int:
        """Parameters these sizes imply (tied head counted once), computed without allocating."""
        kv_width = self.n_kv_heads * self.head_dim
        attention = 2 * self.emb_dim * self.emb_dim + 2 * self.emb_dim * kv_width
        feed_forward = 3 * self.emb_dim * self.hidden_dim
        block = attention + feed_forward + 2 * self.emb_dim
        embeddings = self.vocab_size * self.emb_dim * (1 if self.tie_weights else 2)
        return embeddings + self.n_layers * block + self.emb_dim

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> LlamaConfig:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise EngineError(f"unknown LlamaConfig field(s) {unknown}")
        return cls(**values)


class RMSNorm(nn.Module):
    """Scale each token's features to unit root-mean-square, then by a learned weight.

    Unlike LayerNorm there is no mean to subtract and no shift: cheaper, and it works as well.
    Computed in float32 whatever the model's dtype, since the mean of squares of bfloat16 values
    loses digits.
    """

    def __init__(self, emb_dim: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(emb_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x32 = x.float()
        normed = x32 * torch.rsqrt(x32.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        return (normed * self.weight.float()).to(x.dtype)


class RotaryEmbedding(nn.Module):
    """Rotary position embedding (RoPE) in the "rotate half" layout.

    Feature pair (i, i + head_dim/2) of a query or key at position m is rotated by the angle
    m * base^(-2i / head_dim). Rotating both by their own position makes q_m . k_n depend only on
    m - n. The cosines and sines of every position are computed once.
    """

    cos: torch.Tensor
    sin: torch.Tensor

    def __init__(self, head_dim: int, context_length: int, base: float = 10_000.0) -> None:
        super().__init__()
        self.head_dim = head_dim
        inv_freq = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
        angles = torch.arange(context_length, dtype=torch.float64)[:, None] * inv_freq[None, :]
        angles = torch.cat([angles, angles], dim=-1)  # (context_length, head_dim)
        # Derived, so not saved with the weights (persistent=False).
        self.register_buffer("cos", angles.cos().float(), persistent=False)
        self.register_buffer("sin", angles.sin().float(), persistent=False)

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """Rotate x (batch, heads, tokens, head_dim) whose first token sits at `offset`."""
        num_tokens = x.shape[-2]
        cos = self.cos[offset : offset + num_tokens].to(x.dtype)
        sin = self.sin[offset : offset + num_tokens].to(x.dtype)
        half = self.head_dim // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
        return x * cos + rotated * sin


class FeedForward(nn.Module):
    """SwiGLU: fc3(SiLU(fc1(x)) * fc2(x)). fc1 is the gate, fc2 the value it gates, fc3 projects
    back. Three matrices instead of GPT's two, so hidden_dim is smaller than GPT's 4x."""

    def __init__(self, emb_dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(emb_dim, hidden_dim, bias=False)
        self.fc2 = nn.Linear(emb_dim, hidden_dim, bias=False)
        self.fc3 = nn.Linear(hidden_dim, emb_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc3(F.silu(self.fc1(x)) * self.fc2(x))


class GroupedQueryAttention(nn.Module):
    """Causal attention where each group of `n_heads / n_kv_heads` query heads shares one key
    and one value head. Keys and values are projected (and cached) only for the shared heads;
    `scaled_dot_product_attention(enable_gqa=True)` pairs each query head with its group's key
    head without copying keys for every query head.
    """

    def __init__(self, d_in: int, n_heads: int, n_kv_heads: int) -> None:
        super().__init__()
        if d_in % n_heads or n_heads % n_kv_heads:
            raise EngineError(f"width {d_in}, {n_heads} heads, {n_kv_heads} KV heads do not fit")
        self.n_heads = n_heads
        self.n_kv_heads = n_kv_heads
        self.head_dim = d_in // n_heads
        self.W_query = nn.Linear(d_in, n_heads * self.head_dim, bias=False)
        self.W_key = nn.Linear(d_in, n_kv_heads * self.head_dim, bias=False)
        self.W_value = nn.Linear(d_in, n_kv_heads * self.head_dim, bias=False)
        self.out_proj = nn.Linear(n_heads * self.head_dim, d_in, bias=False)

    def _heads(self, x: torch.Tensor, n: int) -> torch.Tensor:
        b, t, _ = x.shape
        return x.view(b, t, n, self.head_dim).transpose(1, 2)  # (b, n, t, head_dim)

    def project(
        self,
        x: torch.Tensor,
        rope: RotaryEmbedding,
        cache: KVCache | None = None,
        layer: int = 0,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]:
        """Rotated queries, keys and values of every token so far, and the first new position."""
        offset = cache.length if cache is not None else 0
        queries = rope(self._heads(self.W_query(x), self.n_heads), offset)
        keys = rope(self._heads(self.W_key(x), self.n_kv_heads), offset)
        values = self._heads(self.W_value(x), self.n_kv_heads)
        if cache is not None:
            keys, values = cache.update(layer, keys, values)
        return queries, keys, values, offset

    def forward(
        self,
        x: torch.Tensor,
        rope: RotaryEmbedding,
        cache: KVCache | None = None,
        layer: int = 0,
    ) -> torch.Tensor:
        b, t, _ = x.shape
        queries, keys, values, offset = self.project(x, rope, cache, layer)
        mask = None
        if t > 1 and offset > 0:
            # New token i sits at position offset + i and may see keys 0 .. offset + i.
            # (is_causal would align the mask to the top-left corner, wrong with a cache.)
            mask = causal_mask_from(offset, t, keys.shape[-2], x.device)
        context = F.scaled_dot_product_attention(
            queries, keys, values, attn_mask=mask, is_causal=t > 1 and offset == 0, enable_gqa=True
        )
        return self.out_proj(context.transpose(1, 2).reshape(b, t, -1))

    def attention_weights(self, x: torch.Tensor, rope: RotaryEmbedding) -> torch.Tensor:
        """Softmax weights (batch, n_heads, tokens, tokens) for a whole sequence, for demos."""
        queries, keys, _, _ = self.project(x, rope)
        keys = keys.repeat_interleave(self.n_heads // self.n_kv_heads, dim=1)
        scores = queries @ keys.transpose(-2, -1) / self.head_dim**0.5
        t = x.shape[1]
        future = torch.triu(torch.ones(t, t, dtype=torch.bool, device=x.device), diagonal=1)
        return torch.softmax(scores.masked_fill(future, -torch.inf), dim=-1)


def causal_mask_from(offset: int, num_queries: int, num_keys: int, device: Any) -> torch.Tensor:
    """True where query i (at position offset + i) may attend to key j."""
    query_pos = torch.arange(offset, offset + num_queries, device=device)[:, None]
    key_pos = torch.arange(num_keys, device=device)[None, :]
    return key_pos <= query_pos


class TransformerBlock(nn.Module):
    """Pre-norm block as in GPT: x + att(norm1(x)), then x + ff(norm2(x)); no dropout."""

    def __init__(self, cfg: LlamaConfig) -> None:
        super().__init__()
        self.norm1 = RMSNorm(cfg.emb_dim, cfg.rms_eps)
        self.att = GroupedQueryAttention(cfg.emb_dim, cfg.n_heads, cfg.n_kv_heads)
        self.norm2 = RMSNorm(cfg.emb_dim, cfg.rms_eps)
        self.ff = FeedForward(cfg.emb_dim, cfg.hidden_dim)

    def forward(
        self,
        x: torch.Tensor,
        rope: RotaryEmbedding,
        cache: KVCache | None = None,
        layer: int = 0,
    ) -> torch.Tensor:
        x = x + self.att(self.norm1(x), rope, cache, layer)
        return x + self.ff(self.norm2(x))


class LlamaModel(nn.Module):
    """Token embedding, `n_layers` blocks, a final RMSNorm and the output head. No position
    embedding: positions enter only through the rotation of queries and keys."""

    def __init__(self, cfg: LlamaConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.emb_dim)
        self.trf_blocks = nn.ModuleList(TransformerBlock(cfg) for _ in range(cfg.n_layers))
        self.final_norm = RMSNorm(cfg.emb_dim, cfg.rms_eps)
        self.out_head = nn.Linear(cfg.emb_dim, cfg.vocab_size, bias=False)
        if cfg.tie_weights:
            self.out_head.weight = self.tok_emb.weight
        self.rope = RotaryEmbedding(cfg.head_dim, cfg.context_length, cfg.rope_base)

    def new_cache(self, batch: int, max_len: int | None = None) -> KVCache:
        """An empty KV cache for `batch` sequences of up to `max_len` tokens (default: the
        context), in the model's dtype and device, one buffer per key/value head."""
        return KVCache.for_model(
            n_layers=self.cfg.n_layers,
            n_kv_heads=self.cfg.n_kv_heads,
            head_dim=self.cfg.head_dim,
            context_length=self.cfg.context_length,
            weight=self.tok_emb.weight,
            batch=batch,
            max_len=max_len,
        )

    def attention_weights(self, in_idx: torch.Tensor, layer: int) -> torch.Tensor:
        """Softmax weights (batch, n_heads, tokens, tokens) of every head at block `layer`, for
        demos: the blocks before it run as in `forward`, the rest not at all."""
        if not 0 <= layer < self.cfg.n_layers:
            raise EngineError(f"layer must be 0..{self.cfg.n_layers - 1}, got {layer}")
        if in_idx.shape[-1] > self.cfg.context_length:
            raise EngineError(
                f"{in_idx.shape[-1]} tokens exceed context_length {self.cfg.context_length}"
            )
        x = self.tok_emb(in_idx)
        for block in self.trf_blocks[:layer]:
            x = block(x, self.rope)
        block = self.trf_blocks[layer]
        assert isinstance(block, TransformerBlock)
        return block.att.attention_weights(block.norm1(x), self.rope)

    def forward(
        self, in_idx: torch.Tensor, cache: KVCache | None = None, last_only: bool = False
    ) -> torch.Tensor:
        """Logits (batch, num_tokens, vocab_size) for token ids (batch, num_tokens).

        With a cache, `in_idx` holds only the tokens after the `cache.length` cached ones; their
        keys and values are added and the cache advances. `last_only` scores only the last
        position, (batch, 1, vocab_size): generation needs no more, and the 49,152-wide output
        matrix is the costliest single step of this small model.
        """
        num_tokens = in_idx.shape[-1]
        start = cache.length if cache is not None else 0
        if start + num_tokens > self.cfg.context_length:
            raise EngineError(
                f"{start + num_tokens} tokens exceed context_length {self.cfg.context_length}"
            )
        x = self.tok_emb(in_idx)
        for i, block in enumerate(self.trf_blocks):
            x = block(x, self.rope, cache, i)
        if cache is not None:
            cache.advance(num_tokens)
        if last_only:
            x = x[:, -1:]
        return self.out_head(self.final_norm(x))
