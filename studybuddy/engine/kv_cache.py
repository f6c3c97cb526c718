"""`KVCache`: the keys and values every attention layer has computed, kept for the next tokens.

During generation each new token attends to the keys and values of every earlier token. They do
not change once computed (a token's key depends only on the tokens before it), so each layer keeps
them instead of recomputing the whole sequence at every step.

The buffers are allocated once, at the size the caller asks for (usually the model's context), and
written in place: a step copies only the new token's keys and values, never the earlier ones, and
attention receives a view of the filled part. Growing the cache by `torch.cat` instead copies every
earlier key and value at every step (tens of GB over 1,024 steps of gpt2-small).

How a model uses it (any model: GPTModel, a Llama-family model, ...):

    cache = model.new_cache(batch, max_len)   # KVCache(n_layers, batch, n_kv_heads, ...)
    logits = model(prompt_ids, cache)          # fills positions 0 .. len(prompt) - 1
    logits = model(next_ids, cache)            # the new tokens' position starts at cache.length

Inside the model's forward pass, layer `i` calls `keys, values = cache.update(i, k_new, v_new)`
with the new tokens' (batch, n_kv_heads, t, head_dim) keys and values and attends over what it
gets back (every token so far). The new queries sit at positions `cache.length ..
cache.length + t - 1`, which is also the causal mask's offset. After the last layer the model calls
`cache.advance(t)` once. Grouped-query models store only their `n_kv_heads` key/value heads.
"""

from __future__ import annotations

import torch

from studybuddy.engine.errors import EngineError


class KVCache:
    """Preallocated keys and values for every layer: one (batch, n_kv_heads, max_len, head_dim)
    buffer each for keys and values, written in place; `length` tokens are filled.

    `length` is the number of tokens cached so far, which is also the position of the next token.
    It moves only by `advance` (once per forward pass, after every layer has called `update`), so
    during a pass every layer sees the same `length`.
    """

    def __init__(
        self,
        n_layers: int,
        batch: int,
        n_kv_heads: int,
        max_len: int,
        head_dim: int,
        dtype: torch.dtype,
        device: torch.device | str = "cpu",
    ) -> None:
        for name, value in (
            ("n_layers", n_layers),
            ("batch", batch),
            ("n_kv_heads", n_kv_heads),
            ("max_len", max_len),
            ("head_dim", head_dim),
        ):
            if value < 1:
                raise EngineError(f"KVCache: {name} must be a positive integer, got {value}")
        self.max_len = max_len
        self.length = 0
        shape = (batch, n_kv_heads, max_len, head_dim)
        self.keys = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(n_layers)]
        self.values = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(n_layers)]

    @classmethod
    def for_model(
        cls,
        *,
        n_layers: int,
        n_kv_heads: int,
        head_dim: int,
        context_length: int,
        weight: torch.Tensor,
        batch: int,
        max_len: int | None = None,
    ) -> KVCache:
        """The empty cache a model hands `generate`: `max_len` tokens (default: the model's
        context) of `batch` sequences, in the dtype and on the device of the model's `weight`."""
        max_len = context_length if max_len is None else max_len
        if not 1 <= max_len <= context_length:
            raise EngineError(
                f"cache length {max_len} must be in 1 .. context_length {context_length}"
            )
        return cls(n_layers, batch, n_kv_heads, max_len, head_dim, weight.dtype, weight.device)

    @property
    def n_layers(self) -> int:
        return len(self.keys)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """(batch, n_kv_heads, max_len, head_dim) of each layer's key and value buffer."""
        b, h, t, d = self.keys[0].shape
        return b, h, t, d

    @property
    def nbytes(self) -> int:
        """Memory of all buffers together; fixed for the cache's lifetime."""
        return sum(t.numel() * t.element_size() for t in (*self.keys, *self.values))

    def room(self) -> int:
        """Tokens that still fit."""
        return self.max_len - self.length

    def update(
        self, layer: int, keys: torch.Tensor, values: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Write the new tokens' keys and values (batch, n_kv_heads, t, head_dim) of `layer` at
        positions `length .. length + t - 1`; return views of positions 0 .. length + t - 1.

        Never reallocates: the returned tensors share the preallocated buffers' storage.
        """
        if not 0 <= layer < self.n_layers:
            raise EngineError(f"KVCache: layer {layer} out of range (0 .. {self.n_layers - 1})")
        buffer_k, buffer_v = self.keys[layer], self.values[layer]
        b, h, _, d = buffer_k.shape
        t = keys.shape[-2]
        expected = (b, h, t, d)
        if tuple(keys.shape) != expected or tuple(values.shape) != expected:
            raise EngineError(
                f"KVCache: keys {tuple(keys.shape)} and values {tuple(values.shape)} do not fit "
                f"the cache, expected (batch, n_kv_heads, t, head_dim) = {expected}"
            )
        end = self.length + t
        if end > self.max_len:
            raise EngineError(
                f"KVCache: {self.length} cached + {t} new tokens exceed its max_len {self.max_len}"
            )
        buffer_k[:, :, self.length : end].copy_(keys)
        buffer_v[:, :, self.length : end].copy_(values)
        return buffer_k[:, :, :end], buffer_v[:, :, :end]

    def advance(self, t: int) -> None:
        """Mark `t` more tokens as cached; the model calls it once per forward pass, after every
        layer has written them with `update`."""
        if t < 0 or self.length + t > self.max_len:
            raise EngineError(
                f"KVCache: cannot advance by {t} from {self.length} (max_len {self.max_len})"
            )
        self.length += t

    def reset(self) -> None:
        """Forget every cached token and keep the buffers (to re-encode a slid window)."""
        self.length = 0
