"""Token-by-token generation for one sequence, for output that appears as it is produced.

`stream_tokens` makes the same choices as `generate` (same cache, same picking rule) but yields
each new token id at once instead of returning the whole sequence at the end. `TextStream` turns
those ids into text pieces: a byte-level BPE token can hold part of a multi-byte character, so a
piece is released only once the text decoded so far no longer ends in an incomplete character.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

import torch

from studybuddy.engine.generate import CausalLM, next_token_from_logits
from studybuddy.engine.kv_cache import KVCache

REPLACEMENT = "\ufffd"  # what decoding shows for bytes that do not yet form a character


@torch.no_grad()
def stream_tokens(
    model: CausalLM,
    prompt_ids: list[int],
    max_new_tokens: int,
    temperature: float = 0.0,
    top_k: int | None = None,
    stop_ids: Collection[int] = (),
    generator: torch.Generator | None = None,
) -> Iterator[int]:
    """Yield up to `max_new_tokens` ids continuing `prompt_ids`; a stop id is yielded and ends
    the stream. The prompt must fit the context (crop it first with `crop_to_context`)."""
    context = model.cfg.context_length
    if not 1 <= len(prompt_ids) <= context:
        raise ValueError(f"prompt must have 1..{context} tokens, got {len(prompt_ids)}")
    ids = torch.tensor([prompt_ids])
    cache: KVCache = model.new_cache(1, max(1, min(context, len(prompt_ids) + max_new_tokens)))
    logits = model(ids, cache, last_only=True)
    for step in range(max_new_tokens):
        token = next_token_from_logits(logits[:, -1, :], temperature, top_k, generator)
        token_id = int(token)
        yield token_id
        if token_id in stop_ids or step == max_new_tokens - 1:
            return
        ids = torch.cat([ids, token], dim=1)
        if cache.room() > 0:
            logits = model(token, cache, last_only=True)
        else:  # the window is full and slides: every position changes, encode it afresh
            cache.reset()
            logits = model(ids[:, -cache.max_len :], cache, last_only=True)


class TextStream:
    """Collects token ids and hands out the text they add, whole characters only."""

    def __init__(self, decode: Callable[[list[int]], str]) -> None:
        self.decode = decode
        self.ids: list[int] = []
        self.shown = 0  # characters of decode(ids) already handed out

    def push(self, token_id: int) -> str:
        self.ids.append(token_id)
        text = self.decode(self.ids)
        if text.endswith(REPLACEMENT):
            return ""  # wait for the rest of the character
        piece, self.shown = text[self.shown :], len(text)
        return piece

    def flush(self) -> str:
        text = self.decode(self.ids)
        piece, self.shown = text[self.shown :], len(text)
        return piece
