"""Text generation (ch. 4-5): repeatedly score the next token, pick one, append it.

`generate` picks greedily (temperature 0) or samples from the softmax of logits / temperature,
optionally restricted to the `top_k` best tokens. With `use_cache=True` the model keeps the keys
and values of tokens it has already seen in a `KVCache`, so a step runs the model on one new token
instead of the whole sequence; the chosen tokens are the same as without the cache.

`generate` works with any model that fits `CausalLM` (GPTModel, the Llama-family model): a
`cfg.context_length`, `new_cache(batch, max_len)` and `model(idx, cache, last_only=...)`.
"""

from __future__ import annotations

from typing import Protocol

import torch

from studybuddy.engine.kv_cache import KVCache


class ModelConfig(Protocol):
    @property
    def context_length(self) -> int:
        """Positions the model can attend over."""
        ...


class CausalLM(Protocol):
    """What `generate` needs of a model.

    `model(idx, cache, last_only)`: logits (batch, num_tokens, vocab) for token ids
    (batch, num_tokens), or (batch, 1, vocab) for the last position only when `last_only`. With a
    cache, `idx` holds only the tokens after the `cache.length` cached ones; the model writes
    their keys and values into the cache and advances it.
    """

    @property
    def cfg(self) -> ModelConfig: ...

    def new_cache(self, batch: int, max_len: int) -> KVCache: ...

    def __call__(
        self, idx: torch.Tensor, cache: KVCache | None = None, last_only: bool = False
    ) -> torch.Tensor: ...


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
    model: CausalLM,
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
            logits = model(idx[:, -context_size:], last_only=True)
        elif cache is not None and cache.room() > 0:
            # Only the token picked last step is new.
            logits = model(idx[:, -1:], cache, last_only=True)
        else:
            # First step, or the window is full: the window slides, every position changes,
            # so no cached key is valid any more and the window is encoded afresh (into the same
            # buffers: the cache is allocated once per call, no larger than this call needs).
            if cache is None:
                needed = idx.shape[1] + max_new_tokens - 1
                cache = model.new_cache(idx.shape[0], max(1, min(context_size, needed)))
            cache.reset()
            logits = model(idx[:, -context_size:], cache, last_only=True)
        idx_next = next_token_from_logits(logits[:, -1, :], temperature, top_k, generator)
        idx = torch.cat([idx, idx_next], dim=1)
        if eos_id is not None and bool((idx_next == eos_id).all()):
            break
    return idx
