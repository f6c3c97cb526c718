"""Text generation (ch. 4-5): repeatedly score the next token, pick one, append it.

`generate` picks greedily (temperature 0) or samples from the softmax of logits / temperature,
optionally restricted to the `top_k` best tokens. With `use_cache=True` each layer keeps the keys
and values of tokens it has already seen (`KVCache`), so a step runs the model on one new token
instead of the whole sequence; the chosen tokens are the same as without the cache.
"""

from __future__ import annotations

import torch

from studybuddy.engine.model import GPTModel


class LayerKVCache:
    """Keys and values one attention layer has computed so far, (batch, heads, tokens, head_dim)."""

    def __init__(self) -> None:
        self.keys: torch.Tensor | None = None
        self.values: torch.Tensor | None = None

    @property
    def length(self) -> int:
        return 0 if self.keys is None else self.keys.shape[-2]

    def append(self, keys: torch.Tensor, values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Add the new tokens' keys and values; return those of every token so far."""
        if self.keys is None or self.values is None:
            self.keys, self.values = keys, values
        else:
            self.keys = torch.cat([self.keys, keys], dim=-2)
            self.values = torch.cat([self.values, values], dim=-2)
        return self.keys, self.values


class KVCache:
    """One `LayerKVCache` per transformer block."""

    def __init__(self, n_layers: int) -> None:
        self.layers = [LayerKVCache() for _ in range(n_layers)]

    @property
    def length(self) -> int:
        return self.layers[0].length


def crop_to_context(idx: torch.Tensor, context_size: int) -> tuple[torch.Tensor, str | None]:
    """Keep the last `context_size` tokens; say so once when that drops part of the prompt."""
    num_tokens = idx.shape[-1]
    if num_tokens <= context_size:
        return idx, None
    notice = (
        f"prompt has {num_tokens} tokens but the model's context is {context_size}; "
        f"keeping the last {context_size}"
    )
    return idx[..., -context_size:], notice


def next_token_from_logits(
    logits: torch.Tensor,
    temperature: float = 0.0,
    top_k: int | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Pick the next token for each row of `logits` (batch, vocab); returns (batch, 1)."""
    if top_k is not None:
        top_logits, _ = torch.topk(logits, min(top_k, logits.shape[-1]))
        kth_best = top_logits[:, -1:]
        logits = logits.masked_fill(logits < kth_best, -torch.inf)
    if temperature > 0.0:
        probs = torch.softmax(logits / temperature, dim=-1)
        return torch.multinomial(probs, num_samples=1, generator=generator)
    return torch.argmax(logits, dim=-1, keepdim=True)


@torch.no_grad()
def generate(
    model: GPTModel,
    idx: torch.Tensor,
    max_new_tokens: int,
    context_size: int | None = None,
    temperature: float = 0.0,
    top_k: int | None = None,
    eos_id: int | None = None,
    use_cache: bool = True,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Extend token ids `idx` (batch, num_tokens) by up to `max_new_tokens` tokens.

    The model sees at most the last `context_size` tokens (default: its context length), so a
    longer prompt is cropped from the left. Generation stops early when the newest token of
    every row is `eos_id` (for one sequence: as soon as it appears). Call `model.eval()` first,
    or dropout makes the output random.
    """
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k must be >= 1, got {top_k}")
    context_size = min(context_size or model.cfg.context_length, model.cfg.context_length)
    cache: KVCache | None = None
    for _ in range(max_new_tokens):
        if not use_cache:
            logits = model(idx[:, -context_size:])
        elif cache is not None and cache.length < context_size:
            logits = model(idx[:, -1:], cache)  # only the token picked last step is new
        else:
            # First step, or the window is full: the window slides, every position changes,
            # so no cached key is valid any more and the window is encoded afresh.
            cache = KVCache(len(model.trf_blocks))
            logits = model(idx[:, -context_size:], cache)
        idx_next = next_token_from_logits(logits[:, -1, :], temperature, top_k, generator)
        idx = torch.cat([idx, idx_next], dim=1)
        if eos_id is not None and bool((idx_next == eos_id).all()):
            break
    return idx
