"""The preallocated KV cache: written in place, never reallocated, bounded, clear when misused."""

from __future__ import annotations

import pytest
import torch

from studybuddy.engine.config import GPTConfig
from studybuddy.engine.errors import EngineError
from studybuddy.engine.generate import generate
from studybuddy.engine.kv_cache import KVCache
from studybuddy.engine.model import GPTModel

CFG = GPTConfig(vocab_size=53, context_length=12, emb_dim=16, n_heads=4, n_layers=3, drop_rate=0.0)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return GPTModel(CFG).eval()


def test_update_writes_in_place_and_returns_views_of_the_filled_part():
    cache = KVCache(n_layers=2, batch=1, n_kv_heads=2, max_len=5, head_dim=3, dtype=torch.float32)
    first_k, first_v = torch.randn(1, 2, 2, 3), torch.randn(1, 2, 2, 3)
    keys, values = cache.update(1, first_k, first_v)
    assert keys.shape == values.shape == (1, 2, 2, 3)
    assert keys.data_ptr() == cache.keys[1].data_ptr()
    assert values.data_ptr() == cache.values[1].data_ptr()
    assert cache.length == 0  # only advance moves it, once every layer has written
    cache.advance(2)
    new_k, new_v = torch.randn(1, 2, 1, 3), torch.randn(1, 2, 1, 3)
    keys, values = cache.update(1, new_k, new_v)
    assert torch.equal(keys, torch.cat([first_k, new_k], dim=2))
    assert torch.equal(values, torch.cat([first_v, new_v], dim=2))
    assert bool((cache.keys[0] == 0).all())  # another layer's buffer untouched


def test_memory_is_fixed_at_construction():
    cache = KVCache(12, 1, 12, 1024, 64, torch.float32)
    # 2 (keys, values) x 12 layers x 12 heads x 1024 positions x 64 x 4 bytes = 72 MiB
    assert cache.nbytes == 2 * 12 * 12 * 1024 * 64 * 4 == 72 * 2**20
    assert KVCache(12, 1, 12, 1024, 64, torch.bfloat16).nbytes == 36 * 2**20


def test_misuse_is_a_one_line_error():
    cache = KVCache(1, 1, 2, 4, 3, torch.float32)
    with pytest.raises(EngineError, match=r"3 cached \+ 2 new tokens exceed its max_len 4"):
        cache.advance(3)
        cache.update(0, torch.zeros(1, 2, 2, 3), torch.zeros(1, 2, 2, 3))
    with pytest.raises(EngineError, match=r"expected \(batch, n_kv_heads, t, head_dim\)"):
        cache.update(0, torch.zeros(1, 3, 1, 3), torch.zeros(1, 3, 1, 3))
    with pytest.raises(EngineError, match="layer 1 out of range"):
        cache.update(1, torch.zeros(1, 2, 1, 3), torch.zeros(1, 2, 1, 3))
    with pytest.raises(EngineError, match="cannot advance by 2 from 3"):
        cache.advance(2)
    with pytest.raises(EngineError, match="max_len must be a positive integer"):
        KVCache(1, 1, 1, 0, 1, torch.float32)


def test_model_cache_matches_its_config_and_dtype(model):
    cache = model.new_cache(batch=2, max_len=7)
    assert (cache.n_layers, cache.shape) == (3, (2, 4, 7, 4))
    assert cache.keys[0].dtype == torch.float32
    assert model.new_cache(1).max_len == CFG.context_length
    with pytest.raises(EngineError, match="cache length 13 must be in 1 .. context_length 12"):
        model.new_cache(1, 13)


def test_a_forward_pass_past_the_cache_is_refused(model):
    cache = model.new_cache(1, 4)
    model(torch.tensor([[1, 2, 3]]), cache)
    with pytest.raises(EngineError, match="exceed its max_len 4"):
        model(torch.tensor([[4, 5]]), cache)


def test_generation_never_reallocates_the_buffers(model, monkeypatch):
    """One cache per generate call, even when the window slides; at every forward pass each
    layer's buffers are still the ones allocated first."""
    caches: list[KVCache] = []
    pointers: list[list[int]] = []
    new_cache = model.new_cache

    def spy_new_cache(batch: int, max_len: int | None = None) -> KVCache:
        caches.append(new_cache(batch, max_len))
        return caches[-1]

    def record(module, args, kwargs, output):
        cache = kwargs.get("cache", args[1] if len(args) > 1 else None)
        if cache is not None:
            pointers.append([t.data_ptr() for t in (*cache.keys, *cache.values)])

    monkeypatch.setattr(model, "new_cache", spy_new_cache)
    handle = model.register_forward_hook(record, with_kwargs=True)
    try:
        idx = torch.tensor([[1, 2, 3]])
        generate(model, idx, 25)  # 3 + 25 > context 12: the window slides
    finally:
        handle.remove()
    assert len(caches) == 1
    assert len(pointers) == 25
    assert all(p == pointers[0] for p in pointers)
    assert caches[0].max_len == CFG.context_length


def test_the_cache_is_no_larger_than_a_short_generation_needs(model, monkeypatch):
    sizes = []
    new_cache = model.new_cache
    monkeypatch.setattr(model, "new_cache", lambda b, n=None: sizes.append(n) or new_cache(b, n))
    generate(model, torch.tensor([[1, 2, 3]]), 4)
    assert sizes == [6]  # the prompt and the 3 tokens fed back; the 4th is never fed


@pytest.mark.parametrize("prompt_length", [1, 5, 12, 20])
def test_cached_generation_picks_the_uncached_tokens(model, prompt_length):
    torch.manual_seed(prompt_length)
    idx = torch.randint(0, CFG.vocab_size, (3, prompt_length))
    cached = generate(model, idx, 30, use_cache=True)
    assert torch.equal(cached, generate(model, idx, 30, use_cache=False))
