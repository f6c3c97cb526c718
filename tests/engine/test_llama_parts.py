"""The Llama engine's parts on small random weights, against independent formulas: torch's
RMSNorm, RoPE as complex multiplication, attention written out with repeated key/value heads,
llama.cpp's row permutation; the KV cache against the uncached pass."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from studybuddy.engine.errors import EngineError
from studybuddy.engine.generate import generate
from studybuddy.engine.gguf_file import unpermute_rotary_rows
from studybuddy.engine.llama import (
    FeedForward,
    GroupedQueryAttention,
    LlamaConfig,
    LlamaModel,
    RMSNorm,
    RotaryEmbedding,
)
from studybuddy.engine.streaming import TextStream, stream_tokens

TINY = LlamaConfig(
    vocab_size=61,
    context_length=24,
    emb_dim=24,
    n_heads=6,
    n_kv_heads=2,
    n_layers=2,
    hidden_dim=40,
    rope_base=500.0,
)


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    model = LlamaModel(TINY).eval()
    with torch.no_grad():  # RMSNorm weights start at 1; vary them so a swap would show
        for name, p in model.named_parameters():
            if "norm" in name:
                p.uniform_(0.5, 1.5)
    return model


def test_rms_norm_equals_torch_rms_norm():
    torch.manual_seed(1)
    norm = RMSNorm(16, eps=1e-5)
    with torch.no_grad():
        norm.weight.uniform_(-2, 2)
    x = torch.randn(3, 5, 16) * 7
    expected = F.rms_norm(x, (16,), norm.weight, eps=1e-5)
    torch.testing.assert_close(norm(x), expected)


def test_swiglu_is_silu_gate_times_up_projection():
    torch.manual_seed(2)
    ff = FeedForward(8, 12)
    x = torch.randn(2, 3, 8)
    gate = x @ ff.fc1.weight.T
    silu = gate / (1 + torch.exp(-gate))
    expected = (silu * (x @ ff.fc2.weight.T)) @ ff.fc3.weight.T
    torch.testing.assert_close(ff(x), expected)


def rope_as_complex(x: torch.Tensor, positions: torch.Tensor, base: float) -> torch.Tensor:
    """Independent RoPE: feature pairs (i, i + d/2) as complex numbers times e^(i m theta_i)."""
    d = x.shape[-1]
    theta = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    z = torch.complex(x[..., : d // 2].double(), x[..., d // 2 :].double())
    z = z * torch.polar(torch.ones_like(theta), positions.double()[:, None] * theta)
    return torch.cat([z.real, z.imag], dim=-1).float()


def test_rope_equals_complex_rotation():
    torch.manual_seed(3)
    rope = RotaryEmbedding(8, 32, base=10_000.0)
    x = torch.randn(2, 3, 5, 8)
    out = rope(x, offset=7)
    torch.testing.assert_close(out, rope_as_complex(x, torch.arange(7, 12), 10_000.0))


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(0, 200),
    n=st.integers(0, 200),
    shift=st.integers(0, 200),
    seed=st.integers(0, 10_000),
)
def test_rope_dot_product_depends_only_on_the_distance(m, n, shift, seed):
    generator = torch.Generator().manual_seed(seed)
    rope = RotaryEmbedding(16, 401, base=10_000.0)
    q = torch.randn(1, 1, 1, 16, generator=generator, dtype=torch.float32)
    k = torch.randn(1, 1, 1, 16, generator=generator, dtype=torch.float32)

    def score(a: int, b: int) -> float:
        return float((rope(q, a) * rope(k, b)).sum())

    assert score(m, n) == pytest.approx(score(m + shift, n + shift), abs=1e-4)
    # Rotation keeps lengths: only directions carry position.
    assert float(rope(q, m).norm()) == pytest.approx(float(q.norm()), rel=1e-5)


def _mha_twin(gqa: GroupedQueryAttention) -> GroupedQueryAttention:
    """Plain multi-head attention whose key/value heads are the GQA heads, repeated."""
    group = gqa.n_heads // gqa.n_kv_heads
    d_in = gqa.W_query.in_features
    mha = GroupedQueryAttention(d_in, gqa.n_heads, gqa.n_heads)
    with torch.no_grad():
        mha.W_query.weight.copy_(gqa.W_query.weight)
        mha.out_proj.weight.copy_(gqa.out_proj.weight)
        for name in ("W_key", "W_value"):
            heads = getattr(gqa, name).weight.view(gqa.n_kv_heads, gqa.head_dim, d_in)
            repeated = heads.repeat_interleave(group, dim=0).reshape(-1, d_in)
            getattr(mha, name).weight.copy_(repeated)
    return mha


@settings(max_examples=25, deadline=None)
@given(
    n_kv_heads=st.integers(1, 4),
    group=st.integers(1, 4),
    head_dim=st.sampled_from([2, 4, 8]),
    tokens=st.integers(1, 9),
    seed=st.integers(0, 10_000),
)
def test_grouped_query_attention_equals_mha_with_repeated_kv_heads(
    n_kv_heads, group, head_dim, tokens, seed
):
    torch.manual_seed(seed)
    n_heads = n_kv_heads * group
    gqa = GroupedQueryAttention(n_heads * head_dim, n_heads, n_kv_heads)
    mha = _mha_twin(gqa)
    rope = RotaryEmbedding(head_dim, 16)
    x = torch.randn(2, tokens, n_heads * head_dim)
    torch.testing.assert_close(gqa(x, rope), mha(x, rope), atol=1e-5, rtol=1e-4)


def test_attention_equals_softmax_written_out(tiny):
    torch.manual_seed(4)
    att, rope = tiny.trf_blocks[0].att, tiny.rope
    x = torch.randn(1, 7, TINY.emb_dim)
    q, k, v, _ = att.project(x, rope)
    k = k.repeat_interleave(TINY.group_size, dim=1)
    v = v.repeat_interleave(TINY.group_size, dim=1)
    scores = (q @ k.transpose(-2, -1)) / TINY.head_dim**0.5
    scores = scores + torch.triu(torch.full((7, 7), -torch.inf), diagonal=1)
    context = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(1, 7, -1)
    torch.testing.assert_close(att(x, rope), att.out_proj(context), atol=1e-5, rtol=1e-4)
    weights = att.attention_weights(x, rope)
    torch.testing.assert_close(weights, torch.softmax(scores, dim=-1))


def test_unpermute_inverts_llama_cpp_permutation():
    # llama.cpp's converter: reshape(n_head, 2, rows // n_head // 2, cols).swapaxes(1, 2)
    rng = np.random.default_rng(0)
    original = rng.standard_normal((3 * 8, 5)).astype(np.float32)
    stored = original.reshape(3, 2, 4, 5).swapaxes(1, 2).reshape(24, 5)
    assert not np.array_equal(stored, original)
    np.testing.assert_array_equal(unpermute_rotary_rows(stored, 3), original)


def test_cached_logits_equal_the_uncached_pass(tiny):
    torch.manual_seed(5)
    ids = torch.randint(0, TINY.vocab_size, (2, 13))
    with torch.no_grad():
        full = tiny(ids)
        cache = tiny.new_cache(2, 20)
        # a prompt chunk, a single token, then a chunk again (the mask with an offset)
        parts = [tiny(ids[:, :5], cache), tiny(ids[:, 5:6], cache), tiny(ids[:, 6:], cache)]
    assert cache.length == 13
    assert cache.shape == (2, TINY.n_kv_heads, 20, TINY.head_dim)  # one slot per KV head
    torch.testing.assert_close(torch.cat(parts, dim=1), full, atol=1e-5, rtol=1e-4)
    last = tiny(ids, last_only=True)
    torch.testing.assert_close(last, full[:, -1:], atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("prompt_length", [1, 6, 30])  # 30 > context 24: cropped, window slides
@pytest.mark.parametrize("settings", [{}, {"temperature": 1.3, "top_k": 7}])
def test_generate_with_cache_gives_the_same_tokens(tiny, prompt_length, settings):
    torch.manual_seed(6)
    idx = torch.randint(0, TINY.vocab_size, (1, prompt_length))
    runs = [
        generate(tiny, idx, 25, use_cache=c, generator=torch.Generator().manual_seed(8), **settings)
        for c in (False, True)
    ]
    assert torch.equal(runs[0], runs[1])


def test_stream_tokens_match_generate(tiny):
    prompt = [3, 14, 15, 9, 2, 6]
    expected = generate(tiny, torch.tensor([prompt]), 30)[0, len(prompt) :].tolist()
    assert list(stream_tokens(tiny, prompt, 30)) == expected  # runs past the 24-token context
    stopped = list(stream_tokens(tiny, prompt, 30, stop_ids={expected[4]}))
    assert stopped == expected[: expected.index(expected[4]) + 1]


def test_text_stream_waits_for_whole_characters():
    data = "né 日".encode()
    stream = TextStream(lambda ids: bytes(ids).decode("utf-8", errors="replace"))
    pieces = [stream.push(b) for b in data]
    assert "".join(pieces) + stream.flush() == "né 日"
    assert "\ufffd" not in "".join(pieces)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"n_layers": 10_000}, "n_layers must be an integer in 1..256"),
        ({"emb_dim": 25}, "emb_dim (25) must be divisible by n_heads (6)"),
        ({"n_kv_heads": 4}, "n_heads (6) must be a multiple of n_kv_heads (4)"),
        ({"vocab_size": 0}, "vocab_size must be an integer"),
        ({"emb_dim": 16_000, "n_heads": 8, "hidden_dim": 60_000}, "parameters exceed the limit"),
    ],
)
def test_config_refuses_absurd_sizes_before_allocating(change, message):
    with pytest.raises(EngineError, match=message.replace("(", r"\(").replace(")", r"\)")):
        LlamaConfig.from_dict({**TINY.to_dict(), **change})
